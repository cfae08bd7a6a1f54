"""Apps add their own pages to the access matrix with a `tests/access_rows.py` module:

    ROWS = {"casework:case_detail": row(302, 200, 200, 200, 404, 404), ...}
    def extend_world(world) -> None:      # make the records the pages need (world.extra[...])
    def kwargs(world, name) -> dict | None:   # URL kwargs (besides org) for one of its pages

`row` is commonground.web.tests.access_rows_base.row (signed out, party, supporter, admin,
unrelated member, other organisation's member)."""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from types import ModuleType

from django.conf import settings


@cache
def modules() -> tuple[ModuleType, ...]:
    found = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("commonground."):
            continue
        name = f"{app}.tests.access_rows"
        if importlib.util.find_spec(f"{app}.tests") and importlib.util.find_spec(name):
            found.append(importlib.import_module(name))
    return tuple(found)
