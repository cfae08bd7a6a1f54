from __future__ import annotations

import pytest

from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.testing.factories import person_with_login
from commonground.testing.personas import Personas


@pytest.fixture
def safeguarding_lead(personas: Personas) -> Person:
    return person_with_login(
        personas.org,
        Role.SAFEGUARDING_LEAD,
        email="safeguarding@example.test",
        full_name="Sol Safeguarding",
    )
