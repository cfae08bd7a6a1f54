"""The organisations the caller belongs to, and their settings."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from commonground.access.policy import organisations_of
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import OrganisationOut, OrganisationPatch
from commonground.people import services
from commonground.people.models import Organisation

router = Router()


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **ERRORS},
    summary="The organisations you belong to",
)
def organisation_list(request: HttpRequest) -> list[Organisation]:
    return organisations_of(actor(request))


@router.get(
    "/organisations/{slug}", response={200: OrganisationOut, **ERRORS}, summary="An organisation"
)
def organisation_detail(request: HttpRequest, slug: Slug) -> Organisation:
    return organisation(request, slug)


@router.patch(
    "/organisations/{slug}",
    response={200: OrganisationOut, **ERRORS},
    summary="Change an organisation's settings (admin)",
    description="Only the fields sent are changed.",
)
def organisation_patch(
    request: HttpRequest, slug: Slug, payload: OrganisationPatch
) -> Organisation:
    return services.organisation_update(
        actor=actor(request),
        organisation=organisation(request, slug),
        **payload.model_dump(exclude_unset=True),
    )
