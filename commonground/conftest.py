from __future__ import annotations

import pytest

from commonground.testing.personas import Personas, make_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def _quiet_caches(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Each test gets its own cache (rate-limit counters must not leak between tests).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }
