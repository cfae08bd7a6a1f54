from __future__ import annotations

import pytest

from commonground.accounts.models import ApiToken
from commonground.accounts.services import api_token_revoke
from commonground.api.tests.conftest import Api, rules_of
from commonground.testing.factories import PASSWORD
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_it_accepts_a_live_token(api: Api) -> None:
    response = api.get("/me", as_="party")
    assert response.status_code == 200
    assert response.json()["email"] == "party@example.test"


def test_it_refuses_a_request_without_a_token(api: Api) -> None:
    response = api.get("/me", as_=None)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"] == "Bearer"
    assert rules_of(response) == ["authentication_required"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cg_not-a-real-token",
        "Bearer ",
        "Bearer",
        "Token cg_abc",
        "Basic dXNlcjpwYXNz",
        "cg_abc",
        "Bearer " + "x" * 10_000,
    ],
)
def test_it_refuses_a_bad_authorization_header(api: Api, header: str) -> None:
    response = api.get("/me", as_=None, headers={"HTTP_AUTHORIZATION": header})
    assert response.status_code == 401
    assert rules_of(response) == ["authentication_required"]


def test_it_refuses_a_revoked_token(api: Api, personas: Personas) -> None:
    user = personas.party.user
    for token in ApiToken.objects.filter(user=user):
        api_token_revoke(actor=user, token=token)
    assert api.get("/me", as_="party").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_login(api: Api, personas: Personas) -> None:
    user = personas.party.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api.get("/me", as_="party").status_code == 401


def test_it_ignores_a_signed_in_session(api: Api, personas: Personas) -> None:
    api.client.login(email="party@example.test", password=PASSWORD)
    assert api.get("/me", as_=None).status_code == 401


def test_it_does_not_need_a_csrf_token_for_writes(
    personas: Personas, tokens: dict[str, str]
) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        "/api/v1/organisations/riverside",
        data='{"description": "We run a co-op."}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['admin']}",
    )
    assert response.status_code == 200


def test_its_answers_are_not_cached(api: Api) -> None:
    assert api.get("/me", as_="party")["Cache-Control"] == "no-store"
    assert api.get("/me", as_=None)["Cache-Control"] == "no-store"
