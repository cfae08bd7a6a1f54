"""One's own account: organisations and roles, second factor, password, personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from commonground.accounts import selectors, services
from commonground.accounts.forms import ApiTokenCreateForm


@login_required
@require_http_methods(["GET", "HEAD"])
def account_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    tokens = selectors.api_tokens_of(user)
    return render(
        request,
        "accounts/account_home.html",
        {
            "memberships": selectors.memberships_of(user),
            "second_factor_kinds": selectors.second_factor_kinds(user),
            "second_factor_required": selectors.second_factor_required(user),
            "live_token_count": tokens.filter(revoked_at__isnull=True).count(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            # Rendered, not redirected: the token exists only in this response, which
            # never_cache marks no-store so neither the browser nor a proxy keeps it.
            return render(
                request, "accounts/token_created.html", {"token": token, "raw_token": raw}
            )
    return render(
        request,
        "accounts/token_list.html",
        {"tokens": selectors.api_tokens_of(request.user), "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_of(request.user, pk)
    if token.is_live:
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"The token “{token.name}” is revoked and no longer works.")
    return HttpResponseRedirect(reverse("token_list"))
