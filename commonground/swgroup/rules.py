"""Who may see and do what with the S&W group's own records (autodiscovered by `rules`).

The group page, its budget, ledger and spending requests are for the group's members and the
organisation's admin; everyone else in the organisation is refused (403) and other
organisations never learn the pages exist (404, from organisation_get).
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for
from commonground.access.rules import is_org_admin
from commonground.people.roles import Role


@rules.predicate
def is_sw_member(user: Any, obj: Any) -> bool:
    return standing_for(user, obj).has(Role.SW_MEMBER)


@rules.predicate
def is_requester(user: Any, request: Any) -> bool:
    own = standing_for(user, request).person
    return own is not None and getattr(request, "requested_by_id", None) == own.pk


# ASH-18, ASH-21, ASH-23: the group's health, attendance and budget.
rules.add_perm("swgroup.view_group", is_sw_member | is_org_admin)
# ASH-18: the admin gives and ends S&W roles, warned first if the group would fall short.
rules.add_perm("swgroup.change_membership", is_org_admin)
# ASH-21: the group's meetings are scheduled by its members or the admin.
rules.add_perm("swgroup.schedule_meeting", is_sw_member | is_org_admin)
# ASH-23: the co-op allocates the annual budget.
rules.add_perm("swgroup.set_budget", is_org_admin)
# ASH-22: members ask for money and each agrees for themselves.
rules.add_perm("swgroup.request_spending", is_sw_member)
rules.add_perm("swgroup.approve_spending", is_sw_member)
# ASH-22: a pending request is withdrawn by whoever asked, or by a member of the group.
rules.add_perm("swgroup.withdraw_spending", is_requester | is_sw_member)
