"""Who may see and do what in the peers module (autodiscovered by `rules`).

- every member of the organisation reads its Guidelines for Behaviour; the admin keeps them;
- a group's members and facilitators read its guidelines and may propose one (PSP-5); who
  proposed it is shown to the group's facilitators and the admin only; the group's facilitators
  record the group's decisions and reviews;
- a peer sends their own apologies and says they are leaving; the group's facilitators record a
  text message or call on a peer's behalf (PSP-10); absences are for the group's facilitators and
  the admin; recording news of an absent peer is for the group's facilitators;
- eligibility under the objects (PSP-11) is recorded by facilitators and the admin; finding
  someone no longer eligible, which ends their group memberships, by the admin only;
- anyone in the organisation may become a member of the charity (PSP-12); donations are the
  admin's.
"""

from __future__ import annotations

import rules

from commonground.access.rules import belongs, is_org_admin
from commonground.groups.rules import is_facilitator, is_group_facilitator, is_group_member

rules.add_perm("peers.view_behaviour_guidelines", belongs)
rules.add_perm("peers.change_behaviour_guidelines", is_org_admin)
rules.add_perm("peers.view_group_guidelines", is_group_member | is_group_facilitator | is_org_admin)
rules.add_perm("peers.propose_guideline", is_group_member | is_group_facilitator)
rules.add_perm("peers.view_proposer", is_group_facilitator | is_org_admin)
rules.add_perm("peers.decide_guideline", is_group_facilitator)
rules.add_perm("peers.keep_in_touch", is_group_member)
rules.add_perm("peers.record_for_peer", is_group_facilitator)
rules.add_perm("peers.view_absences", is_group_facilitator | is_org_admin)
rules.add_perm("peers.record_news", is_group_facilitator)
rules.add_perm("peers.check_eligibility", is_facilitator | is_org_admin)
rules.add_perm("peers.end_eligibility", is_org_admin)
rules.add_perm("peers.join_charity", belongs)
rules.add_perm("peers.view_charity_members", is_org_admin)
rules.add_perm("peers.manage_donations", is_org_admin)
