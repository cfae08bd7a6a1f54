from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from commonground.casework.models import Case, CaseSupporter
from commonground.casework.services import case_request, supporter_assign
from commonground.people.models import Person, QualificationKind
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.factories import (
    PersonFactory,
    QualificationFactory,
    RoleAssignmentFactory,
    person_with_login,
)
from commonground.testing.personas import Personas


def facilitator(org: Any, name: str, **kw: Any) -> Person:
    """A current S&W member who has attended the introductory course (ASH-20)."""
    person = person_with_login(org, Role.SW_MEMBER, full_name=name, **kw)
    QualificationFactory(person=person, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
    return person


@dataclass
class Setup:
    p: Personas
    neighbour: Person
    sw1: Person
    sw2: Person
    other_sw: Person
    case: Case


@pytest.fixture
def setup(personas: Personas) -> Setup:
    p = personas
    policy_adopt(actor=None, organisation=p.org, policy="ASH")
    neighbour = person_with_login(p.org, full_name="Nico Neighbour")
    sw1 = facilitator(p.org, "Ada Pair")
    sw2 = facilitator(p.org, "Ben Pair")
    other_sw = facilitator(p.org, "Cy Other")
    case = case_request(
        actor=p.party.user,
        organisation=p.org,
        title="Noise between flats",
        summary="Music late at night.",
        parties=[neighbour],
        received_at=timezone.now() - dt.timedelta(hours=1),
    )
    return Setup(p=p, neighbour=neighbour, sw1=sw1, sw2=sw2, other_sw=other_sw, case=case)


def with_pair(s: Setup) -> Case:
    for person in (s.sw1, s.sw2):
        supporter_assign(
            actor=s.p.admin.user, case=s.case, person=person, role=CaseSupporter.Role.FACILITATOR
        )
    return s.case


__all__ = ["PersonFactory", "RoleAssignmentFactory", "Setup", "facilitator", "with_pair"]
