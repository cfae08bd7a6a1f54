from __future__ import annotations

import pytest

# The API tests' client and tokens for the standing personas.
from commonground.api.tests.conftest import api, tokens  # noqa: F401
from commonground.groupsessions.tests.world import SessionWorld, make_session_world
from commonground.testing.personas import Personas


@pytest.fixture
def sw(personas: Personas) -> SessionWorld:
    return make_session_world(personas)
