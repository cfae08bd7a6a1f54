"""The way-in pages in the access matrix (see commonground/web/tests/access_extensions.py).

The party is on the way in (their own journey, with an open way into a second group that the
supporter facilitates); the supporter is a facilitator and the admin oversees. The party sees
their own journey and declares whom they know, and is refused (403) the facilitators' steps; the
name-check record of a member's agreement is a 404 to them, as to anyone who may not see the
group's members. The unrelated member is refused the lists (403) and never learns a journey
exists (404); the other organisation's member gets 404 everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from commonground.groups import services as group_services
from commonground.joining import services
from commonground.policies.models import PolicyAdoption
from commonground.policies.services import policy_adopt
from commonground.testing.factories import PersonFactory
from commonground.web.tests.access_rows_base import SIGN_IN, row

WAY_IN_STAFF = row(SIGN_IN, 403, 200, 200, 403, 404)
JOURNEY_STAFF = row(SIGN_IN, 403, 200, 200, 404, 404)

ROWS = {
    "joining:way_in": WAY_IN_STAFF,
    "joining:enquiry": WAY_IN_STAFF,
    "joining:mine": row(SIGN_IN, 200, 200, 200, 200, 404),
    "joining:workshops": WAY_IN_STAFF,
    "joining:workshop_create": WAY_IN_STAFF,
    "joining:journey": row(SIGN_IN, 200, 200, 200, 404, 404),
    "joining:workshop_invite": JOURNEY_STAFF,
    "joining:conversation": JOURNEY_STAFF,
    "joining:join": JOURNEY_STAFF,
    "joining:outcome": JOURNEY_STAFF,
    "joining:declare": row(SIGN_IN, 200, 200, 200, 404, 404),
    "joining:name_check": JOURNEY_STAFF,
    "joining:agree": row(SIGN_IN, 404, 200, 200, 404, 404),
}


def extend_world(world: Any) -> None:
    p = world.p
    if not PolicyAdoption.objects.filter(organisation=p.org, policy="PSP").exists():
        policy_adopt(actor=None, organisation=p.org, policy="PSP")
    group = group_services.group_create(
        actor=p.admin.user,
        organisation=p.org,
        name="Thursday afternoon group (way in)",
        weekday=3,
        start_time=dt.time(14, 0),
    )
    group_services.facilitator_add(actor=p.admin.user, group=group, person=p.supporter)
    member = PersonFactory(organisation=p.org, full_name="Morgan Member")
    group_services.member_add(actor=p.admin.user, group=group, person=member)
    journey = services.journey_enquire(actor=p.admin.user, organisation=p.org, person=p.party)
    attempt, _ = services.conversation_arrange(
        actor=p.supporter.user,
        journey=journey,
        group=group,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
        duration=dt.timedelta(minutes=40),
        mode="call",
        facilitators=[p.supporter],
    )
    conflict = services.conflict_record(
        actor=p.supporter.user, attempt=attempt, member=member, source="facilitator"
    )
    world.extra["joining"] = {"journey": journey, "attempt": attempt, "conflict": conflict}


def kwargs(world: Any, name: str) -> dict[str, Any] | None:
    if not name.startswith("joining:"):
        return None
    found = world.extra["joining"]
    if name in {
        "joining:journey",
        "joining:workshop_invite",
        "joining:conversation",
        "joining:join",
    }:
        return {"pk": found["journey"].pk}
    if name in {"joining:outcome", "joining:declare", "joining:name_check"}:
        return {"pk": found["attempt"].pk}
    if name == "joining:agree":
        return {"pk": found["conflict"].pk}
    return {}
