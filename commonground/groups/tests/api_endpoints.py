"""The groups module's API endpoints, for the API-wide tests (commonground/api/tests/app_endpoints.py)."""

from __future__ import annotations

from typing import Any

from commonground.groups.models import GroupMember
from commonground.groups.tests.world import make_shared_group

G = "/organisations/{slug}/groups/{group_id}"

ENDPOINTS = [
    ("GET", "/organisations/{slug}/groups", False),
    ("POST", "/organisations/{slug}/groups", True),
    ("GET", G, False),
    ("PATCH", G, True),
    ("POST", G + "/close", True),
    ("POST", G + "/facilitators", True),
    ("POST", G + "/facilitators/{facilitator_id}/end", True),
    ("GET", G + "/sessions", False),
    ("POST", G + "/sessions", True),
    ("POST", G + "/members/{member_id}/leave", True),
]

VALID = {
    ("POST", "/organisations/{slug}/groups"): {
        "name": "Friday morning group",
        "weekday": 4,
        "start_time": "10:00",
    },
    ("PATCH", G): {"venue": "The library"},
    ("POST", G + "/close"): {"closed_on": "D", "reason": "The room closed"},
    ("POST", G + "/facilitators"): {"person_id": "{party_id}"},
    ("POST", G + "/facilitators/{facilitator_id}/end"): {"reason": "Moving away"},
    ("POST", G + "/sessions"): {"facilitator_ids": ["{person_id}", "{group_co_id}"], "weeks": 2},
    ("POST", G + "/members/{member_id}/leave"): {"reason": ""},
}

ID_NAMES = ("group_id", "facilitator_id", "member_id")


def fill(personas: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The shared group: the supporter and a second trained facilitator in its pool, the party
    a member, one session scheduled."""
    shared = make_shared_group(personas, email="api.co@example.test")
    return {
        "group_id": shared.group.pk,
        "group_co_id": shared.co.pk,
        "facilitator_id": shared.group.facilitators.get(person=shared.co).pk,
        "member_id": GroupMember.objects.get(group=shared.group, person=personas.party).pk,
        "party_id": values.get("party_id", personas.party.pk),
    }
