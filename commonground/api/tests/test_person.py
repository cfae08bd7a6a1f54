from __future__ import annotations

import pytest

from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.people.models import MembershipChange, Person
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

LIST = "/organisations/riverside/people"


def url(personas: Personas, person: Person | None = None) -> str:
    return f"{LIST}/{(person or personas.party).pk}"


# Reading a person


def test_a_person_is_seen_by_themselves_and_those_who_coordinate(
    api: Api, personas: Personas
) -> None:
    expect(
        api,
        lambda who: api.get(url(personas), as_=who),
        {
            "party": 200,
            "supporter": 200,
            "admin": 200,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
        },
    )


def test_contact_details_are_for_the_person_and_the_admin(api: Api, personas: Personas) -> None:
    contacts = {
        who: api.get(url(personas), as_=who).json()["contact"]
        for who in ("party", "admin", "supporter")
    }
    assert (
        contacts["party"]
        == contacts["admin"]
        == {
            "email": "party@example.test",
            "phone": "",
            "postal_address": "",
            "contact_channels": ["email"],
        }
    )
    assert contacts["supporter"] is None


def test_confidential_attributes_are_never_in_the_person(api: Api, personas: Personas) -> None:
    response = api.get(url(personas), as_="admin")
    text = response.content.decode()
    assert "wheelchair" not in text
    assert "gender" not in text
    assert "support_needs" not in text


def test_reading_a_person_writes_no_audit_entry(api: Api, personas: Personas) -> None:
    before = AuditEntry.objects.count()
    api.get(url(personas), as_="admin")
    assert AuditEntry.objects.count() == before


def test_another_organisations_person_is_404_even_for_an_admin(
    api: Api, personas: Personas
) -> None:
    assert api.get(f"/organisations/riverside/people/{personas.other_org.pk}").status_code == 404
    assert api.get(f"/organisations/hilltop/people/{personas.party.pk}").status_code == 404


def test_a_missing_person_is_404(api: Api) -> None:
    response = api.get(f"{LIST}/987654")
    assert response.status_code == 404
    assert rules_of(response) == ["not_found"]


# Adding a person


NEW = {"full_name": "Nia New", "email": "Nia@Example.test", "contact_channels": ["email"]}


def test_only_the_admin_adds_people(api: Api) -> None:
    expect(
        api,
        lambda who: api.post(LIST, NEW, as_=who),
        {
            "party": 403,
            "supporter": 403,
            "unrelated": 403,
            "other_org": 404,
            None: 401,
            "admin": 201,
        },
    )
    assert Person.objects.filter(full_name="Nia New").count() == 1


def test_the_admin_adds_a_person_with_their_membership_and_audit_entry(
    api: Api, personas: Personas
) -> None:
    response = api.post(LIST, NEW)
    assert response.status_code == 201
    body = response.json()
    assert body["full_name"] == "Nia New"
    assert body["contact"]["email"] == "nia@example.test"
    assert body["membership_status"] == "active"
    person = Person.objects.get(pk=body["id"])
    assert person.organisation == personas.org
    assert MembershipChange.objects.filter(person=person).count() == 1
    assert AuditEntry.objects.filter(
        object_type="people.person", object_id=str(person.pk), action="create"
    ).exists()


def test_a_refused_addition_adds_nothing(api: Api) -> None:
    people, audit = Person.objects.count(), AuditEntry.objects.count()
    response = api.post(LIST, {"full_name": "Nia New", "contact_channels": ["sms"]})
    assert response.status_code == 400
    assert fields_of(response) == ["phone"]
    assert rules_of(response) == ["contact_channel_needs_details"]
    assert response.json()["errors"][0]["message"] == (
        "Text message is a chosen way to get in touch, so a phone number is needed."
    )
    assert (Person.objects.count(), AuditEntry.objects.count()) == (people, audit)


def test_a_forbidden_addition_adds_nothing(api: Api) -> None:
    people, audit = Person.objects.count(), AuditEntry.objects.count()
    assert api.post(LIST, NEW, as_="supporter").status_code == 403
    assert (Person.objects.count(), AuditEntry.objects.count()) == (people, audit)


def test_a_blank_name_is_refused(api: Api) -> None:
    response = api.post(LIST, {"full_name": "   "})
    assert response.status_code == 400
    assert fields_of(response) == ["full_name"]


def test_confidential_attributes_cannot_be_set_here(api: Api) -> None:
    response = api.post(LIST, {"full_name": "Nia New", "support_needs": "Diabetes"})
    assert response.status_code == 400
    assert fields_of(response) == ["support_needs"]
    assert rules_of(response) == ["extra_forbidden"]


# Changing a person


def test_a_person_changes_their_own_contact_details(api: Api, personas: Personas) -> None:
    response = api.patch(
        url(personas), {"pronouns": "she/her", "phone": "07700 900123"}, as_="party"
    )
    assert response.status_code == 200
    assert response.json()["pronouns"] == "she/her"
    personas.party.refresh_from_db()
    assert personas.party.phone == "07700 900123"


def test_a_person_cannot_change_their_own_full_name(api: Api, personas: Personas) -> None:
    response = api.patch(url(personas), {"full_name": "Pat Changed"}, as_="party")
    assert response.status_code == 403
    personas.party.refresh_from_db()
    assert personas.party.full_name == "Pat Party"


def test_changing_a_person_follows_the_rules_for_each_persona(api: Api, personas: Personas) -> None:
    expect(
        api,
        lambda who: api.patch(url(personas), {"pronouns": "they/them"}, as_=who),
        {
            "supporter": 403,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
            "party": 200,
            "admin": 200,
        },
    )


def test_the_admin_changes_a_name_and_it_is_audited(api: Api, personas: Personas) -> None:
    response = api.patch(url(personas), {"full_name": "Patricia Party"})
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(object_type="people.person", action="update").first()
    assert entry is not None
    assert entry.changes == {"full_name": ["Pat Party", "Patricia Party"]}


def test_a_refused_change_changes_nothing(api: Api, personas: Personas) -> None:
    audit = AuditEntry.objects.count()
    response = api.patch(url(personas), {"email": "", "contact_channels": ["email"]}, as_="party")
    assert response.status_code == 400
    assert fields_of(response) == ["email"]
    personas.party.refresh_from_db()
    assert personas.party.email == "party@example.test"
    assert AuditEntry.objects.count() == audit


def test_an_empty_change_changes_nothing(api: Api, personas: Personas) -> None:
    audit = AuditEntry.objects.count()
    assert api.patch(url(personas), {}).status_code == 200
    assert AuditEntry.objects.count() == audit
