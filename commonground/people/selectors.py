"""Reads of organisations and people, already filtered by what the actor may see.

Each `*_get` returns the record or raises Http404 for anyone without need to know, so that
another organisation's records, and records one may not see, look exactly like missing ones.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.services import audit_read
from commonground.people.models import (
    MembershipChange,
    Organisation,
    Person,
    Qualification,
    RoleAssignment,
)

CONFIDENTIAL_PERSON_FIELDS = ("gender", "support_needs")


def organisation_get(*, actor: Any, slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not actor.has_perm("people.view_organisation", organisation):
        raise Http404("No such organisation.")
    return organisation


def current_roles_prefetch() -> Prefetch[Any]:
    today = timezone.localdate()
    return Prefetch(
        "roles",
        queryset=RoleAssignment.objects.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("role"),
        to_attr="current_roles",
    )


def people_directory(
    *,
    actor: Any,
    organisation: Organisation,
    search: str = "",
    role: str = "",
    status: str = "",
) -> QuerySet[Person]:
    """The organisation's people for those who coordinate them; the same queries for any size."""
    if not actor.has_perm("people.view_directory", organisation):
        raise PermissionDenied("The people directory is for those who coordinate people.")
    people = Person.objects.filter(organisation=organisation)
    if search:
        matches = Q(full_name__icontains=search) | Q(preferred_name__icontains=search)
        # Only those who may see everyone's contact details may find people by email address.
        if actor.has_perm("people.export_people", organisation):
            matches |= Q(email__icontains=search)
        people = people.filter(matches)
    if role:
        today = timezone.localdate()
        people = people.filter(
            Q(roles__ends_on__isnull=True) | Q(roles__ends_on__gte=today),
            roles__role=role,
            roles__starts_on__lte=today,
        ).distinct()
    if status:
        people = people.filter(membership_status=status)
    return (
        people.select_related("user")
        .prefetch_related(current_roles_prefetch())
        .order_by("full_name", "pk")
    )


def person_get(*, actor: Any, organisation: Organisation, pk: int) -> Person:
    person = (
        Person.objects.filter(organisation=organisation, pk=pk)
        .select_related("organisation", "user")
        .first()
    )
    if person is None or not actor.has_perm("people.view_person", person):
        raise Http404("No such person.")
    return person


def person_roles(*, actor: Any, person: Person) -> QuerySet[RoleAssignment]:
    if not actor.has_perm("people.view_person", person):
        raise Http404
    return person.roles.select_related("created_by").order_by("-starts_on", "role")


def person_qualifications(*, actor: Any, person: Person) -> QuerySet[Qualification]:
    if not actor.has_perm("people.view_person", person):
        raise Http404
    return person.qualifications.order_by("kind", "-obtained_on")


def person_membership_history(*, actor: Any, person: Person) -> QuerySet[MembershipChange]:
    if not actor.has_perm("people.view_person", person):
        raise Http404
    return person.membership_changes.select_related("recorded_by")


def person_confidential(
    *, actor: Any, person: Person, reason: str = "", break_glass: bool = False
) -> dict[str, str]:
    """The person's confidential attributes. Every call is a read on the audit log."""
    if break_glass:
        if not actor.has_perm("people.break_glass_person", person):
            raise PermissionDenied("Break-glass access is for the safeguarding lead.")
        if not reason.strip():
            raise PermissionDenied("Break-glass access needs a reason.")
    elif not actor.has_perm("people.view_confidential", person):
        raise PermissionDenied(
            "You do not have need to know for this person's confidential details."
        )
    audit_read(
        actor=actor,
        organisation=person.organisation,
        instance=person,
        fields=CONFIDENTIAL_PERSON_FIELDS,
        reason=reason,
        break_glass=break_glass,
    )
    return {
        "gender": person.get_gender_display() if person.gender else "",
        "gender_value": person.gender,
        "support_needs": person.support_needs,
    }


def qualification_get(*, actor: Any, person: Person, pk: int) -> Qualification:
    qualification = Qualification.objects.filter(person=person, pk=pk).first()
    if qualification is None or not actor.has_perm("people.view_qualification", qualification):
        raise Http404("No such qualification.")
    return qualification


def role_assignment_get(*, actor: Any, person: Person, pk: int) -> RoleAssignment:
    assignment = RoleAssignment.objects.filter(person=person, pk=pk).first()
    if assignment is None or not actor.has_perm("people.view_roleassignment", assignment):
        raise Http404("No such role.")
    return assignment


def actor_person(*, actor: Any, organisation: Organisation) -> Person | None:
    return standing(actor, organisation).person
