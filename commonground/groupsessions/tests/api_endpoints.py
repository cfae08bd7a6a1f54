"""The group session endpoints, for the API-wide checks (commonground/api/tests/app_endpoints.py)."""

from __future__ import annotations

from typing import Any

S = "/organisations/{slug}/group-sessions/{meeting_id}"

ENDPOINTS = [
    ("GET", S, False),
    ("POST", S + "/step", True),
    ("POST", S + "/attendance", True),
    ("POST", S + "/walk-ins", True),
    ("POST", S + "/take-time", True),
    ("POST", S + "/rounds", True),
    ("POST", S + "/rounds/{round_id}/turns", True),
    ("POST", S + "/actions", True),
    ("GET", "/organisations/{slug}/groups/{group_id}/housekeeping-actions", False),
    ("POST", "/organisations/{slug}/housekeeping-actions/{action_id}/done", True),
    ("POST", S + "/safeguarding-concerns", True),
    ("GET", "/organisations/{slug}/safeguarding-concerns", False),
    ("GET", "/organisations/{slug}/safeguarding-concerns/{concern_id}", False),
]

VALID = {
    ("POST", S + "/step"): {"action": "next"},
    # The marks come whole from fill: only top-level values and list items are filled in.
    ("POST", S + "/attendance"): {"attendance": "{attendance}"},
    ("POST", S + "/walk-ins"): {"person_id": "{walk_in_id}"},
    ("POST", S + "/take-time"): {"person_id": "{person_id}"},
    ("POST", S + "/rounds"): {"step": "round_of_good_news", "minutes": 5},
    ("POST", S + "/rounds/{round_id}/turns"): {"person_id": "{person_id}", "action": "pass"},
    ("POST", S + "/actions"): {"kind": "other", "owner_id": "{person_id}", "title": "A leaflet"},
    ("POST", "/organisations/{slug}/housekeeping-actions/{action_id}/done"): {"done": "yes"},
    ("POST", S + "/safeguarding-concerns"): {
        "about_id": "{person_id}",
        "concern": "A worry",
        "reason": "Risk of harm",
        "third_party": "police",
        "told_at": "{told_at}",
    },
}

ID_NAMES = ("meeting_id", "round_id", "action_id", "concern_id")


def fill(personas: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Real ids: a session under way (see tests/world.py), a round, an action and a concern;
    a member who joined the group after the session was scheduled (a walk-in)."""
    from django.utils import timezone

    from commonground.groups import services as groups
    from commonground.groupsessions import services
    from commonground.groupsessions.models import Round
    from commonground.groupsessions.tests.world import make_session_world
    from commonground.testing.factories import PersonFactory

    sw = make_session_world(personas)
    actor = personas.supporter.user
    services.session_start(actor=actor, meeting=sw.meeting)
    services.attendance_record(
        actor=actor, meeting=sw.meeting, attendance={personas.party.pk: "attended"}
    )
    found: Round = services.round_start(
        actor=actor, meeting=sw.meeting, step="round_taking_away", minutes=5
    )
    action = services.action_create(
        actor=actor, meeting=sw.meeting, kind="other", owner=personas.supporter, title="Leaflet"
    )
    concern = services.concern_record(
        actor=actor,
        meeting=sw.meeting,
        about=personas.party,
        concern="c",
        reason="r",
        third_party="police",
        told_at=timezone.now(),
    )
    walk_in = PersonFactory(organisation=personas.org, full_name="Wren Walkin")
    groups.member_add(actor=personas.admin.user, group=sw.group, person=walk_in)
    return {
        "attendance": [{"person_id": personas.party.pk, "status": "absent"}],
        "walk_in_id": walk_in.pk,
        "told_at": timezone.now().isoformat(),
        "meeting_id": sw.meeting.pk,
        "group_id": sw.group.pk,
        "round_id": found.pk,
        "action_id": action.pk,
        "concern_id": concern.pk,
        "person_id": personas.party.pk,
    }
