from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from commonground.access.policy import holds_confidential_role

# Pages a person must reach to set up their second factor or leave.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/")


class RequireMFAMiddleware:
    """Anyone whose role lets them see confidential records must set up a second factor first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_set_up(request):
            messages.warning(
                request,
                "Your role lets you see confidential records, so your account needs a second "
                "step at sign-in. Set up an authenticator app to continue.",
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up(self, request: HttpRequest) -> bool:
        if not settings.MFA_REQUIRED_FOR_CONFIDENTIAL_ROLES:
            return False
        user = request.user
        if not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return False
        if not holds_confidential_role(user):
            return False
        return not Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
