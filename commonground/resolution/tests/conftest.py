from __future__ import annotations

import pytest

from commonground.resolution.tests.setup import CaseWorld, make_case_world
from commonground.testing.personas import Personas


@pytest.fixture
def cw(personas: Personas) -> CaseWorld:
    return make_case_world(personas.org, personas.admin)
