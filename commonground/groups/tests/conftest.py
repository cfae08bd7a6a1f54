from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

# The API client fixtures (a bearer token per persona).
from commonground.api.tests.conftest import api, tokens  # noqa: F401
from commonground.groups.tests.world import SharedGroup, make_shared_group
from commonground.policies.values import LONDON
from commonground.testing.personas import Personas

# Monday 30 June 2025, 09:00 in London: the group's next Tuesday is 1 July.
NOW = dt.datetime(2025, 6, 30, 9, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def shared(personas: Personas, clock: Any) -> SharedGroup:
    return make_shared_group(personas)
