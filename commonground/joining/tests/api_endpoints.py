"""The way-in endpoints for the API-wide checks (see commonground/api/tests/app_endpoints.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

W = "/organisations/{slug}/way-in"
ENDPOINTS = [
    ("GET", W, False),
    ("POST", W, True),
    ("GET", W + "/{journey_id}", False),
    ("POST", W + "/{journey_id}/workshop", True),
    ("POST", W + "/{journey_id}/conversation", True),
    ("POST", W + "/{journey_id}/join", True),
    ("POST", W + "/attempts/{attempt_id}/outcome", True),
    ("POST", W + "/attempts/{attempt_id}/declaration", True),
    ("GET", W + "/attempts/{attempt_id}/name-check", False),
    ("POST", W + "/attempts/{attempt_id}/name-check", True),
    ("POST", W + "/conflicts/{conflict_id}/agreement", True),
]
VALID = {
    ("POST", W): {"full_name": "Bea Newcomer", "enquired_on": "D"},
    ("POST", W + "/attempts/{attempt_id}/declaration"): {"names": "Sam Smith"},
    ("POST", W + "/conflicts/{conflict_id}/agreement"): {"agreed_on": "D"},
}
ID_NAMES = ("journey_id", "attempt_id", "conflict_id")


def fill(personas: Any, values: dict[str, Any]) -> dict[str, Any]:
    """A journey for a new peer with a way into a group facilitated by the supporter, its
    conversation arranged and a relationship with a member waiting on their agreement."""
    from commonground.groups import services as group_services
    from commonground.joining import services
    from commonground.policies.models import PolicyAdoption
    from commonground.policies.services import policy_adopt
    from commonground.testing.factories import PersonFactory

    p = personas
    if not PolicyAdoption.objects.filter(organisation=p.org, policy="PSP").exists():
        policy_adopt(actor=None, organisation=p.org, policy="PSP")
    group = group_services.group_create(
        actor=p.admin.user,
        organisation=p.org,
        name="Way-in API group",
        weekday=2,
        start_time=dt.time(10, 0),
    )
    group_services.facilitator_add(actor=p.admin.user, group=group, person=p.supporter)
    member = PersonFactory(organisation=p.org, full_name="Morgan Member")
    group_services.member_add(actor=p.admin.user, group=group, person=member)
    peer = PersonFactory(organisation=p.org, full_name="Quinn Prospect")
    journey = services.journey_enquire(actor=p.admin.user, organisation=p.org, person=peer)
    attempt, _ = services.conversation_arrange(
        actor=p.supporter.user,
        journey=journey,
        group=group,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration=dt.timedelta(minutes=40),
        mode="call",
        facilitators=[p.supporter],
    )
    conflict = services.conflict_record(
        actor=p.supporter.user, attempt=attempt, member=member, source="declared"
    )
    return {"journey_id": journey.pk, "attempt_id": attempt.pk, "conflict_id": conflict.pk}
