from __future__ import annotations

import pytest

from commonground.groups.models import SupportGroup
from commonground.peers.tests.helpers import psp_group
from commonground.testing.personas import Personas


@pytest.fixture
def group(personas: Personas) -> SupportGroup:
    return psp_group(personas)


from commonground.api.tests.conftest import api, tokens  # noqa: E402, F401
