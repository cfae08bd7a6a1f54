"""Who may see and do what: the need-to-know rules, written once.

Every page, API endpoint and export asks these questions, through `rules` permissions
(`actor.has_perm("people.view_person", person)`) or the queryset filters below for lists.
Anything not granted here is refused: default deny.

An actor's standing in an organisation comes from their Person record there (linked to their
login) and the roles that person holds today. It is computed once per request and organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import CONFIDENTIAL_ROLES, DIRECTORY_ROLES, Role


@dataclass(frozen=True)
class Standing:
    """What the actor is in one organisation: their own person record and current roles."""

    organisation_id: int
    person: Person | None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def belongs(self) -> bool:
        return self.person is not None

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_admin(self) -> bool:
        return Role.ORG_ADMIN in self.roles

    @property
    def sees_directory(self) -> bool:
        return bool(self.roles & DIRECTORY_ROLES)


NO_STANDING = Standing(organisation_id=0, person=None)


def organisation_id_of(obj: Any) -> int | None:
    if isinstance(obj, Organisation):
        return obj.pk
    org_id = getattr(obj, "organisation_id", None)
    return int(org_id) if org_id is not None else None


def standing(user: Any, organisation: Organisation | int | None) -> Standing:
    """The actor's standing in `organisation`, cached on the user object for this request."""
    if organisation is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_STANDING
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    cache: dict[int, Standing] = user.__dict__.setdefault("_cg_standing", {})
    if org_id not in cache:
        person = Person.objects.filter(organisation_id=org_id, user=user).first()
        roles: frozenset[str] = frozenset()
        if person is not None:
            roles = frozenset(
                RoleAssignment.objects.current()
                .filter(person=person)
                .values_list("role", flat=True)
            )
        cache[org_id] = Standing(organisation_id=org_id, person=person, roles=roles)
    return cache[org_id]


def forget_standing(user: Any) -> None:
    """Drop the cached standing, after the actor's own roles changed."""
    user.__dict__.pop("_cg_standing", None)


def standing_for(user: Any, obj: Model | None) -> Standing:
    return standing(user, organisation_id_of(obj))


def holds_confidential_role(user: Any) -> bool:
    """Whether any of the user's people currently holds a role that sees confidential records."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        RoleAssignment.objects.current()
        .filter(person__user=user, role__in=CONFIDENTIAL_ROLES)
        .exists()
    )


def organisations_of(user: Any) -> list[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Organisation.objects.filter(people__user=user).distinct().order_by("name"))
