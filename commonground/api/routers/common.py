"""What every router needs: the caller, the error responses, and the lookups by address."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path

from commonground.api.schemas import MAX_ID, ErrorsOut
from commonground.people import selectors
from commonground.people.models import Organisation, Person

# The error answers an endpoint can give, for the OpenAPI document.
ERRORS: dict[int, type[ErrorsOut]] = {
    400: ErrorsOut,
    401: ErrorsOut,
    403: ErrorsOut,
    404: ErrorsOut,
}

Slug = Annotated[
    str,
    Path(
        max_length=60,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="The organisation's short address name.",
    ),
]
PersonId = Annotated[int, Path(ge=1, le=MAX_ID, description="The person's id.")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


def actor(request: HttpRequest) -> Any:
    """The user whose token authenticated this request (never the session's user)."""
    return request.auth  # type: ignore[attr-defined]


def organisation(request: HttpRequest, slug: str) -> Organisation:
    return selectors.organisation_get(actor=actor(request), slug=slug)


def person(request: HttpRequest, slug: str, person_id: int) -> Person:
    return selectors.person_get(
        actor=actor(request), organisation=organisation(request, slug), pk=person_id
    )
