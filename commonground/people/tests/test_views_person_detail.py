from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.people.models import QualificationKind
from commonground.people.roles import Role
from commonground.testing.factories import QualificationFactory, RoleAssignmentFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(personas: Personas, pk: int | None = None) -> str:
    return reverse(
        "people:person_detail", kwargs={"org": "riverside", "pk": pk or personas.party.pk}
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 200), ("supporter", 200), ("admin", 200), ("unrelated", 404), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_a_persons_page(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(url(personas)).status_code == status


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    response = client.get(url(personas))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unrelated_member_gets_404_for_another_persons_page(client, personas: Personas) -> None:
    client.force_login(personas.unrelated.user)
    response = client.get(url(personas))
    assert response.status_code == 404
    assert b"Pat Party" not in response.content


def test_a_person_in_another_organisation_is_not_found_even_under_their_own_address(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    response = client.get(
        reverse("people:person_detail", kwargs={"org": "riverside", "pk": personas.other_org.pk})
    )
    assert response.status_code == 404


def test_an_impossibly_large_id_is_not_found_not_a_server_error(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.get(f"/o/riverside/people/{10**30}/")
    assert response.status_code == 404


def test_the_admin_sees_contact_details(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    content = client.get(url(personas)).content.decode()
    assert "party@example.test" in content
    assert "Email address" in content


def test_a_supporter_sees_contact_preferences_but_not_contact_details(
    client, personas: Personas
) -> None:
    client.force_login(personas.supporter.user)
    content = client.get(url(personas)).content.decode()
    assert "party@example.test" not in content
    assert "Ways to get in touch" in content
    assert "<dd>Email</dd>" in content


def test_confidential_details_are_not_on_the_page_and_reading_it_writes_no_audit_entry(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    before = AuditEntry.objects.count()
    content = client.get(url(personas)).content.decode()
    assert "wheelchair" not in content
    assert "Woman" not in content
    assert "Show confidential details" in content
    assert AuditEntry.objects.count() == before


def test_a_supporter_is_not_offered_the_confidential_details(client, personas: Personas) -> None:
    client.force_login(personas.supporter.user)
    content = client.get(url(personas)).content.decode()
    assert "Show confidential details" not in content
    assert "Change details" not in content


def test_the_page_shows_current_and_past_roles(client, personas: Personas) -> None:
    today = timezone.localdate()
    RoleAssignmentFactory(
        person=personas.party,
        role=Role.SW_MEMBER,
        starts_on=today - dt.timedelta(days=400),
        ends_on=today - dt.timedelta(days=40),
    )
    client.force_login(personas.admin.user)
    response = client.get(url(personas, personas.supporter.pk))
    assert [r.role for r in response.context["current_roles"]] == [Role.FACILITATOR]
    response = client.get(url(personas))
    assert [r.role for r in response.context["past_roles"]] == [Role.SW_MEMBER]
    assert "Ended" in response.content.decode()


def test_an_expired_qualification_is_tagged_expired(client, personas: Personas) -> None:
    today = timezone.localdate()
    QualificationFactory(
        person=personas.party,
        kind=QualificationKind.DBS_CHECK,
        obtained_on=today - dt.timedelta(days=800),
        expires_on=today - dt.timedelta(days=1),
    )
    QualificationFactory(
        person=personas.party,
        kind=QualificationKind.FACILITATOR_TRAINING,
        obtained_on=today - dt.timedelta(days=10),
        expires_on=today + dt.timedelta(days=300),
    )
    client.force_login(personas.party.user)
    content = client.get(url(personas)).content.decode()
    assert "DBS check" in content
    assert content.count(">Expired</span>") == 1


def test_the_page_shows_the_membership_history(client, personas: Personas) -> None:
    from commonground.people.services import membership_change

    membership_change(
        actor=personas.admin.user,
        person=personas.party,
        status="hiatus",
        effective_on=timezone.localdate(),
        reason="Taking a break for the summer",
    )
    client.force_login(personas.party.user)
    content = client.get(url(personas)).content.decode()
    assert "Taking a break for the summer" in content
    assert "On hiatus" in content


def test_the_page_is_accessible_in_shape(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    content = client.get(url(personas)).content.decode()
    assert content.count("<h1>") == 1
    assert '<nav aria-label="Breadcrumb" class="breadcrumbs">' in content
    assert content.count("<caption") == content.count("<table")


def test_the_organisation_is_marked_current_in_the_navigation(client, personas: Personas) -> None:
    client.force_login(personas.party.user)
    response = client.get(url(personas))
    assert response.context["current_organisation"] == personas.org
    assert 'aria-current="true">Riverside Housing Co-op' in response.content.decode()
