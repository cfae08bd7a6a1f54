"""Who may see and do what on the way in (autodiscovered by `rules`).

- facilitators (of any group, or holding the facilitator role) and the admin bring peers in:
  they see the way-in list and every journey, record enquiries and workshops (PSP-1);
- the initial conversation (PSP-2), the name-check (PSP-3) and joining are the chosen group's:
  its facilitators and the admin (`groups.change_members`), who alone see its members' names;
- a peer sees their own journey and declares the people they know for themselves, and never
  learns who is in a group or whether a name matched;
- everyone else in the organisation is answered as if the journey did not exist.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for
from commonground.people.roles import Role


@rules.predicate
def brings_peers_in(user: Any, obj: Any) -> bool:
    mine = standing_for(user, obj)
    if mine.is_admin or mine.has(Role.FACILITATOR):
        return True
    if mine.person is None:
        return False
    from commonground.groups.selectors import facilitated_group_ids

    return bool(facilitated_group_ids(mine.person.pk, organisation_id=mine.organisation_id))


@rules.predicate
def is_journey_person(user: Any, obj: Any) -> bool:
    journey = getattr(obj, "journey", obj)
    own = standing_for(user, journey).person
    return own is not None and journey is not None and own.pk == journey.person_id


rules.add_perm("joining.view_way_in", brings_peers_in)
rules.add_perm("joining.record_enquiry", brings_peers_in)
rules.add_perm("joining.view_journey", is_journey_person | brings_peers_in)
rules.add_perm("joining.manage_journey", brings_peers_in)
# PSP-3: the peer declares for themselves, or a facilitator writes down what they said.
rules.add_perm("joining.declare_names", is_journey_person | brings_peers_in)
