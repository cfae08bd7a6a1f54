"""The roles a person holds, from one date to another."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from commonground.api.routers.common import ERRORS, PersonId, RecordId, Slug, actor, person
from commonground.api.schemas import RoleAssignmentIn, RoleAssignmentOut, RoleEndIn
from commonground.people import selectors, services
from commonground.people.models import RoleAssignment

router = Router()


@router.get(
    "/organisations/{slug}/people/{person_id}/roles",
    response={200: list[RoleAssignmentOut], **ERRORS},
    summary="A person's roles, past and present",
)
def role_list(request: HttpRequest, slug: Slug, person_id: PersonId) -> QuerySet[RoleAssignment]:
    return selectors.person_roles(actor=actor(request), person=person(request, slug, person_id))


@router.post(
    "/organisations/{slug}/people/{person_id}/roles",
    response={201: RoleAssignmentOut, **ERRORS},
    summary="Give a person a role (admin)",
)
def role_assign(
    request: HttpRequest, slug: Slug, person_id: PersonId, payload: RoleAssignmentIn
) -> Status[RoleAssignment]:
    assignment = services.role_assign(
        actor=actor(request),
        person=person(request, slug, person_id),
        role=payload.role,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        note=payload.note,
    )
    return Status(201, assignment)


@router.post(
    "/organisations/{slug}/people/{person_id}/roles/{role_id}/end",
    response={200: RoleAssignmentOut, **ERRORS},
    summary="End a role (admin)",
)
def role_end(
    request: HttpRequest, slug: Slug, person_id: PersonId, role_id: RecordId, payload: RoleEndIn
) -> RoleAssignment:
    user = actor(request)
    assignment = selectors.role_assignment_get(
        actor=user, person=person(request, slug, person_id), pk=role_id
    )
    return services.role_end(
        actor=user,
        assignment=assignment,
        ends_on=payload.ends_on or timezone.localdate(),
        reason=payload.reason,
    )
