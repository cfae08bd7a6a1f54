from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from commonground.audit.services import request_context


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy REMOTE_ADDR is the proxy; the proxy sets X-Real-IP, which is
    # trusted only when TRUST_X_REAL_IP says a proxy is there (a client could forge it otherwise).
    if settings.TRUST_X_REAL_IP and request.META.get("HTTP_X_REAL_IP"):
        return str(request.META["HTTP_X_REAL_IP"])
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the client's address available to audit entries written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(client_ip(request)):
            return self.get_response(request)
