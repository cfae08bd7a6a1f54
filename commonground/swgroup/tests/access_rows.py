"""The S&W group's pages in the access matrix (see commonground/web/tests/access_extensions.py).

The pages are for the group's members and the organisation admin. In the standing world the
supporter is a facilitator who also holds the S&W member role (the casework rows give it them,
and extend_world below makes sure of it), so they see the group's pages, may schedule its
meetings and ask for money; the party and the unrelated member are plain members and are
refused (403); the other organisation's member never learns the pages exist (404). Giving and
ending S&W roles, setting the budget and recording the policy review are the admin's. Asking for
money is for members only, so the admin is refused there; agreeing is POST only. Another S&W
member is added here to own a spending request and to be the member whose role the admin may
end; the group's own access tests are in commonground/swgroup/tests/test_pages.py.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from commonground.people.models import RoleAssignment
from commonground.people.roles import Role
from commonground.swgroup import services
from commonground.testing.factories import RoleAssignmentFactory, person_with_login
from commonground.web.tests.access_rows_base import SIGN_IN, row

MEMBERS_AND_ADMIN = row(SIGN_IN, 403, 200, 200, 403, 404)
ADMIN_ONLY = row(SIGN_IN, 403, 403, 200, 403, 404)

ROWS = {
    "swgroup:group": MEMBERS_AND_ADMIN,
    "swgroup:member_add": ADMIN_ONLY,
    "swgroup:member_end": ADMIN_ONLY,
    "swgroup:attendance": MEMBERS_AND_ADMIN,
    "swgroup:meeting_create": MEMBERS_AND_ADMIN,
    "swgroup:review": ADMIN_ONLY,
    "swgroup:budget": MEMBERS_AND_ADMIN,
    "swgroup:budget_set": ADMIN_ONLY,
    "swgroup:ledger": MEMBERS_AND_ADMIN,
    "swgroup:spending_list": MEMBERS_AND_ADMIN,
    "swgroup:spending_create": row(SIGN_IN, 403, 200, 403, 403, 404),
    "swgroup:spending_detail": MEMBERS_AND_ADMIN,
    "swgroup:spending_approve": row(SIGN_IN, 405, 405, 405, 405, 405),
    "swgroup:spending_withdraw": row(SIGN_IN, 405, 405, 405, 405, 405),
}


def extend_world(world: Any) -> None:
    p = world.p
    if (
        not RoleAssignment.objects.current()
        .filter(person=p.supporter, role=Role.SW_MEMBER)
        .exists()
    ):
        RoleAssignmentFactory(person=p.supporter, role=Role.SW_MEMBER)
    member = person_with_login(
        p.org, Role.SW_MEMBER, email="sw.member@example.test", full_name="Sasha Member"
    )
    services.budget_set(
        actor=p.admin.user,
        organisation=p.org,
        starts_on=timezone.localdate(),
        amounts={name: 50_000 for name in services.CATEGORY_LABELS},
    )
    world.extra["sw_member"] = member
    world.extra["sw_request"] = services.spending_request_create(
        actor=member.user,
        organisation=p.org,
        category="training",
        amount_pence=12_000,
        reason="Conflict facilitation course for two members",
    )


def kwargs(world: Any, name: str) -> dict[str, Any] | None:
    if not name.startswith("swgroup:"):
        return None
    if name == "swgroup:member_end":
        return {"pk": world.extra["sw_member"].pk}
    if name in {"swgroup:spending_detail", "swgroup:spending_approve", "swgroup:spending_withdraw"}:
        return {"pk": world.extra["sw_request"].pk}
    return {}
