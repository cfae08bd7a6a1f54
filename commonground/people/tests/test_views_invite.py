from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.people.models import Person
from commonground.testing.factories import PersonFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(person: Person) -> str:
    return reverse("people:person_invite", kwargs={"org": "riverside", "pk": person.pk})


@pytest.fixture
def newcomer(personas: Personas) -> Person:
    return PersonFactory(
        organisation=personas.org, full_name="Nell Newcomer", email="nell@example.test"
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 403), ("supporter", 403), ("admin", 200), ("unrelated", 404), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_the_invite_page(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(url(personas.party)).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"), [("supporter", 403), ("unrelated", 404), ("other_org", 404)]
)
def test_those_who_may_not_give_logins_cannot_post(
    client, personas: Personas, newcomer: Person, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.post(url(newcomer)).status_code == status
    newcomer.refresh_from_db()
    assert newcomer.user is None
    assert mail.outbox == []


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    assert client.get(url(personas.party)).status_code == 302


def test_the_invite_page_asks_before_sending(client, personas: Personas, newcomer: Person) -> None:
    client.force_login(personas.admin.user)
    response = client.get(url(newcomer))
    content = response.content.decode()
    assert "nell@example.test" in content
    assert '<button type="submit">Send the invitation</button>' in content
    assert mail.outbox == []


def test_admin_invites_a_person_and_an_email_is_sent(
    client, personas: Personas, newcomer: Person, django_capture_on_commit_callbacks
) -> None:
    client.force_login(personas.admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(newcomer))
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.user is not None
    assert [m.to for m in mail.outbox] == [["nell@example.test"]]
    assert (
        "invitation to sign in has been sent" in client.get(response["Location"]).content.decode()
    )


def test_a_person_without_an_email_cannot_be_invited_and_is_told_why(
    client, personas: Personas
) -> None:
    nomail = PersonFactory(organisation=personas.org, email="", contact_channels=[])
    client.force_login(personas.admin.user)
    entries = AuditEntry.objects.count()
    response = client.post(url(nomail))
    assert response.status_code == 200
    assert "Record an email address" in response.content.decode()
    assert AuditEntry.objects.count() == entries
    assert mail.outbox == []


def test_a_person_with_a_login_is_not_invited_twice(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    entries = AuditEntry.objects.count()
    response = client.post(url(personas.party))
    assert response.status_code == 200
    assert "has a login already" in response.content.decode()
    assert AuditEntry.objects.count() == entries
