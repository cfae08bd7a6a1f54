"""Who may see and do what with cases (autodiscovered by `rules`).

- a party sees their own case: stage, dates, their own contributions, shared agreements and
  meetings; never another party's individual conversation nor S&W's confidential notes;
- the case's current supporters (the pair, admin help, an external facilitator until their end
  date) see and run it, and alone read and write the confidential notes (ASH-12);
- the organisation admin sees the list and the stages and may run the case, but reads the
  confidential notes only if also a supporter;
- another S&W member sees only that the case exists (reference, stage, pair), to spread the load;
- everyone else is answered as if the case did not exist.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for
from commonground.access.rules import belongs, is_org_admin
from commonground.casework.selectors_core import current_supporter_ids, party_ids
from commonground.people.roles import Role


def _own_id(user: Any, obj: Any) -> int | None:
    own = standing_for(user, obj).person
    return own.pk if own is not None else None


@rules.predicate
def is_case_party(user: Any, case: Any) -> bool:
    own = _own_id(user, case)
    if own is None or case is None or case.pk is None:
        return False
    return own in party_ids(case)


@rules.predicate
def is_case_supporter(user: Any, case: Any) -> bool:
    own = _own_id(user, case)
    if own is None or case is None or case.pk is None:
        return False
    return own in current_supporter_ids(case)


@rules.predicate
def is_sw_member(user: Any, obj: Any) -> bool:
    return standing_for(user, obj).has(Role.SW_MEMBER)


# Asking for help: any member, for themselves; the office (admin) or S&W for someone else.
rules.add_perm("casework.request_case", belongs)
rules.add_perm("casework.request_on_behalf", is_org_admin | is_sw_member)
# The S&W group's list of every case (reference, stage, pair): S&W members and the admin.
rules.add_perm("casework.view_case_list", is_org_admin | is_sw_member)

rules.add_perm("casework.view_case", is_case_party | is_case_supporter | is_org_admin)
# That the case exists, its stage and its pair: for load spreading within S&W.
rules.add_perm(
    "casework.know_case", is_case_party | is_case_supporter | is_org_admin | is_sw_member
)
# Everything about the case bar the confidential notes: its supporters and the admin.
rules.add_perm("casework.manage_case", (is_case_supporter | is_org_admin) & ~is_case_party)
rules.add_perm(
    "casework.assign_supporter",
    (is_case_supporter | is_org_admin | is_sw_member) & ~is_case_party,
)
# An S&W member says they are too close to a party to support the case.
rules.add_perm("casework.declare_relationship", is_sw_member & ~is_case_party)
# ASH-12: the confidential notes are for the case's current supporters only.
rules.add_perm("casework.view_notes", is_case_supporter & ~is_case_party)
