"""The groups pages in the access matrix (see commonground/web/tests/access_extensions.py).

extend_world makes the shared group the other PSP modules build on, at world.extra["group"], in
the personas' organisation (PSP adopted beside ASH: an organisation may adopt several policies):
the supporter and a second trained facilitator in its pool, the party a member (through
services.member_add), and one upcoming session at world.extra["group_session"].

The list of groups is for everyone in the organisation, each seeing only the groups they may
know (all of them for facilitators and the admin). A group's page is for its members, its
facilitators and the admin; anyone else in the organisation is answered 404, as if it did not
exist. Scheduling sessions and recording a member leaving are for the group's facilitators and
the admin (the party, a member, is refused: 403); setting up, changing and closing a group and
keeping its pool are the admin's.
"""

from __future__ import annotations

from typing import Any

from commonground.groups.models import GroupMember
from commonground.groups.tests.world import make_shared_group
from commonground.web.tests.access_rows_base import SIGN_IN, row

RUNS = row(SIGN_IN, 403, 200, 200, 404, 404)
ADMIN = row(SIGN_IN, 403, 403, 200, 404, 404)

ROWS = {
    "groups:group_list": row(SIGN_IN, 200, 200, 200, 200, 404),
    "groups:group_create": row(SIGN_IN, 403, 403, 200, 403, 404),
    "groups:group_detail": row(SIGN_IN, 200, 200, 200, 404, 404),
    "groups:group_edit": ADMIN,
    "groups:group_close": ADMIN,
    "groups:facilitator_add": ADMIN,
    "groups:facilitator_end": ADMIN,
    "groups:session_schedule": RUNS,
    "groups:member_leave": RUNS,
}


def extend_world(world: Any) -> None:
    shared = make_shared_group(world.p)
    world.extra["group"] = shared.group
    world.extra["group_co"] = shared.co
    world.extra["group_session"] = shared.session


def kwargs(world: Any, name: str) -> dict[str, Any] | None:
    if not name.startswith("groups:"):
        return None
    if name in {"groups:group_list", "groups:group_create"}:
        return {}
    group = world.extra["group"]
    if name == "groups:facilitator_end":
        pool_row = group.facilitators.get(person=world.extra["group_co"])
        return {"pk": group.pk, "facilitator_pk": pool_row.pk}
    if name == "groups:member_leave":
        member = GroupMember.objects.get(group=group, person=world.p.party)
        return {"pk": group.pk, "member_pk": member.pk}
    return {"pk": group.pk}
