"""Who may see and do what with peer support groups (autodiscovered by `rules`).

- a group's members see its schedule, venue, guidelines and actions, never each other's private
  details (their preferred names only, and only as the session page shows them);
- a group's facilitators (peers too) run it: its sessions, attendance and actions;
- facilitators of any group and the admin see the list of every group, to bring peers in;
- the admin sets groups up and keeps the pool of facilitators;
- everyone else in the organisation is answered as if the group did not exist.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for
from commonground.access.rules import belongs, is_org_admin
from commonground.people.roles import Role


def _own_id(user: Any, obj: Any) -> int | None:
    own = standing_for(user, obj).person
    return own.pk if own is not None else None


@rules.predicate
def is_group_member(user: Any, group: Any) -> bool:
    from commonground.groups.selectors import member_ids

    own = _own_id(user, group)
    return own is not None and group is not None and own in member_ids(group.pk)


@rules.predicate
def is_group_facilitator(user: Any, group: Any) -> bool:
    from commonground.groups.selectors import facilitator_ids

    own = _own_id(user, group)
    return own is not None and group is not None and own in facilitator_ids(group.pk)


@rules.predicate
def is_facilitator(user: Any, obj: Any) -> bool:
    return standing_for(user, obj).has(Role.FACILITATOR)


# The list of every group (to bring a peer in, PSP-2/PSP-3): facilitators and the admin.
rules.add_perm("groups.view_all_groups", is_org_admin | is_facilitator)
rules.add_perm("groups.view_own_groups", belongs)
rules.add_perm("groups.add_group", is_org_admin)
rules.add_perm("groups.change_group", is_org_admin)
rules.add_perm(
    "groups.view_group", is_group_member | is_group_facilitator | is_org_admin | is_facilitator
)
# Who belongs to the group, with names: its facilitators and the admin, not other peers.
rules.add_perm("groups.view_members", is_group_facilitator | is_org_admin)
rules.add_perm("groups.change_facilitators", is_org_admin)
rules.add_perm("groups.change_members", is_group_facilitator | is_org_admin)
# PSP-4: the group's facilitators or the admin schedule its sessions.
rules.add_perm("groups.schedule_session", is_group_facilitator | is_org_admin)
rules.add_perm("groups.run_session", is_group_facilitator | is_org_admin)
