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
    ("POST", "/organisations/{slug}/workshops", True),
    ("POST", "/organisations/{slug}/workshops/{workshop_id}/attendance", True),
]
VALID = {
    ("POST", W): {"full_name": "Bea Newcomer", "enquired_on": "D"},
    ("POST", W + "/{journey_id}/workshop"): {"workshop_id": "{coming_workshop_id}"},
    ("POST", "/organisations/{slug}/workshops"): {
        "starts_at": "{conversation_at}",
        "facilitator_ids": ["{facilitator_id}", "{second_facilitator_id}"],
        "place": "Community centre",
        "invite_journey_ids": ["{attempt_journey_id}"],
    },
    ("POST", "/organisations/{slug}/workshops/{workshop_id}/attendance"): {
        "attendance": "{workshop_attendance}"
    },
    ("POST", W + "/{journey_id}/conversation"): {
        "group_id": "{other_group_id}",
        "starts_at": "{conversation_at}",
        "duration_minutes": 40,
        "mode": "call",
        "facilitator_ids": ["{facilitator_id}"],
    },
    ("POST", W + "/{journey_id}/join"): {"group_id": "{group_id}"},
    ("POST", W + "/attempts/{attempt_id}/outcome"): {"outcome": "join"},
    ("POST", W + "/attempts/{attempt_id}/declaration"): {"names": "Sam Smith"},
    ("POST", W + "/attempts/{attempt_id}/name-check"): {"decision": "no_conflict"},
    ("POST", W + "/conflicts/{conflict_id}/agreement"): {"agreed_on": "D"},
}
ID_NAMES = ("journey_id", "attempt_id", "conflict_id", "workshop_id")


def fill(personas: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Three journeys into a group the supporter and a trained second facilitator run: one
    (journey_id) with every step done, ready to join; one (attempt_id) whose conversation has
    happened and whose names are declared, its outcome and name-check still to record; one with
    a relationship with a member waiting on their agreement (conflict_id). A workshop to come,
    and a second group to arrange a conversation with."""
    from commonground.groups import services as group_services
    from commonground.joining import services
    from commonground.meetings.services import meeting_record_attendance
    from commonground.people.roles import Role
    from commonground.policies.models import PolicyAdoption
    from commonground.policies.services import policy_adopt
    from commonground.testing.factories import (
        PersonFactory,
        QualificationFactory,
        person_with_login,
    )

    p = personas
    actor = p.admin.user
    if not PolicyAdoption.objects.filter(organisation=p.org, policy="PSP").exists():
        policy_adopt(actor=None, organisation=p.org, policy="PSP")
    second = person_with_login(
        p.org, Role.FACILITATOR, full_name="Fran Second", email="api.fran@example.test"
    )
    for person in (p.supporter, second):
        QualificationFactory(person=person)
    facilitators = [p.supporter, second]

    def group(name: str) -> Any:
        made = group_services.group_create(
            actor=actor, organisation=p.org, name=name, weekday=2, start_time=dt.time(10, 0)
        )
        for person in facilitators:
            group_services.facilitator_add(actor=actor, group=made, person=person)
        return made

    first, other = group("Way-in API group"), group("Second way-in group")
    member = PersonFactory(organisation=p.org, full_name="Morgan Member")
    group_services.member_add(actor=actor, group=first, person=member)

    def journey(name: str, starts_at: dt.datetime) -> tuple[Any, Any]:
        peer = PersonFactory(organisation=p.org, full_name=name)
        made = services.journey_enquire(actor=actor, organisation=p.org, person=peer)
        attempt, _ = services.conversation_arrange(
            actor=actor,
            journey=made,
            group=first,
            starts_at=starts_at,
            duration=dt.timedelta(minutes=40),
            mode="call",
            facilitators=[p.supporter],
        )
        return made, attempt

    past = timezone.now() - dt.timedelta(hours=2)
    # Ready to join: a workshop attended, the conversation held (join), the name-check clear.
    ready, ready_attempt = journey("Rae Ready", past)
    workshop = services.workshop_schedule(
        actor=actor,
        organisation=p.org,
        starts_at=timezone.now() - dt.timedelta(days=7),
        facilitators=facilitators,
        invite=[ready],
    )
    meeting_record_attendance(
        actor=actor, meeting=workshop, attendance={ready.person_id: "attended"}
    )
    services.conversation_outcome(actor=actor, attempt=ready_attempt, outcome="join")
    services.names_declare(actor=actor, attempt=ready_attempt, names="Sam Smith")
    services.name_check_clear(actor=actor, attempt=ready_attempt)
    # Conversation held, names declared: the outcome and the name-check are still to record.
    quinn, attempt = journey("Quinn Prospect", past)
    services.names_declare(actor=actor, attempt=attempt, names="Sam Smith")
    # A relationship with a member, waiting on their agreement.
    _, waiting = journey("Wyn Waiting", timezone.now() + dt.timedelta(days=2))
    conflict = services.conflict_record(
        actor=actor, attempt=waiting, member=member, source="declared"
    )
    coming = services.workshop_schedule(
        actor=actor,
        organisation=p.org,
        starts_at=timezone.now() + dt.timedelta(days=7),
        facilitators=facilitators,
    )
    return {
        "journey_id": ready.pk,
        "attempt_id": attempt.pk,
        "conflict_id": conflict.pk,
        "group_id": first.pk,
        "other_group_id": other.pk,
        "coming_workshop_id": coming.pk,
        # The workshop Rae attended: its attendance can be recorded again.
        "workshop_id": workshop.pk,
        "workshop_attendance": [{"person_id": ready.person_id, "status": "attended"}],
        "attempt_journey_id": quinn.pk,
        "facilitator_id": p.supporter.pk,
        "second_facilitator_id": second.pk,
        "conversation_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
    }
