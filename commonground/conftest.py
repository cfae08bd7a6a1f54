from __future__ import annotations

import pytest

from commonground.testing.personas import Personas, make_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings) -> None:  # type: ignore[no-untyped-def]
    # Argon2 is slow on purpose; every persona has a password, so tests use a fast hasher.
    # Tests that check the real hasher are marked real_password_hashing.
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _quiet_caches(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Each test gets its own cache (rate-limit counters must not leak between tests).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }
