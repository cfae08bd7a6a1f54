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
    ("POST", S + "/attendance"): {"attendance": [{"person_id": "{person_id}", "status": "absent"}]},
    ("POST", S + "/take-time"): {"person_id": "{person_id}"},
    ("POST", S + "/rounds"): {"step": "round_of_good_news", "minutes": 5},
    ("POST", S + "/actions"): {"kind": "other", "owner_id": "{person_id}", "title": "A leaflet"},
    ("POST", "/organisations/{slug}/housekeeping-actions/{action_id}/done"): {"done": "yes"},
}

ID_NAMES = ("meeting_id", "round_id", "action_id", "concern_id")


def fill(personas: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Real ids: a session under way (see tests/world.py), a round, an action and a concern."""
    from django.utils import timezone

    from commonground.groupsessions import services
    from commonground.groupsessions.models import Round
    from commonground.groupsessions.tests.world import make_session_world

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
    return {
        "meeting_id": sw.meeting.pk,
        "group_id": sw.group.pk,
        "round_id": found.pk,
        "action_id": action.pk,
        "concern_id": concern.pk,
        "person_id": personas.party.pk,
    }
