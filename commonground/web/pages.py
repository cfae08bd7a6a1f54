"""What every organisation page shares: sign-in required, impossible ids are 404s, and a
refusal is a calm 403 page that says why and leads back to the organisation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.people.models import Organisation
from commonground.people.selectors import organisation_get

# The largest primary key the databases accept; anything bigger cannot exist.
MAX_PK = 2**63 - 1

View = Callable[..., HttpResponse]


def organisation_page(view: View) -> View:
    """For views under /o/<org>/: login required, ids too large to exist are 404s, and
    PermissionDenied becomes the 403 page in the organisation's context."""

    @wraps(view)
    def wrapped(request: HttpRequest, org: str, **kwargs: Any) -> HttpResponse:
        if any(isinstance(v, int) and v > MAX_PK for v in kwargs.values()):
            raise Http404("No such record.")
        try:
            return view(request, org, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, org, str(exc))

    return login_required(wrapped)


def forbidden(request: HttpRequest, slug: str, message: str) -> HttpResponse:
    try:
        organisation: Organisation | None = organisation_get(actor=request.user, slug=slug)
    except Http404:
        organisation = None
    context = {
        "current_organisation": organisation,
        "organisation": organisation,
        "exception": message or "You do not have permission to do this.",
    }
    return render(request, "403.html", context, status=403)


def can(request: HttpRequest, perm: str, obj: Any) -> bool:
    return bool(request.user.has_perm(perm, obj))


def organisation_render(
    request: HttpRequest,
    template: str,
    organisation: Organisation | None,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """Render an organisation's page: the header marks the organisation as the current one."""
    base = {"current_organisation": organisation, "organisation": organisation}
    return render(request, template, base | context, status=status)


def page_renderer(app: str) -> Callable[..., HttpResponse]:
    """`_page(request, "detail.html", organisation, context)` for one app's templates folder."""

    def page(
        request: HttpRequest,
        template: str,
        organisation: Organisation | None,
        context: dict[str, Any],
        status: int = 200,
    ) -> HttpResponse:
        return organisation_render(request, f"{app}/{template}", organisation, context, status)

    return page
