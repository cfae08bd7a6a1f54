from __future__ import annotations

import pytest

from commonground.groupsessions.tests.world import SessionWorld, make_session_world
from commonground.testing.personas import Personas


@pytest.fixture
def sw(personas: Personas) -> SessionWorld:
    return make_session_world(personas)
