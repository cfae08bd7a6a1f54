"""The peers demo builds on the other PSP modules' demos, or makes what it needs."""

from __future__ import annotations

import pytest

from commonground.demo.loader import load_demo
from commonground.obligations.models import Obligation
from commonground.peers.models import BehaviourGuidelines, Donation, GroupGuideline

pytestmark = pytest.mark.django_db


def test_PSP_5_PSP_10_PSP_12_demo_has_guidelines_absences_and_donations():
    load_demo()
    assert BehaviourGuidelines.objects.count() == 1
    states = sorted(GroupGuideline.objects.values_list("state", flat=True))
    assert states == ["agreed", "agreed", "proposed"]
    reviews = Obligation.objects.filter(rule_id="PSP-5", state="open")
    assert reviews.count() == 2 and any(o.status() == "due_soon" for o in reviews)
    assert Obligation.objects.filter(rule_id="PSP-10", state="open").count() >= 1
    assert Donation.objects.count() == 4
    from commonground.meetings.models import Participant

    assert Participant.objects.filter(apologies_received_by="text message").exists()
