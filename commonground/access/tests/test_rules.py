"""Every permission in access/rules.py, asked by every persona: need to know, default deny."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import rules
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.utils import timezone

from commonground.access.policy import forget_standing
from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.testing.factories import (
    QualificationFactory,
    RoleAssignmentFactory,
    person_with_login,
)
from commonground.testing.personas import Personas

PERSONAS = ("party", "supporter", "admin", "unrelated", "other_org", "safeguarding_lead")
MEMBERS = {"party", "supporter", "admin", "unrelated", "safeguarding_lead"}
COORDINATORS = {"supporter", "admin", "safeguarding_lead"}
ADMIN = {"admin"}

# What each permission is asked about: the organisation itself, the party's person record, or
# one of the party's own records.
ORG, PERSON, ROLE, QUALIFICATION = "organisation", "person", "role", "qualification"

# permission -> (object asked about, personas allowed)
TABLE: dict[str, tuple[str, set[str]]] = {
    "people.view_organisation": (ORG, MEMBERS),
    "people.change_organisation": (ORG, ADMIN),
    "people.view_directory": (ORG, COORDINATORS),
    "people.add_person": (ORG, ADMIN),
    "people.export_people": (ORG, ADMIN),
    "audit.view_auditentry": (ORG, ADMIN),
    "policies.view_policy": (ORG, MEMBERS),
    "policies.change_policy": (ORG, ADMIN),
    "people.view_person": (PERSON, {"party"} | COORDINATORS),
    "people.view_contact": (PERSON, {"party", "admin"}),
    "people.view_confidential": (PERSON, {"party", "admin"}),
    "people.break_glass_person": (PERSON, {"safeguarding_lead"}),
    "people.change_person": (PERSON, ADMIN),
    "people.change_own_details": (PERSON, {"party"}),
    "people.change_membership": (PERSON, ADMIN),
    "people.invite_person": (PERSON, ADMIN),
    "people.manage_roles": (PERSON, ADMIN),
    "people.manage_qualifications": (PERSON, ADMIN),
    "people.view_roleassignment": (ROLE, {"party"} | COORDINATORS),
    "people.view_qualification": (QUALIFICATION, {"party"} | COORDINATORS),
}

CASES = [
    pytest.param(permission, persona, persona in allowed, id=f"{permission}-{persona}")
    for permission, (_, allowed) in TABLE.items()
    for persona in PERSONAS
]


@pytest.fixture
def world(personas: Personas) -> dict[str, Any]:
    lead = person_with_login(personas.org, Role.SAFEGUARDING_LEAD, full_name="Lee Lead")
    users = {name: person.user for name, person in personas.all().items()}
    users["safeguarding_lead"] = lead.user
    objects: dict[str, Model] = {
        ORG: personas.org,
        PERSON: personas.party,
        # A role that gives no standing of its own, so the party stays a plain member.
        ROLE: RoleAssignmentFactory(person=personas.party, role=Role.STAFF_MEMBER),
        QUALIFICATION: QualificationFactory(person=personas.party),
    }
    return {"users": users, "objects": objects, "personas": personas, "lead": lead}


# The shared building blocks' permissions are all in the table; a module's own permissions
# (obligations, casework, ...) need that module's records and are tested with it.
SHARED_APPS = ("people.", "audit.", "policies.")


def test_the_table_covers_every_shared_permission_there_is() -> None:
    shared = {name for name in rules.permissions.permissions if name.startswith(SHARED_APPS)}

    assert shared == set(TABLE)


@pytest.mark.parametrize(("permission", "persona", "allowed"), CASES)
def test_permission_by_persona(
    world: dict[str, Any], permission: str, persona: str, allowed: bool
) -> None:
    kind, _ = TABLE[permission]

    assert world["users"][persona].has_perm(permission, world["objects"][kind]) is allowed


# Asked about themselves, some answers change.


def test_the_admin_cannot_change_their_own_membership(world: dict[str, Any]) -> None:
    admin = world["personas"].admin

    assert not admin.user.has_perm("people.change_membership", admin)
    assert admin.user.has_perm("people.change_person", admin)


def test_the_safeguarding_lead_cannot_break_glass_on_themselves(world: dict[str, Any]) -> None:
    lead = world["lead"]

    assert not lead.user.has_perm("people.break_glass_person", lead)
    assert lead.user.has_perm("people.view_confidential", lead)


def test_other_org_admin_has_the_same_rights_only_in_their_own_organisation(
    world: dict[str, Any],
) -> None:
    personas = world["personas"]
    outsider = Person.objects.create(organisation=personas.other, full_name="Hill Member")

    assert personas.other_org.user.has_perm("people.view_confidential", outsider)
    assert not personas.admin.user.has_perm("people.view_confidential", outsider)


# Default deny.


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unknown_permission_is_refused_for_everyone(world: dict[str, Any], persona: str) -> None:
    user = world["users"][persona]

    for obj in world["objects"].values():
        assert not user.has_perm("people.delete_everything", obj)
    assert not user.has_perm("people.view_person")


@pytest.mark.parametrize("permission", TABLE)
def test_a_signed_out_visitor_is_refused_everything(world: dict[str, Any], permission: str) -> None:
    kind, _ = TABLE[permission]

    assert not AnonymousUser().has_perm(permission, world["objects"][kind])


@pytest.mark.parametrize("permission", TABLE)
def test_nothing_is_granted_without_an_object(world: dict[str, Any], permission: str) -> None:
    assert not world["users"]["admin"].has_perm(permission, None)


@pytest.mark.parametrize("permission", TABLE)
def test_an_inactive_user_has_no_standing(world: dict[str, Any], permission: str) -> None:
    admin = world["users"]["admin"]
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    kind, _ = TABLE[permission]

    assert not admin.has_perm(permission, world["objects"][kind])


# Roles count only on the days they are held.

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def admin_with_role(personas: Personas, starts_on: dt.date, ends_on: dt.date | None) -> Any:
    person = person_with_login(personas.org, full_name="Dana Dated")
    RoleAssignmentFactory(person=person, role=Role.ORG_ADMIN, starts_on=starts_on, ends_on=ends_on)
    return person.user


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "allowed"),
    [
        (TODAY - 30 * DAY, TODAY - DAY, False),
        (TODAY + DAY, None, False),
        (TODAY - 30 * DAY, TODAY, True),
        (TODAY, None, True),
    ],
    ids=["ended yesterday", "starts tomorrow", "ends today", "starts today"],
)
def test_a_role_grants_only_while_it_is_held(
    personas: Personas, starts_on: dt.date, ends_on: dt.date | None, allowed: bool
) -> None:
    user = admin_with_role(personas, starts_on, ends_on)

    assert user.has_perm("people.change_person", personas.party) is allowed
    assert user.has_perm("people.view_confidential", personas.party) is allowed


def test_a_role_stops_granting_the_day_after_it_ends(personas: Personas) -> None:
    user = admin_with_role(personas, TODAY - 30 * DAY, TODAY)
    assert user.has_perm("people.view_confidential", personas.party)

    with time_machine.travel(timezone.now() + DAY, tick=False):
        forget_standing(user)  # a new request: standing is worked out again
        assert not user.has_perm("people.view_confidential", personas.party)


def test_a_role_starts_granting_on_its_first_day(personas: Personas) -> None:
    user = admin_with_role(personas, TODAY + DAY, None)
    assert not user.has_perm("people.view_confidential", personas.party)

    with time_machine.travel(timezone.now() + DAY, tick=False):
        forget_standing(user)
        assert user.has_perm("people.view_confidential", personas.party)


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ORG_ADMIN])
def test_no_role_but_admin_sees_someone_elses_confidential_details(
    personas: Personas, role: str
) -> None:
    user = person_with_login(personas.org, role).user

    assert not user.has_perm("people.view_confidential", personas.party)
