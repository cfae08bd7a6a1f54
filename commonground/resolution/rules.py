"""Who may see and do what around a Community Resolution Meeting (autodiscovered by `rules`).

- The case's current supporters run the CRM and see everything about it (ASH-9, ASH-11, ASH-12).
- An S&W member may call one (ASH-7) and follow it, but not read private contributions or notes.
- The parties see their own case's CRM and their own contribution.
- The organisation admin records the meeting's decisions, Notices to Quit, reinstatement and the
  court application (membership is theirs to change).
- A published agenda is anonymous (ASH-10) and for every member of the organisation.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for
from commonground.access.rules import belongs, is_org_admin
from commonground.casework.selectors_core import current_supporter_ids, party_ids
from commonground.people.roles import Role


def _case_of(obj: Any) -> int:
    """The id of the casework.Case behind a case, a CRM, or anything hanging off a CRM."""
    if hasattr(obj, "case_id"):
        return int(obj.case_id)
    if hasattr(obj, "crm"):
        return _case_of(obj.crm)
    return int(obj.pk)


def _own_id(user: Any, obj: Any) -> int | None:
    holder = obj if hasattr(obj, "organisation_id") else obj.crm
    own = standing_for(user, holder).person
    return own.pk if own is not None else None


@rules.predicate
def is_case_supporter(user: Any, obj: Any) -> bool:
    own = _own_id(user, obj)
    return own is not None and own in current_supporter_ids(_case_of(obj))


@rules.predicate
def is_case_party(user: Any, obj: Any) -> bool:
    own = _own_id(user, obj)
    return own is not None and own in party_ids(_case_of(obj))


@rules.predicate
def is_sw_member(user: Any, obj: Any) -> bool:
    return standing_for(user, obj).has(Role.SW_MEMBER)


@rules.predicate
def is_notice_recipient(user: Any, notice: Any) -> bool:
    own = _own_id(user, notice)
    return own is not None and notice.person_id == own


@rules.predicate
def is_contribution_author(user: Any, contribution: Any) -> bool:
    own = _own_id(user, contribution)
    return own is not None and (
        contribution.author_id == own or contribution.party.case_party.person_id == own
    )


@rules.predicate
def is_on_agenda(user: Any, contribution: Any) -> bool:
    return bool(contribution.on_agenda)


# ASH-7: called by a current supporter of the case or an S&W member (not a party).
rules.add_perm("resolution.call_crm", (is_case_supporter | is_sw_member) & ~is_case_party)
rules.add_perm(
    "resolution.view_crm", is_case_party | is_case_supporter | is_sw_member | is_org_admin
)
# ASH-8, ASH-9, ASH-10, ASH-11: the supporters prepare it.
rules.add_perm("resolution.manage_crm", is_case_supporter & ~is_case_party)
# ASH-12: confidential notes are for the case's supporters only.
rules.add_perm("resolution.view_notes", is_case_supporter & ~is_case_party)
# ASH-9: a contribution is its author's and the supporters' until it is on the agenda.
rules.add_perm("resolution.view_contribution", is_contribution_author | is_case_supporter)
# ASH-10: the published agenda is anonymous, for the whole community.
rules.add_perm("resolution.view_agenda", belongs)
# ASH-13, ASH-14, ASH-16, ASH-17: the meeting's decisions and membership are the admin's to record.
rules.add_perm("resolution.decide_crm", is_org_admin & ~is_case_party)
rules.add_perm(
    "resolution.view_notice_to_quit", is_notice_recipient | is_case_supporter | is_org_admin
)
rules.add_perm("resolution.manage_notice_to_quit", is_org_admin & ~is_notice_recipient)
# ASH-15: the supporters check in.
rules.add_perm("resolution.check_in", is_case_supporter & ~is_notice_recipient)
