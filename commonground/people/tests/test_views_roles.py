from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.people.models import Person, RoleAssignment
from commonground.people.roles import Role
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

PERSONAS = [
    ("party", 403),
    ("supporter", 403),
    ("admin", 200),
    ("unrelated", 404),
    ("other_org", 404),
]


def assign_url(person: Person) -> str:
    return reverse("people:role_assign", kwargs={"org": "riverside", "pk": person.pk})


def end_url(assignment: RoleAssignment) -> str:
    return reverse(
        "people:role_end",
        kwargs={"org": "riverside", "pk": assignment.person_id, "role_pk": assignment.pk},
    )


def today() -> str:
    return timezone.localdate().isoformat()


@pytest.fixture
def party_role(personas: Personas) -> RoleAssignment:
    return RoleAssignment.objects.create(
        organisation=personas.org,
        person=personas.party,
        role=Role.STAFF_MEMBER,
        starts_on=timezone.localdate() - dt.timedelta(days=60),
    )


# Giving a role -------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), PERSONAS)
def test_each_persona_gets_the_right_answer_for_giving_a_role(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(assign_url(personas.party)).status_code == status


@pytest.mark.parametrize(("persona", "status"), [p for p in PERSONAS if p[0] != "admin"])
def test_those_who_may_not_give_roles_cannot_post_either(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    response = client.post(
        assign_url(personas.party), {"role": Role.ORG_ADMIN, "starts_on": today()}
    )
    assert response.status_code == status
    assert not personas.party.roles.exists()


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    assert client.get(assign_url(personas.party)).status_code == 302


def test_admin_gives_a_member_a_role(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.post(
        assign_url(personas.party),
        {"role": Role.SW_MEMBER, "starts_on": today(), "note": "Elected in March"},
    )
    assert response.status_code == 302
    [assignment] = personas.party.roles.all()
    assert assignment.role == Role.SW_MEMBER
    assert assignment.note == "Elected in March"
    assert AuditEntry.objects.filter(action="create", object_type="people.roleassignment").exists()
    followed = client.get(response["Location"]).content.decode()
    assert "is now Support &amp; Wellbeing group member" in followed


def test_a_rejected_role_keeps_what_was_typed_and_writes_nothing(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    roles, entries = RoleAssignment.objects.count(), AuditEntry.objects.count()
    # The supporter is a facilitator already: an overlapping assignment is refused.
    response = client.post(
        assign_url(personas.supporter),
        {"role": Role.FACILITATOR, "starts_on": today(), "note": "Second time"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "already holds this role" in content
    assert 'value="Second time"' in content
    assert RoleAssignment.objects.count() == roles
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "", "starts_on": "2024-01-01"},
        {"role": "emperor", "starts_on": "2024-01-01"},
        {"role": Role.SW_MEMBER, "starts_on": "2026-02-30"},
        {"role": Role.SW_MEMBER, "starts_on": "2024-06-01", "ends_on": "2024-01-01"},
        {"role": Role.SW_MEMBER, "starts_on": "2024-06-01", "note": "n" * 5000},
    ],
)
def test_bad_input_is_explained_not_a_server_error(
    client, personas: Personas, bad: dict[str, str]
) -> None:
    client.force_login(personas.admin.user)
    entries = AuditEntry.objects.count()
    response = client.post(assign_url(personas.party), bad)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert AuditEntry.objects.count() == entries


# Ending a role -------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), PERSONAS)
def test_each_persona_gets_the_right_answer_for_ending_a_role(
    client, personas: Personas, party_role: RoleAssignment, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(end_url(party_role)).status_code == status


def test_a_role_under_another_person_is_not_found(
    client, personas: Personas, party_role: RoleAssignment
) -> None:
    client.force_login(personas.admin.user)
    response = client.get(
        reverse(
            "people:role_end",
            kwargs={"org": "riverside", "pk": personas.supporter.pk, "role_pk": party_role.pk},
        )
    )
    assert response.status_code == 404


def test_admin_ends_a_role(client, personas: Personas, party_role: RoleAssignment) -> None:
    client.force_login(personas.admin.user)
    response = client.post(end_url(party_role), {"ends_on": today(), "reason": "Contract ended"})
    assert response.status_code == 302
    party_role.refresh_from_db()
    assert party_role.ends_on == timezone.localdate()
    entry = AuditEntry.objects.filter(action="update", object_type="people.roleassignment").first()
    assert entry is not None
    assert entry.reason == "Contract ended"


def test_the_only_admin_cannot_end_their_own_role_and_is_told_why(
    client, personas: Personas
) -> None:
    admin_role = personas.admin.roles.get()
    client.force_login(personas.admin.user)
    entries = AuditEntry.objects.count()
    response = client.post(end_url(admin_role), {"ends_on": today(), "reason": "Stepping down"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "only admin" in content
    assert "Stepping down" in content
    admin_role.refresh_from_db()
    assert admin_role.ends_on is None
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("ends_on", ["2026-02-30", "", "1900-01-01"])
def test_a_bad_end_date_is_explained(
    client, personas: Personas, party_role: RoleAssignment, ends_on: str
) -> None:
    client.force_login(personas.admin.user)
    response = client.post(end_url(party_role), {"ends_on": ends_on})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    party_role.refresh_from_db()
    assert party_role.ends_on is None
