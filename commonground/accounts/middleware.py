from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from commonground.accounts.selectors import has_second_factor, second_factor_required

# Pages a person must reach to set up their second factor or leave (allauth lives under
# /accounts/), and what never needs a browser session.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/")


class RequireMFAMiddleware:
    """Anyone whose role lets them see confidential records must set up a second factor first.

    Until they do, every other page sends them to the authenticator app setup page.
    """

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
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path_info.startswith(OPEN_PREFIXES):
            return False
        return second_factor_required(user) and not has_second_factor(user)
