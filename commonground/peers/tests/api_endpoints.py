"""The peers endpoints for the API-wide checks (see commonground/api/tests/app_endpoints.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from commonground.peers import services
from commonground.peers.tests.helpers import psp_group, session

G = "/organisations/{slug}/peers/groups/{group_id}"
ENDPOINTS = [
    ("GET", "/organisations/{slug}/peers/guidelines", False),
    ("GET", G + "/guidelines", False),
    ("POST", G + "/guidelines", True),
    ("POST", G + "/guidelines/{guideline_id}/decision", True),
    ("POST", G + "/guidelines/{agreed_id}/review", True),
    ("GET", G + "/absences", False),
    ("POST", G + "/sessions/{session_id}/apologies", True),
    ("POST", G + "/leave", True),
    ("GET", G + "/seek-news", False),
    ("POST", G + "/members/{peer_id}/news", True),
    ("POST", "/organisations/{slug}/peers/people/{person_id}/eligibility", True),
    ("POST", "/organisations/{slug}/peers/membership", True),
    ("GET", "/organisations/{slug}/peers/donations", False),
    ("POST", "/organisations/{slug}/peers/donations", True),
]
VALID = {
    ("POST", G + "/guidelines"): {"topic": "phones", "text": "Phones on silent."},
    ("POST", G + "/guidelines/{guideline_id}/decision"): {
        "agreed": "yes",
        "decided_on": "D",
        "how_decided": "Consensus",
    },
    ("POST", G + "/sessions/{session_id}/apologies"): {
        "person_id": "{party_id}",
        "received_by": "phone call",
    },
    ("POST", G + "/guidelines/{agreed_id}/review"): {
        "outcome": "changed",
        "reviewed_on": "D",
        "how_decided": "Consensus",
        "text": "Phones off in the room.",
    },
    ("POST", G + "/leave"): {"person_id": "{peer_id}", "received_by": "text message"},
    ("POST", G + "/members/{peer_id}/news"): {"outcome": "news_received"},
    ("POST", "/organisations/{slug}/peers/people/{person_id}/eligibility"): {
        "eligible": "yes",
        "checked_on": "D",
    },
    ("POST", "/organisations/{slug}/peers/membership"): {"supports_objects": "yes"},
    ("POST", "/organisations/{slug}/peers/donations"): {
        "amount_pence": 500,
        "received_on": "D",
        "anonymous": "yes",
    },
}
ID_NAMES = ("group_id", "guideline_id", "agreed_id", "session_id", "peer_id")


def fill(personas: Any, values: dict[str, Any]) -> dict[str, Any]:
    from commonground.groups import services as groups
    from commonground.groups.models import SupportGroup

    # The shared group if another module filled it in already, else one of our own.
    found = SupportGroup.objects.filter(pk=values.get("group_id", 0)).first()
    group = found or SupportGroup.objects.filter(organisation=personas.org).first()
    group = group or psp_group(personas)
    meeting = session(personas, group, when=timezone.now() + dt.timedelta(days=2))
    # The admin, who makes every call, facilitates the group: proposes, decides and records a
    # peer's apologies as its facilitators do.
    if not group.facilitators.filter(person=personas.admin).exists():
        groups.facilitator_add(actor=personas.admin.user, group=group, person=personas.admin)
    proposed = services.guideline_propose(
        actor=personas.party.user, group=group, topic="phones", text="Phones away."
    )
    # An agreed guideline, for the review (the decision needs one still proposed).
    agreed = services.guideline_propose(
        actor=personas.party.user, group=group, topic="lighting", text="Soft light."
    )
    services.guideline_decide(
        actor=personas.admin.user,
        guideline=agreed,
        agreed=True,
        decided_on=timezone.localdate(),
        how_decided="Round",
    )
    mine = {
        "group_id": group.pk,
        "guideline_id": proposed.pk,
        "agreed_id": agreed.pk,
        "peer_id": personas.party.pk,
        "session_id": meeting.pk,
        "party_id": personas.party.pk,
    }
    return {k: v for k, v in mine.items() if k not in values}
