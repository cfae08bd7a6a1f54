from __future__ import annotations

import json

import pytest
from django.test import Client

from commonground.api.tests.app_endpoints import endpoints as app_endpoints
from commonground.api.tests.endpoints import ENDPOINTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client: Client) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return dict(json.loads(response.content))


def test_it_is_an_openapi_document_titled_for_the_api(document: dict) -> None:  # type: ignore[type-arg]
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Common Ground API"


def test_it_describes_bearer_authentication(document: dict) -> None:  # type: ignore[type-arg]
    schemes = document["components"]["securitySchemes"]
    assert schemes == {"BearerToken": {"type": "http", "scheme": "bearer"}}


def test_it_lists_every_route_and_no_other(document: dict) -> None:  # type: ignore[type-arg]
    listed = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert listed == {(method, path) for method, path, _ in [*ENDPOINTS, *app_endpoints()]}


def test_every_operation_needs_the_token_and_has_typed_answers(document: dict) -> None:  # type: ignore[type-arg]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation["security"] == [{"BearerToken": []}], where
            assert operation["summary"], where
            responses = operation["responses"]
            success = [code for code in responses if code.startswith("2")]
            assert len(success) == 1, where
            if success != ["204"]:
                assert "schema" in responses[success[0]]["content"]["application/json"], where
            for code in ("400", "401", "403", "404"):
                schema = responses[code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorsOut"}, where


def test_write_operations_describe_their_bodies(document: dict) -> None:  # type: ignore[type-arg]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in {"post", "patch"}:
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                assert "$ref" in body, f"{method} {path}"


def test_the_error_shape_is_described(document: dict) -> None:  # type: ignore[type-arg]
    schemas = document["components"]["schemas"]
    assert schemas["ErrorsOut"]["properties"]["errors"]["items"] == {
        "$ref": "#/components/schemas/ErrorItem"
    }
    assert set(schemas["ErrorItem"]["properties"]) == {"field", "rule", "message"}


def test_confidential_values_appear_only_in_the_confidential_schema(document: dict) -> None:  # type: ignore[type-arg]
    for name, schema in document["components"]["schemas"].items():
        properties = set(schema.get("properties", {}))
        if name != "ConfidentialOut":
            assert not properties & {"support_needs", "gender", "gender_value"}, name
        if name.endswith("Out"):
            assert "reference" not in properties, name


def test_the_interactive_docs_are_off(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 404
    assert response.json()["errors"][0]["rule"] == "not_found"
