from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from commonground.casework.models import Case, CaseSupporter
from commonground.people.models import Person, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt, policy_value_change
from commonground.swgroup import services
from commonground.swgroup.models import Budget
from commonground.testing.factories import person_with_login
from commonground.testing.personas import Personas

CATEGORIES = (
    "meeting_spaces",
    "external_facilitators",
    "training",
    "support_to_move_on",
    "temporary_accommodation",
)


@dataclass
class Group:
    personas: Personas
    # Six S&W members: three women (w1..w3) and three men (m1..m3): exactly healthy (ASH-18).
    w1: Person
    w2: Person
    w3: Person
    m1: Person
    m2: Person
    m3: Person

    @property
    def org(self):  # type: ignore[no-untyped-def]
        return self.personas.org

    @property
    def admin(self):  # type: ignore[no-untyped-def]
        return self.personas.admin.user

    @property
    def members(self) -> list[Person]:
        return [self.w1, self.w2, self.w3, self.m1, self.m2, self.m3]


def _member(personas: Personas, name: str, gender: str) -> Person:
    person = person_with_login(
        personas.org,
        Role.SW_MEMBER,
        email=f"{name.lower().replace(' ', '.')}@example.test",
        full_name=name,
        gender=gender,
    )
    # In the group for a year, so past group meetings count them.
    RoleAssignment.objects.filter(person=person).update(
        starts_on=timezone.localdate() - dt.timedelta(days=365)
    )
    return person


@pytest.fixture
def group(personas: Personas) -> Group:
    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    return Group(
        personas,
        w1=_member(personas, "Wendy One", "woman"),
        w2=_member(personas, "Wanda Two", "woman"),
        w3=_member(personas, "Wilma Three", "woman"),
        m1=_member(personas, "Mo One", "man"),
        m2=_member(personas, "Milo Two", "man"),
        m3=_member(personas, "Max Three", "man"),
    )


def change_number(group: Group, rule_id: str, param: str, value: str) -> None:
    policy_value_change(
        actor=group.admin,
        organisation=group.org,
        rule_id=rule_id,
        param=param,
        value=value,
        reason="The co-op decided its own number",
    )


def make_budget(group: Group, pence: int = 100_000, **amounts: int) -> Budget:
    start = timezone.localdate().replace(month=1, day=1)
    return services.budget_set(
        actor=group.admin,
        organisation=group.org,
        starts_on=start,
        amounts={name: amounts.get(name, pence) for name in CATEGORIES},
    )


def make_case(group: Group, *supporters: Person, reference: str = "C-1") -> Case:
    case = Case.objects.create(organisation=group.org, reference=reference, title="Noise")
    for person in supporters:
        CaseSupporter.objects.create(
            case=case,
            person=person,
            role=CaseSupporter.Role.FACILITATOR,
            starts_on=timezone.localdate() - dt.timedelta(days=10),
        )
    return case
