"""The groups module's part of Peer Support Plus's demo (called by commonground/demo/groups.py)."""

from __future__ import annotations

from commonground.people.models import Organisation


def load(organisation: Organisation) -> None:
    """Filled in by the module: nothing yet."""
