"""Who may see and do what with agreements (autodiscovered by `rules`).

Parties see their agreement; supporters (a supporter party, or whoever the attached record's
module names) see and run it; the organisation admin sees and runs all of them. A party signs,
and notes disagreement, only as themselves. Everyone else is refused, and pages answer 404.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for
from commonground.access.rules import is_org_admin
from commonground.agreements.supporters import subject_supporter_ids, supporter_person_ids


def _own_person_id(user: Any, obj: Any) -> int | None:
    own = standing_for(user, obj).person
    return own.pk if own is not None else None


@rules.predicate
def is_party(user: Any, agreement: Any) -> bool:
    own = _own_person_id(user, agreement)
    return own is not None and any(p.person_id == own for p in agreement.parties.all())


@rules.predicate
def is_supporter(user: Any, agreement: Any) -> bool:
    own = _own_person_id(user, agreement)
    return own is not None and own in supporter_person_ids(agreement)


@rules.predicate
def supports_subject(user: Any, ref: Any) -> bool:
    own = _own_person_id(user, ref)
    return own is not None and own in subject_supporter_ids(
        ref.organisation_id, ref.subject_type, ref.subject_id
    )


@rules.predicate
def is_own_party(user: Any, party: Any) -> bool:
    own = _own_person_id(user, party.agreement)
    return own is not None and party.person_id == own


@rules.predicate
def party_must_sign(user: Any, party: Any) -> bool:
    return bool(party.must_sign)


rules.add_perm("agreements.add_agreement", is_org_admin | supports_subject)
rules.add_perm("agreements.view_agreement", is_party | is_supporter | is_org_admin)
rules.add_perm("agreements.manage_agreement", is_supporter | is_org_admin)
# A copy for each party (WCC-8), under the same rule as the page.
rules.add_perm("agreements.export_agreement", is_party | is_supporter | is_org_admin)
# Nobody signs, or initials a disagreement, for someone else.
rules.add_perm("agreements.sign_agreement", is_own_party & party_must_sign)
rules.add_perm("agreements.note_disagreement", is_own_party & party_must_sign)
