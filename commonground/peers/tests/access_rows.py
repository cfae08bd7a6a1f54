"""The peers pages in the access matrix (see commonground/web/tests/access_extensions.py).

The shared group (world.extra["group"]: the party a member, the supporter a facilitator, PSP
adopted) is made here only when the groups module has not made it. A group's pages answer 404 to
those who may not know the group (the unrelated member, the other organisation) and 403 to those
who know it but may not do this: proposing is for members (facilitators are peers too), the
group's decisions, reviews and news of a peer are recorded by its facilitators, absences are for
its facilitators and the admin, and apologies and leaving are for members, or facilitators on a
peer's behalf. Guidelines for Behaviour and charity membership are for everyone in the
organisation; eligibility for facilitators and the admin; donations for the admin only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from commonground.groups.models import SupportGroup
from commonground.groups.selectors import facilitator_ids, group_sessions
from commonground.groups.services import facilitator_add, session_schedule
from commonground.meetings.models import Meeting
from commonground.peers import services
from commonground.peers.tests.helpers import psp_group
from commonground.people.models import Person
from commonground.testing.factories import QualificationFactory
from commonground.web.tests.access_rows_base import SIGN_IN, row

EVERYONE = row(SIGN_IN, 200, 200, 200, 200, 404)
ADMIN_ONLY = row(SIGN_IN, 403, 403, 200, 403, 404)
GROUP_FACILITATORS = row(SIGN_IN, 403, 200, 403, 404, 404)

ROWS = {
    "peers:home": EVERYONE,
    "peers:behaviour": EVERYONE,
    "peers:behaviour_edit": ADMIN_ONLY,
    "peers:group_guidelines": row(SIGN_IN, 200, 200, 200, 404, 404),
    "peers:guideline_propose": row(SIGN_IN, 200, 200, 403, 404, 404),
    "peers:guideline_decide": GROUP_FACILITATORS,
    "peers:guideline_review": GROUP_FACILITATORS,
    "peers:apologies": row(SIGN_IN, 200, 200, 403, 404, 404),
    "peers:leave": row(SIGN_IN, 200, 200, 403, 404, 404),
    "peers:absences": row(SIGN_IN, 403, 200, 200, 404, 404),
    "peers:news_record": GROUP_FACILITATORS,
    "peers:eligibility": row(SIGN_IN, 403, 200, 200, 403, 404),
    "peers:eligibility_record": row(SIGN_IN, 403, 200, 200, 403, 404),
    "peers:membership": EVERYONE,
    "peers:donations": ADMIN_ONLY,
    "peers:donation_add": ADMIN_ONLY,
    "peers:donations_export": ADMIN_ONLY,
}


def _upcoming_session(p: Any, group: SupportGroup) -> Meeting:
    """A coming session the supporter co-facilitates, the party invited."""
    for meeting in group_sessions(group).filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now()
    ):
        ids = {x.person_id for x in meeting.participants.all()}
        if {p.supporter.pk, p.party.pk} <= ids:
            return meeting
    pool = facilitator_ids(group.pk) - {p.supporter.pk}
    co = Person.objects.filter(pk__in=pool).first()
    if co is None:
        co = Person.objects.create(organisation=p.org, full_name="Cory Cofac")
        facilitator_add(actor=p.admin.user, group=group, person=co)
    for person in (p.supporter, co):
        if not person.qualifications.exists():
            QualificationFactory(person=person)
    start = timezone.now() + dt.timedelta(days=3)
    return session_schedule(
        actor=p.admin.user, group=group, facilitators=[p.supporter, co], starts_at=start
    )


def extend_world(world: Any) -> None:
    p = world.p
    group = world.extra.get("group")
    if group is None:
        group = world.extra.setdefault("group", psp_group(p))
    world.extra["peers_session"] = _upcoming_session(p, group)
    proposed = services.guideline_propose(
        actor=p.party.user, group=group, topic="phones", text="Phones on silent."
    )
    agreed = services.guideline_propose(
        actor=p.party.user, group=group, topic="lighting", text="Soft lighting, please."
    )
    services.guideline_decide(
        actor=p.supporter.user,
        guideline=agreed,
        agreed=True,
        decided_on=timezone.localdate(),
        how_decided="Consensus",
    )
    world.extra["peers_proposed"] = proposed
    world.extra["peers_agreed"] = agreed


def kwargs(world: Any, name: str) -> dict[str, Any] | None:
    if not name.startswith("peers:"):
        return None
    group = world.extra["group"].pk
    table: dict[str, dict[str, Any]] = {
        "peers:group_guidelines": {"group_id": group},
        "peers:guideline_propose": {"group_id": group},
        "peers:guideline_decide": {"group_id": group, "pk": world.extra["peers_proposed"].pk},
        "peers:guideline_review": {"group_id": group, "pk": world.extra["peers_agreed"].pk},
        "peers:apologies": {"group_id": group, "meeting_id": world.extra["peers_session"].pk},
        "peers:leave": {"group_id": group},
        "peers:absences": {"group_id": group},
        "peers:news_record": {"group_id": group, "person_id": world.p.party.pk},
        "peers:eligibility_record": {"person_id": world.p.party.pk},
    }
    return table.get(name, {})
