"""A small world with one record of every kind, for the page-by-page access test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_schedule
from commonground.people.models import Qualification, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.factories import QualificationFactory, RoleAssignmentFactory
from commonground.testing.personas import Personas, make_personas


@dataclass
class World:
    p: Personas
    role: RoleAssignment
    qualification: Qualification
    obligation: Obligation

    def kwargs(self, name: str) -> dict[str, Any]:
        org = self.p.org.slug
        person = self.p.party.pk
        table: dict[str, dict[str, Any]] = {
            "people:person_detail": {"pk": person},
            "people:person_confidential": {"pk": person},
            "people:person_break_glass": {"pk": person},
            "people:person_edit": {"pk": person},
            "people:membership_change": {"pk": person},
            "people:person_invite": {"pk": person},
            "people:role_assign": {"pk": person},
            "people:role_end": {"pk": person, "role_pk": self.role.pk},
            "people:qualification_add": {"pk": person},
            "people:qualification_edit": {"pk": person, "q_pk": self.qualification.pk},
            "people:qualification_remove": {"pk": person, "q_pk": self.qualification.pk},
            "policies:policy_rule": {"rule_id": "ASH-8"},
            "obligations:obligation_detail": {"pk": self.obligation.pk},
        }
        kwargs = table.get(name, {})
        return {"org": org, **kwargs}


def make_world() -> World:
    p = make_personas()
    policy_adopt(actor=None, organisation=p.org, policy="ASH")
    role = RoleAssignmentFactory(person=p.party, role=Role.STAFF_MEMBER)
    qualification = QualificationFactory(person=p.party)
    obligation = obligation_schedule(
        organisation=p.org,
        rule_id="ASH-1",
        param="within",
        subject=("casework.case", 1),
        title="Hold the initial conversation",
        trigger_event="the request",
        trigger_at=timezone.localdate(),
        assignees=[p.supporter],
        oversight_role=Role.SW_MEMBER,
    )
    return World(p=p, role=role, qualification=qualification, obligation=obligation)
