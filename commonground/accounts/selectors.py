"""Reads about one's own login: memberships, second factor, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from commonground.access.policy import holds_confidential_role
from commonground.accounts.models import ApiToken
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import CONFIDENTIAL_ROLES

# Authenticators that are a second step in their own right (recovery codes only back them up).
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


@dataclass(frozen=True)
class Membership:
    """The user's person record in one organisation, and the roles it holds today."""

    organisation: Organisation
    person: Person
    roles: list[RoleAssignment]

    @property
    def needs_second_factor(self) -> bool:
        return any(r.role in CONFIDENTIAL_ROLES for r in self.roles)


def memberships_of(user: Any) -> list[Membership]:
    """Every organisation the user belongs to, with their current roles there, by name."""
    people = (
        Person.objects.filter(user=user)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "roles",
                queryset=RoleAssignment.objects.current().order_by("role"),
                to_attr="current_roles",
            )
        )
        .order_by("organisation__name")
    )
    return [
        Membership(
            organisation=p.organisation,
            person=p,
            roles=list(p.current_roles),  # type: ignore[attr-defined]  # the Prefetch above
        )
        for p in people
    ]


def has_second_factor(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def second_factor_required(user: Any) -> bool:
    """Whether the user's current roles oblige them to sign in with a second factor."""
    if not settings.MFA_REQUIRED_FOR_CONFIDENTIAL_ROLES:
        return False
    return holds_confidential_role(user)


def second_factor_kinds(user: Any) -> list[str]:
    """Plain names of the second factors the user has set up."""
    types = set(
        Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).values_list(
            "type", flat=True
        )
    )
    kinds = []
    if Authenticator.Type.TOTP in types:
        kinds.append("an authenticator app")
    if Authenticator.Type.WEBAUTHN in types:
        kinds.append("a passkey or security key")
    return kinds


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """Live tokens first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at"
    )


def api_token_of(user: Any, pk: int) -> ApiToken:
    """The user's own token, or a 404 (someone else's token does not exist for them)."""
    return get_object_or_404(ApiToken, pk=pk, user=user)
