from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.people.models import RoleAssignment
from commonground.people.roles import Role
from commonground.testing.factories import RoleAssignmentFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(personas: Personas) -> str:
    return f"/organisations/riverside/people/{personas.supporter.pk}/roles"


def today() -> dt.date:
    return timezone.localdate()


def test_a_persons_roles_are_seen_by_them_and_those_who_coordinate(
    api: Api, personas: Personas
) -> None:
    own = f"/organisations/riverside/people/{personas.party.pk}/roles"
    expect(
        api,
        lambda who: api.get(own, as_=who),
        {
            "party": 200,
            "supporter": 200,
            "admin": 200,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
        },
    )


def test_the_list_holds_past_and_present_roles(api: Api, personas: Personas) -> None:
    RoleAssignmentFactory(
        person=personas.supporter,
        role=Role.SW_MEMBER,
        starts_on=today() - dt.timedelta(days=400),
        ends_on=today() - dt.timedelta(days=40),
    )
    roles = api.get(url(personas), as_="supporter").json()
    assert [(r["role"], r["is_current"]) for r in roles] == [
        ("facilitator", True),
        ("sw_member", False),
    ]
    assert roles[0]["label"] == "Facilitator"


def test_a_person_cannot_give_themselves_a_role(api: Api, personas: Personas) -> None:
    own = f"/organisations/riverside/people/{personas.party.pk}/roles"
    response = api.post(own, {"role": "org_admin", "starts_on": str(today())}, as_="party")
    assert response.status_code == 403
    assert not personas.party.roles.exists()


def test_only_the_admin_gives_roles(api: Api, personas: Personas) -> None:
    def give(who: str | None) -> object:
        RoleAssignment.objects.filter(role=Role.BUDDY_COORDINATOR).delete()
        return api.post(
            url(personas), {"role": "buddy_coordinator", "starts_on": str(today())}, as_=who
        )

    expect(
        api,
        give,
        {
            "party": 404,
            "supporter": 403,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
            "admin": 201,
        },
    )


def test_a_role_given_is_audited(api: Api, personas: Personas) -> None:
    response = api.post(
        url(personas), {"role": "sw_member", "starts_on": str(today()), "note": "Elected"}
    )
    assert response.status_code == 201
    assert response.json()["role"] == "sw_member"
    assert (
        AuditEntry.objects.filter(object_type="people.roleassignment", action="create").count() == 1
    )


def test_an_overlapping_role_is_refused_and_nothing_is_written(
    api: Api, personas: Personas
) -> None:
    roles, audit = RoleAssignment.objects.count(), AuditEntry.objects.count()
    response = api.post(url(personas), {"role": "facilitator", "starts_on": str(today())})
    assert response.status_code == 400
    assert rules_of(response) == ["role_no_overlap"]
    assert (
        response.json()["errors"][0]["message"]
        == "Sam Supporter already holds this role for part of that time."
    )
    assert (RoleAssignment.objects.count(), AuditEntry.objects.count()) == (roles, audit)


def test_an_end_before_the_start_is_refused(api: Api, personas: Personas) -> None:
    response = api.post(
        url(personas),
        {
            "role": "sw_member",
            "starts_on": str(today()),
            "ends_on": str(today() - dt.timedelta(days=1)),
        },
    )
    assert response.status_code == 400
    assert fields_of(response) == ["ends_on"]


def test_an_unknown_role_is_refused(api: Api, personas: Personas) -> None:
    response = api.post(url(personas), {"role": "overlord", "starts_on": str(today())})
    assert response.status_code == 400
    assert fields_of(response) == ["role"]


# Ending a role


def end_url(personas: Personas) -> str:
    assignment = personas.supporter.roles.get()
    return f"{url(personas)}/{assignment.pk}/end"


def test_only_the_admin_ends_roles(api: Api, personas: Personas) -> None:
    expect(
        api,
        lambda who: api.post(end_url(personas), {"reason": "Stepped down"}, as_=who),
        {
            "party": 404,
            "unrelated": 404,
            "supporter": 403,
            "other_org": 404,
            None: 401,
            "admin": 200,
        },
    )


def test_ending_a_role_defaults_to_today_and_is_audited(api: Api, personas: Personas) -> None:
    response = api.post(end_url(personas), {"reason": "Stepped down"})
    assert response.status_code == 200
    assert response.json()["ends_on"] == str(today())
    entry = AuditEntry.objects.filter(object_type="people.roleassignment", action="update").get()
    assert entry.reason == "Stepped down"


def test_the_only_admin_cannot_be_ended_and_nothing_changes(api: Api, personas: Personas) -> None:
    audit = AuditEntry.objects.count()
    assignment = personas.admin.roles.get()
    response = api.post(
        f"/organisations/riverside/people/{personas.admin.pk}/roles/{assignment.pk}/end", {}
    )
    assert response.status_code == 400
    assert rules_of(response) == ["org_keeps_an_admin"]
    assignment.refresh_from_db()
    assert assignment.ends_on is None
    assert AuditEntry.objects.count() == audit


def test_a_role_of_another_person_is_404(api: Api, personas: Personas) -> None:
    assignment = personas.admin.roles.get()
    response = api.post(f"{url(personas)}/{assignment.pk}/end", {})
    assert response.status_code == 404


def test_another_organisations_role_is_404(api: Api, personas: Personas) -> None:
    assignment = personas.other_org.roles.get()
    response = api.post(
        f"/organisations/hilltop/people/{personas.other_org.pk}/roles/{assignment.pk}/end", {}
    )
    assert response.status_code == 404
