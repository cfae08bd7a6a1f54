"""Tokens for the standing personas, and a client that speaks to the API as one of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from commonground.accounts.services import api_token_create
from commonground.testing.personas import Personas

NOTHING = object()
PERSONAS = ("party", "supporter", "admin", "unrelated", "other_org")


class Api:
    """Calls /api/v1/ with a persona's bearer token, or none (`as_=None`)."""

    def __init__(self, client: Client, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def __call__(
        self,
        method: str,
        path: str,
        as_: str | None = "admin",
        body: Any = NOTHING,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        extra: dict[str, str] = dict(headers or {})
        if as_ is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[as_]}"
        data: bytes | str = b""
        if raw is not None:
            data = raw
        elif body is not NOTHING:
            data = json.dumps(body)
        return self.client.generic(
            method.upper(),
            "/api/v1" + path,
            data=data,
            content_type="application/json",
            **extra,
        )

    def get(self, path: str, as_: str | None = "admin", **kwargs: Any) -> Any:
        return self("GET", path, as_, **kwargs)

    def put(self, path: str, body: Any = NOTHING, as_: str | None = "admin", **kwargs: Any) -> Any:
        return self("PUT", path, as_, body=body, **kwargs)

    def post(self, path: str, body: Any = NOTHING, as_: str | None = "admin", **kwargs: Any) -> Any:
        return self("POST", path, as_, body=body, **kwargs)

    def patch(
        self, path: str, body: Any = NOTHING, as_: str | None = "admin", **kwargs: Any
    ) -> Any:
        return self("PATCH", path, as_, body=body, **kwargs)

    def delete(
        self, path: str, body: Any = NOTHING, as_: str | None = "admin", **kwargs: Any
    ) -> Any:
        return self("DELETE", path, as_, body=body, **kwargs)


@pytest.fixture
def tokens(personas: Personas) -> dict[str, str]:
    return {
        name: api_token_create(actor=None, user=person.user, name="Tests")[1]
        for name, person in personas.all().items()
    }


@pytest.fixture
def api(client: Client, tokens: dict[str, str]) -> Api:
    return Api(client, tokens)


def rules_of(response: Any) -> list[str]:
    return [e["rule"] for e in response.json()["errors"]]


def fields_of(response: Any) -> list[str | None]:
    return [e["field"] for e in response.json()["errors"]]


def expect(api: Api, call: Callable[[str | None], Any], expected: dict[str | None, int]) -> None:
    """Make the same call as each persona (None: no token) and compare the status codes."""
    got = {who: call(who).status_code for who in expected}
    assert got == expected
