"""People in an organisation: the directory, a person's details, their confidential record and
their membership."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from commonground.api.pagination import paginate
from commonground.api.routers.common import ERRORS, PersonId, Slug, actor, organisation, person
from commonground.api.schemas import (
    ConfidentialOut,
    ConfidentialQuery,
    MembershipChangeIn,
    MembershipChangeOut,
    PeopleQuery,
    PersonCreate,
    PersonOut,
    PersonPageOut,
    PersonPatch,
)
from commonground.people import selectors, services
from commonground.people.models import MembershipChange, Person

router = Router()


def person_out(request: HttpRequest, record: Person) -> dict[str, Any]:
    """A person's details; the contact details only for those who may see them."""
    contact = None
    if actor(request).has_perm("people.view_contact", record):
        contact = {
            "email": record.email,
            "phone": record.phone,
            "postal_address": record.postal_address,
            "contact_channels": record.contact_channels,
        }
    return {
        "id": record.pk,
        "full_name": record.full_name,
        "preferred_name": record.preferred_name,
        "display_name": record.display_name,
        "pronouns": record.pronouns,
        "membership_status": record.membership_status,
        "membership_since": record.membership_since,
        "has_login": record.user_id is not None,
        "contact": contact,
    }


@router.get(
    "/organisations/{slug}/people",
    response={200: PersonPageOut, **ERRORS},
    summary="The people directory",
    description="For those who coordinate people: names, pronouns and current roles.",
)
def people_list(request: HttpRequest, slug: Slug, filters: Query[PeopleQuery]) -> dict[str, Any]:
    people = selectors.people_directory(
        actor=actor(request),
        organisation=organisation(request, slug),
        search=filters.q.strip(),
        role=filters.role or "",
        status=filters.status or "",
    )
    return paginate(people, filters)


@router.post(
    "/organisations/{slug}/people",
    response={201: PersonOut, **ERRORS},
    summary="Add a person (admin)",
)
def person_create(request: HttpRequest, slug: Slug, payload: PersonCreate) -> Status[Any]:
    created = services.person_create(
        actor=actor(request),
        organisation=organisation(request, slug),
        **payload.model_dump(),
    )
    return Status(201, person_out(request, created))


@router.get(
    "/organisations/{slug}/people/{person_id}",
    response={200: PersonOut, **ERRORS},
    summary="A person",
    description="Contact details are included only for the person and the admin; "
    "confidential attributes never are (see the confidential endpoint).",
)
def person_detail(request: HttpRequest, slug: Slug, person_id: PersonId) -> dict[str, Any]:
    return person_out(request, person(request, slug, person_id))


@router.patch(
    "/organisations/{slug}/people/{person_id}",
    response={200: PersonOut, **ERRORS},
    summary="Change a person's details",
    description="The admin may change any of these; a person may change their own preferred "
    "name, pronouns and contact details. Only the fields sent are changed.",
)
def person_patch(
    request: HttpRequest, slug: Slug, person_id: PersonId, payload: PersonPatch
) -> dict[str, Any]:
    updated = services.person_update(
        actor=actor(request),
        person=person(request, slug, person_id),
        **payload.model_dump(exclude_unset=True),
    )
    return person_out(request, updated)


@router.get(
    "/organisations/{slug}/people/{person_id}/confidential",
    response={200: ConfidentialOut, **ERRORS},
    summary="A person's confidential attributes",
    description="For the person and the admin; every read is written to the audit log. "
    "The safeguarding lead may break glass with a reason, and that is reported.",
)
def person_confidential(
    request: HttpRequest, slug: Slug, person_id: PersonId, access: Query[ConfidentialQuery]
) -> dict[str, str]:
    return selectors.person_confidential(
        actor=actor(request),
        person=person(request, slug, person_id),
        reason=access.reason,
        break_glass=access.break_glass,
    )


@router.post(
    "/organisations/{slug}/people/{person_id}/membership",
    response={201: MembershipChangeOut, **ERRORS},
    summary="Change a person's membership (admin)",
)
def membership_change(
    request: HttpRequest, slug: Slug, person_id: PersonId, payload: MembershipChangeIn
) -> Status[MembershipChange]:
    change = services.membership_change(
        actor=actor(request),
        person=person(request, slug, person_id),
        status=payload.status,
        effective_on=payload.effective_on,
        reason=payload.reason,
    )
    return Status(201, change)
