"""Peer Support Plus's demo groups load through the services, staffed as PSP-4 says."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from commonground.groups import selectors
from commonground.groups.models import SupportGroup
from commonground.meetings.staffing import meeting_staffing
from commonground.people.models import Person
from commonground.policies.selectors import organisation_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> None:
    """The demo is loaded on the real today (the groups conftest's clock is not used here)."""


def test_PSP_4_the_demo_has_two_groups_with_their_pools_members_and_four_weeks_of_sessions() -> (
    None
):
    if connection.vendor != "sqlite":
        pytest.skip("The demo loads only into SQLite.")
    call_command("load_demo", stdout=io.StringIO())
    groups = {
        g.name: g for g in SupportGroup.objects.filter(organisation__slug="peer-support-plus")
    }
    assert set(groups) == {"Tuesday evening group", "Thursday afternoon group"}
    tuesday = groups["Tuesday evening group"]
    seun = Person.objects.get(email="facilitator@psp.demo")
    peer = Person.objects.get(email="peer@psp.demo")
    assert seun.pk in selectors.facilitator_ids(tuesday.pk)
    assert peer.pk in selectors.member_ids(tuesday.pk)
    in_force = organisation_policy(tuesday.organisation)
    for group in groups.values():
        assert len(selectors.facilitator_ids(group.pk)) == 2
        sessions = list(selectors.upcoming_sessions(group))
        assert len(sessions) >= 4
        assert all(meeting_staffing(meeting=s, in_force=in_force) == [] for s in sessions)
