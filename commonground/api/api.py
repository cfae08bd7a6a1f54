"""The JSON API: one NinjaAPI, bearer-token authentication, and errors that are always JSON.

Every error answer has the same shape, whatever raised it:

    {"errors": [{"field": "full_name", "rule": "required", "message": "A full name is needed."}]}

A ValidationError from a service and a schema problem in the request are 400; no valid token is
401; PermissionDenied is 403; a record that is missing or that the caller may not know about is
404, the same for both so that nothing leaks. Anything unexpected is logged and answered with a
JSON 500, never the HTML error page.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.operation import Operation
from ninja.security import HttpBearer

from commonground.accounts.services import api_token_authenticate

logger = logging.getLogger(__name__)

DESCRIPTION = """\
The records of the organisations you belong to, with the same need-to-know rules as the pages.

Authenticate with a personal API token (made on your account page) in the header
`Authorization: Bearer cg_…`. Every answer is JSON. An error answer lists what went wrong as
`{"errors": [{"field": …, "rule": …, "message": …}]}`. A record in an organisation you do not
belong to, or one you have no need to know about, is answered exactly as a missing one (404).
"""

Item = dict[str, Any]


class BearerToken(HttpBearer):
    """A personal API token. Session cookies are not accepted by the API."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return api_token_authenticate(token.strip())


class CommonGroundAPI(NinjaAPI):
    def create_response(self, request: HttpRequest, data: Any, **kwargs: Any) -> HttpResponse:
        response = super().create_response(request, data, **kwargs)
        # People's records are never kept by shared caches.
        response.headers["Cache-Control"] = "no-store"
        return response

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # View names are unique across the routers and read well in generated clients.
        return str(operation.view_func.__name__)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._json_outside_operations(pattern.callback)
        # Any other address under the API is a JSON 404, not the site's HTML page.
        patterns.append(re_path(r"^.*$", self._no_such_endpoint, name="api-not-found"))
        return patterns

    def errors_response(
        self, request: HttpRequest, status: int, errors: list[Item]
    ) -> HttpResponse:
        return self.create_response(request, {"errors": errors}, status=status)

    def _no_such_endpoint(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.errors_response(
            request, 404, [error(None, "not_found", "There is no API endpoint at this address.")]
        )

    def _json_outside_operations(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Make the answers ninja gives outside an operation (wrong method, API root) JSON too."""

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                response: HttpResponse = view(request, *args, **kwargs)
            except Http404:
                return self._no_such_endpoint(request)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response.headers.get("Allow", "")
                response = self.errors_response(
                    request,
                    405,
                    [
                        error(
                            None,
                            "method_not_allowed",
                            f"This address does not accept {request.method}; it accepts {allowed}.",
                        )
                    ],
                )
                response.headers["Allow"] = allowed
            response.headers["Cache-Control"] = "no-store"
            return response

        return wrapped


api = CommonGroundAPI(
    title="Common Ground API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    auth=BearerToken(),
)


def error(field: str | None, rule: str, message: str) -> Item:
    return {"field": field, "rule": rule, "message": message}


def _sentence(text: str) -> str:
    text = text.strip() or "This value is not valid"
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _django_message(item: DjangoValidationError) -> str:
    message = str(item.message)
    if item.params:
        with contextlib.suppress(TypeError, ValueError, KeyError):
            message = message % item.params
    return _sentence(message)


@api.exception_handler(DjangoValidationError)
def on_service_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors: list[Item] = []
    if hasattr(exc, "error_dict"):
        for field, items in exc.error_dict.items():
            name = None if field == NON_FIELD_ERRORS else field
            errors += [error(name, item.code or "invalid", _django_message(item)) for item in items]
    else:
        errors = [
            error(None, item.code or "invalid", _django_message(item)) for item in exc.error_list
        ]
    return api.errors_response(request, 400, errors)


# Messages for the schema problems people meet most, in place of the validator's own wording.
SCHEMA_MESSAGES = {
    "missing": "This field is needed.",
    "extra_forbidden": "This field is not known here; check its spelling.",
}
WHOLE_BODY_TYPES = {"model_attributes_type", "model_type", "dict_type"}


@api.exception_handler(SchemaValidationError)
def on_schema_validation_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors: list[Item] = []
    for problem in exc.errors:
        location = [str(part) for part in problem.get("loc", ())]
        source, path = (location[0], location[1:]) if location else ("", [])
        if source == "body" and path and path[0] == "payload":
            path = path[1:]
        field = ".".join(path) or None
        kind = str(problem.get("type", "invalid"))
        if source == "body" and field is None and kind == "missing":
            message = "This request needs a JSON object in its body."
        elif source == "body" and field is None and kind in WHOLE_BODY_TYPES:
            message = "The request body must be a JSON object."
        else:
            message = SCHEMA_MESSAGES.get(kind) or _sentence(str(problem.get("msg", "")))
        errors.append(error(field, kind, message))
    return api.errors_response(request, 400, errors)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        response = api.errors_response(
            request,
            401,
            [
                error(
                    None,
                    "authentication_required",
                    "Send a live personal API token in the header “Authorization: Bearer cg_…”.",
                )
            ],
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return api.errors_response(
            request, 400, [error(None, "malformed_json", "The request body is not valid JSON.")]
        )
    rules = {400: "bad_request", 403: "permission_denied", 404: "not_found", 429: "throttled"}
    return api.errors_response(
        request,
        exc.status_code,
        [error(None, rules.get(exc.status_code, "error"), _sentence(str(exc)))],
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = _sentence(str(exc)) if str(exc) else "You may not do this."
    return api.errors_response(request, 403, [error(None, "permission_denied", message)])


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = _sentence(str(exc)) if str(exc) else "There is no such record."
    return api.errors_response(request, 404, [error(None, "not_found", message)])


@api.exception_handler(SuspiciousOperation)
def on_suspicious_request(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return api.errors_response(
            request, 413, [error(None, "body_too_large", "The request body is too large.")]
        )
    return api.errors_response(
        request, 400, [error(None, "bad_request", "The request could not be understood.")]
    )


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected error in %s %s", request.method, request.path)
    return api.errors_response(
        request,
        500,
        [
            error(
                None,
                "server_error",
                "Something went wrong on our side. Please try again later.",
            )
        ],
    )


def _register_routers() -> None:
    from commonground.api.routers import (
        audit,
        casework,
        groups,
        groupsessions,
        joining,
        me,
        obligations,
        organisations,
        peers,
        people,
        policies,
        qualifications,
        resolution,
        roles,
        swgroup,
    )

    api.add_router("", me.router, tags=["me"])
    api.add_router("", organisations.router, tags=["organisations"])
    api.add_router("", people.router, tags=["people"])
    api.add_router("", roles.router, tags=["roles"])
    api.add_router("", qualifications.router, tags=["qualifications"])
    api.add_router("", audit.router, tags=["audit"])
    api.add_router("", policies.router, tags=["policies"])
    api.add_router("", obligations.router, tags=["obligations"])
    api.add_router("", casework.router, tags=["casework"])
    api.add_router("", resolution.router, tags=["resolution"])
    api.add_router("", swgroup.router, tags=["sw-group"])
    api.add_router("", groups.router, tags=["groups"])
    api.add_router("", joining.router, tags=["joining"])
    api.add_router("", groupsessions.router, tags=["group-sessions"])
    api.add_router("", peers.router, tags=["peers"])


_register_routers()
