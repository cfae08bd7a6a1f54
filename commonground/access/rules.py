"""Permission predicates, one per record type and action (autodiscovered by `rules`).

Names follow Django's "<app>.<action>_<model>" so views, API and exports all say
`user.has_perm("people.view_person", person)`.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for


def _is_self(user: Any, person: Any) -> bool:
    own = standing_for(user, person).person
    return own is not None and person is not None and own.pk == person.pk


@rules.predicate
def belongs(user: Any, obj: Any) -> bool:
    return standing_for(user, obj).belongs


@rules.predicate
def is_org_admin(user: Any, obj: Any) -> bool:
    return standing_for(user, obj).is_admin


@rules.predicate
def sees_directory(user: Any, obj: Any) -> bool:
    return standing_for(user, obj).sees_directory


@rules.predicate
def is_self(user: Any, person: Any) -> bool:
    return _is_self(user, person)


@rules.predicate
def is_own_record(user: Any, record: Any) -> bool:
    """The record (a role, a qualification) belongs to the actor's own person."""
    return _is_self(user, getattr(record, "person", None))


@rules.predicate
def is_safeguarding_lead(user: Any, obj: Any) -> bool:
    return standing_for(user, obj).has("safeguarding_lead")


# Organisations
rules.add_perm("people.view_organisation", belongs)
rules.add_perm("people.change_organisation", is_org_admin)
rules.add_perm("people.view_directory", sees_directory)
rules.add_perm("people.add_person", is_org_admin)
rules.add_perm("people.export_people", is_org_admin)
rules.add_perm("audit.view_auditentry", is_org_admin)

# People. The directory shows names, pronouns and roles to those who coordinate people.
rules.add_perm("people.view_person", is_self | sees_directory)
# Contact details: the person and the admin (modules grant their own supporters more).
rules.add_perm("people.view_contact", is_self | is_org_admin)
# Confidential attributes (support needs, gender): the person and the admin; every read is
# audited. The safeguarding lead may break glass with a reason, and that is reported.
rules.add_perm("people.view_confidential", is_self | is_org_admin)
rules.add_perm("people.break_glass_person", is_safeguarding_lead & ~is_self)
rules.add_perm("people.change_person", is_org_admin)
# A person may keep their own name, pronouns and contact preferences up to date.
rules.add_perm("people.change_own_details", is_self)
rules.add_perm("people.change_membership", is_org_admin & ~is_self)
rules.add_perm("people.invite_person", is_org_admin)

# Roles and qualifications are managed by the admin and seen with the person.
rules.add_perm("people.view_roleassignment", is_own_record | sees_directory)
rules.add_perm("people.manage_roles", is_org_admin)
rules.add_perm("people.view_qualification", is_own_record | sees_directory)
rules.add_perm("people.manage_qualifications", is_org_admin)

# Policies: everyone in the organisation may read the rules in force; the admin changes numbers.
rules.add_perm("policies.view_policy", belongs)
rules.add_perm("policies.change_policy", is_org_admin)


@rules.predicate
def is_assignee(user: Any, obligation: Any) -> bool:
    own = standing_for(user, obligation).person
    return own is not None and obligation.assignees.filter(pk=own.pk).exists()


@rules.predicate
def oversees(user: Any, obligation: Any) -> bool:
    role = getattr(obligation, "oversight_role", "")
    return bool(role) and standing_for(user, obligation).has(role)


# Obligations: those who must act, those who oversee them, and the admin.
rules.add_perm("obligations.view_obligation", is_assignee | oversees | is_org_admin)
rules.add_perm("obligations.waive_obligation", oversees | is_org_admin)
