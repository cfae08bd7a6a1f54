"""The session pages in the access matrix (see commonground/web/tests/access_extensions.py).

The shared group (world.extra["group"]: the party a member, the supporter a facilitator, PSP
adopted) is made here only when the groups module has not made it. A session under way is added
(world.extra["gs_session"], started five minutes ago, the supporter and a second trained
facilitator running it), with a housekeeping action and a safeguarding concern the supporter
recorded.

Running a session, its printed plan and its forms are for the group's facilitators and the admin:
the party (a member) is refused (403); those who may not know the group (the unrelated member,
the other organisation) get 404. The group's actions are for everyone in the group and the
admin. A safeguarding concern is read only by the safeguarding lead and whoever recorded it
(PSP-9): 404 for everyone else, the admin included; the list is for the lead and those who run
sessions (who see only their own). Changes are POST only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from commonground.groups import services as groups
from commonground.groups.selectors import facilitator_ids
from commonground.groupsessions import services
from commonground.groupsessions.tests.world import make_group
from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.testing.factories import QualificationFactory, person_with_login
from commonground.web.tests.access_rows_base import SIGN_IN, row

RUNNERS = row(SIGN_IN, 403, 200, 200, 404, 404)
POST_ONLY = row(SIGN_IN, 405, 405, 405, 405, 405)

ROWS = {
    "groupsessions:session": RUNNERS,
    "groupsessions:session_plan": RUNNERS,
    "groupsessions:action_create": RUNNERS,
    "groupsessions:concern_create": RUNNERS,
    "groupsessions:session_step": POST_ONLY,
    "groupsessions:session_attendance": POST_ONLY,
    "groupsessions:session_walk_in": POST_ONLY,
    "groupsessions:session_take_time": POST_ONLY,
    "groupsessions:round_start": POST_ONLY,
    "groupsessions:round_turn": POST_ONLY,
    "groupsessions:action_done": POST_ONLY,
    "groupsessions:group_actions": row(SIGN_IN, 200, 200, 200, 404, 404),
    "groupsessions:concern_list": row(SIGN_IN, 403, 200, 200, 403, 404),
    "groupsessions:concern_detail": row(SIGN_IN, 404, 200, 404, 404, 404),
}


def _co_facilitator(p: Any, group: Any) -> Person:
    pool = facilitator_ids(group.pk) - {p.supporter.pk}
    co = Person.objects.filter(pk__in=pool).first()
    if co is None:
        co = person_with_login(
            p.org, Role.FACILITATOR, email="gs.cofac@example.test", full_name="Gwen Cofac"
        )
        groups.facilitator_add(actor=p.admin.user, group=group, person=co)
    for person in (p.supporter, co):
        if not person.qualifications.exists():
            QualificationFactory(person=person)
    return co


def extend_world(world: Any) -> None:
    p = world.p
    group = world.extra.get("group")
    if group is None:
        group = world.extra.setdefault("group", make_group(p))
    co = _co_facilitator(p, group)
    meeting = groups.session_schedule(
        actor=p.admin.user,
        group=group,
        facilitators=[p.supporter, co],
        starts_at=timezone.now() - dt.timedelta(minutes=5),
    )
    services.session_start(actor=p.supporter.user, meeting=meeting)
    world.extra["gs_session"] = meeting
    world.extra["gs_action"] = services.action_create(
        actor=p.supporter.user,
        meeting=meeting,
        kind="handout",
        owner=p.supporter,
        title="Grounding techniques",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    world.extra["gs_concern"] = services.concern_record(
        actor=p.supporter.user,
        meeting=meeting,
        about=p.party,
        concern="A made-up concern for the access test.",
        reason="An adult at risk.",
        third_party="crisis_team",
        told_at=timezone.now(),
    )


def kwargs(world: Any, name: str) -> dict[str, Any] | None:
    if not name.startswith("groupsessions:"):
        return None
    if name == "groupsessions:group_actions":
        return {"pk": world.extra["group"].pk}
    if name == "groupsessions:action_done":
        return {"pk": world.extra["gs_action"].pk}
    if name == "groupsessions:concern_detail":
        return {"pk": world.extra["gs_concern"].pk}
    if name == "groupsessions:concern_list":
        return {}
    return {"pk": world.extra["gs_session"].pk}
