from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.people.models import MembershipChange, MembershipStatus, Person
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(person: Person) -> str:
    return reverse("people:membership_change", kwargs={"org": "riverside", "pk": person.pk})


def form(**overrides: str) -> dict[str, str]:
    data = {
        "status": MembershipStatus.HIATUS,
        "effective_on": timezone.localdate().isoformat(),
        "reason": "Agreed at the general meeting",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 403), ("supporter", 403), ("admin", 200), ("unrelated", 404), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_the_membership_page(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(url(personas.party)).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 403), ("supporter", 403), ("unrelated", 404), ("other_org", 404)],
)
def test_those_who_may_not_change_membership_cannot_post_either(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.post(url(personas.party), form()).status_code == status
    personas.party.refresh_from_db()
    assert personas.party.membership_status == MembershipStatus.ACTIVE


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    assert client.get(url(personas.party)).status_code == 302


def test_the_admin_cannot_change_their_own_membership(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.get(url(personas.admin))
    assert response.status_code == 403
    assert "never their own" in response.content.decode()


def test_admin_puts_a_member_on_hiatus(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.post(url(personas.party), form())
    assert response.status_code == 302
    personas.party.refresh_from_db()
    assert personas.party.membership_status == MembershipStatus.HIATUS
    change = MembershipChange.objects.filter(person=personas.party).first()
    assert change is not None
    assert change.reason == "Agreed at the general meeting"
    entry = AuditEntry.objects.filter(action="update").first()
    assert entry is not None
    assert entry.reason == "Agreed at the general meeting"
    assert "has been recorded" in client.get(response["Location"]).content.decode()


def test_a_rejected_change_keeps_what_was_typed_and_writes_nothing(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    changes, entries = MembershipChange.objects.count(), AuditEntry.objects.count()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(url(personas.party), form(effective_on=tomorrow, reason="Moving away"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "cannot be in the future" in content
    assert "Moving away" in content
    assert f'value="{tomorrow}"' in content
    assert MembershipChange.objects.count() == changes
    assert AuditEntry.objects.count() == entries


def test_choosing_the_status_they_have_already_is_explained(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.post(url(personas.party), form(status=MembershipStatus.ACTIVE))
    assert response.status_code == 200
    assert "is active already" in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        {"effective_on": "2026-02-30"},
        {"effective_on": ""},
        {"status": "emperor"},
        {"reason": ""},
        {"reason": "z" * 50_000},
    ],
)
def test_bad_input_is_explained_not_a_server_error(
    client, personas: Personas, bad: dict[str, str]
) -> None:
    client.force_login(personas.admin.user)
    entries = AuditEntry.objects.count()
    response = client.post(url(personas.party), form(**bad))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert AuditEntry.objects.count() == entries
