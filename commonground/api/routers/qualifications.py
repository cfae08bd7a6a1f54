"""A person's qualifications: courses attended and checks passed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Body, Query, Router, Status

from commonground.api.routers.common import ERRORS, PersonId, RecordId, Slug, actor, person
from commonground.api.schemas import (
    QualificationIn,
    QualificationOut,
    QualificationPatch,
    ReasonIn,
    ReasonQuery,
)
from commonground.people import selectors, services
from commonground.people.models import Qualification

router = Router()


def _qualification(request: HttpRequest, slug: str, person_id: int, qid: int) -> Qualification:
    return selectors.qualification_get(
        actor=actor(request), person=person(request, slug, person_id), pk=qid
    )


@router.get(
    "/organisations/{slug}/people/{person_id}/qualifications",
    response={200: list[QualificationOut], **ERRORS},
    summary="A person's qualifications",
)
def qualification_list(
    request: HttpRequest, slug: Slug, person_id: PersonId
) -> QuerySet[Qualification]:
    return selectors.person_qualifications(
        actor=actor(request), person=person(request, slug, person_id)
    )


@router.post(
    "/organisations/{slug}/people/{person_id}/qualifications",
    response={201: QualificationOut, **ERRORS},
    summary="Record a qualification (admin)",
)
def qualification_record(
    request: HttpRequest, slug: Slug, person_id: PersonId, payload: QualificationIn
) -> Status[Qualification]:
    qualification = services.qualification_record(
        actor=actor(request), person=person(request, slug, person_id), **payload.model_dump()
    )
    return Status(201, qualification)


@router.patch(
    "/organisations/{slug}/people/{person_id}/qualifications/{qid}",
    response={200: QualificationOut, **ERRORS},
    summary="Change a qualification (admin)",
    description="Only the fields sent are changed.",
)
def qualification_patch(
    request: HttpRequest,
    slug: Slug,
    person_id: PersonId,
    qid: RecordId,
    payload: QualificationPatch,
) -> Qualification:
    return services.qualification_update(
        actor=actor(request),
        qualification=_qualification(request, slug, person_id, qid),
        **payload.model_dump(exclude_unset=True),
    )


@router.delete(
    "/organisations/{slug}/people/{person_id}/qualifications/{qid}",
    response={204: None, **ERRORS},
    summary="Remove a qualification (admin)",
    description="Say why, as `reason` in a JSON body or in the query string.",
)
def qualification_delete(
    request: HttpRequest,
    slug: Slug,
    person_id: PersonId,
    qid: RecordId,
    query: Query[ReasonQuery],
    payload: Body[ReasonIn | None] = None,
) -> Status[None]:
    services.qualification_delete(
        actor=actor(request),
        qualification=_qualification(request, slug, person_id, qid),
        reason=payload.reason if payload is not None else query.reason,
    )
    return Status(204, None)
