"""Peer Support Plus's groups in the demo: two groups with their facilitators, peers at every
step of the way in, a history of sessions, guidelines, apologies and donations.

Each module loads its own part, in the order the records depend on each other."""

from __future__ import annotations

from commonground.groups import demo as groups_demo
from commonground.groupsessions import demo as sessions_demo
from commonground.joining import demo as joining_demo
from commonground.peers import demo as peers_demo
from commonground.people.models import Organisation


def load_psp_groups(organisation: Organisation) -> None:
    groups_demo.load(organisation)
    joining_demo.load(organisation)
    sessions_demo.load(organisation)
    peers_demo.load(organisation)
