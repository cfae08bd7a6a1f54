from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.people.models import Person
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(name: str, person: Person) -> str:
    return reverse(f"people:{name}", kwargs={"org": "riverside", "pk": person.pk})


def reads(person: Person, action: str = AuditEntry.Action.READ) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=action, object_type="people.person", object_id=str(person.pk)
        )
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 200), ("supporter", 404), ("admin", 200), ("unrelated", 404), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_the_confidential_page(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(url("person_confidential", personas.party)).status_code == status


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    response = client.get(url("person_confidential", personas.party))
    assert response.status_code == 302


def test_the_admin_sees_confidential_details_and_the_read_is_audited(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    response = client.get(url("person_confidential", personas.party))
    content = response.content.decode()
    assert "Uses a wheelchair; asthma." in content
    assert "Woman" in content
    [entry] = reads(personas.party)
    assert entry.actor == personas.admin.user
    assert entry.changes == {"fields": ["gender", "support_needs"]}


def test_every_look_is_a_new_audit_entry(client, personas: Personas) -> None:
    client.force_login(personas.party.user)
    client.get(url("person_confidential", personas.party))
    client.get(url("person_confidential", personas.party))
    assert len(reads(personas.party)) == 2


def test_a_supporter_without_need_to_know_gets_404_and_nothing_is_read(
    client, personas: Personas
) -> None:
    client.force_login(personas.supporter.user)
    response = client.get(url("person_confidential", personas.party))
    assert response.status_code == 404
    assert b"wheelchair" not in response.content
    assert AuditEntry.objects.filter(action__in=["read", "break_glass"]).count() == 0


def test_the_safeguarding_lead_is_offered_break_glass_instead_of_the_details(
    client, personas: Personas, safeguarding_lead: Person
) -> None:
    client.force_login(safeguarding_lead.user)
    response = client.get(url("person_confidential", personas.party))
    content = response.content.decode()
    assert response.status_code == 200
    assert "wheelchair" not in content
    assert "will be told that you looked" in content
    assert 'name="reason"' in content
    assert AuditEntry.objects.filter(action__in=["read", "break_glass"]).count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 302), ("supporter", 404), ("admin", 302), ("unrelated", 404), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_the_break_glass_form(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(url("person_break_glass", personas.party)).status_code == status


@pytest.mark.parametrize("persona", ["supporter", "unrelated", "other_org"])
def test_break_glass_is_refused_to_anyone_but_the_safeguarding_lead(
    client, personas: Personas, persona: str
) -> None:
    client.force_login(personas.all()[persona].user)
    response = client.post(url("person_break_glass", personas.party), {"reason": "Curious"})
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action__in=["read", "break_glass"]).count() == 0


def test_those_with_need_to_know_are_sent_to_the_ordinary_page(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.get(url("person_break_glass", personas.party))
    assert response["Location"] == url("person_confidential", personas.party)


def test_the_safeguarding_lead_sees_the_break_glass_form(
    client, personas: Personas, safeguarding_lead: Person
) -> None:
    client.force_login(safeguarding_lead.user)
    response = client.get(url("person_break_glass", personas.party))
    assert response.status_code == 200
    assert "reported" in response.content.decode() or "will be told" in response.content.decode()


def test_break_glass_shows_the_details_and_records_the_reason(
    client, personas: Personas, safeguarding_lead: Person
) -> None:
    client.force_login(safeguarding_lead.user)
    response = client.post(
        url("person_break_glass", personas.party),
        {"reason": "Concern raised at tonight's group about their safety"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Uses a wheelchair; asthma." in content
    assert "break-glass" in content
    [entry] = reads(personas.party, AuditEntry.Action.BREAK_GLASS)
    assert entry.reason == "Concern raised at tonight's group about their safety"
    assert entry.actor == safeguarding_lead.user
    assert reads(personas.party) == []


def test_break_glass_without_a_reason_shows_nothing_and_writes_nothing(
    client, personas: Personas, safeguarding_lead: Person
) -> None:
    client.force_login(safeguarding_lead.user)
    before = AuditEntry.objects.count()
    response = client.post(url("person_break_glass", personas.party), {"reason": "   "})
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "wheelchair" not in content
    assert AuditEntry.objects.count() == before


def test_a_very_long_reason_is_refused_politely(
    client, personas: Personas, safeguarding_lead: Person
) -> None:
    client.force_login(safeguarding_lead.user)
    before = AuditEntry.objects.count()
    response = client.post(url("person_break_glass", personas.party), {"reason": "x" * 100_000})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_the_safeguarding_lead_cannot_break_glass_on_their_own_record(
    client, personas: Personas, safeguarding_lead: Person
) -> None:
    client.force_login(safeguarding_lead.user)
    response = client.get(url("person_break_glass", safeguarding_lead))
    # Their own details need no break-glass: they are sent to the ordinary page.
    assert response.status_code == 302
