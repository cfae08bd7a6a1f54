"""Apps list their own API endpoints for the API-wide tests in `tests/api_endpoints.py`:

    ENDPOINTS = [("GET", "/organisations/{slug}/groups", False), ...]   # method, path, takes a body
    VALID = {("POST", "/organisations/{slug}/groups"): {"name": "x", "starts_on": "D"}, ...}
    ID_NAMES = ("group_id", ...)            # the path parameters that are row ids
    fill(personas, values) -> dict          # real ids for its own endpoints (values: the core's)

VALID bodies use "D" for today and "{name}" for a value from fill, as in test_malformed_input.
An app's fill is used only for the endpoints that app lists, so apps cannot clash over a name."""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from types import ModuleType
from typing import Any

from django.conf import settings


@cache
def modules() -> tuple[ModuleType, ...]:
    found = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("commonground."):
            continue
        name = f"{app}.tests.api_endpoints"
        if importlib.util.find_spec(f"{app}.tests") and importlib.util.find_spec(name):
            found.append(importlib.import_module(name))
    return tuple(found)


def endpoints() -> list[tuple[str, str, bool]]:
    return [e for module in modules() for e in module.ENDPOINTS]


def valid_bodies() -> dict[tuple[str, str], dict[str, Any]]:
    return {k: v for module in modules() for k, v in getattr(module, "VALID", {}).items()}


def id_names() -> tuple[str, ...]:
    return tuple(n for module in modules() for n in getattr(module, "ID_NAMES", ()))


def fill_for(path: str, personas: Any, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the ids of the app that lists `path` (its own names win for its paths)."""
    for module in modules():
        if hasattr(module, "fill") and any(listed == path for _, listed, _ in module.ENDPOINTS):
            return values | module.fill(personas, values)
    return values
