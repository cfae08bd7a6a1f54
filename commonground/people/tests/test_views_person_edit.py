from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.people.models import MembershipChange, Person
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def edit_url(person: Person) -> str:
    return reverse("people:person_edit", kwargs={"org": "riverside", "pk": person.pk})


CREATE_URL = "/o/riverside/people/new/"


def admin_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "full_name": "Pat Party",
        "preferred_name": "",
        "pronouns": "she/her",
        "email": "party@example.test",
        "phone": "",
        "postal_address": "",
        "contact_channels": ["email"],
        "gender": "woman",
        "support_needs": "Uses a wheelchair; asthma.",
    }
    data.update(overrides)
    return data


# Changing details ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 200), ("supporter", 403), ("admin", 200), ("unrelated", 404), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_the_edit_page(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(edit_url(personas.party)).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("supporter", 403), ("unrelated", 404), ("other_org", 404)],
)
def test_those_who_may_not_change_a_person_cannot_post_either(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    response = client.post(edit_url(personas.party), admin_form(full_name="Hacked"))
    assert response.status_code == status
    personas.party.refresh_from_db()
    assert personas.party.full_name == "Pat Party"


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    assert client.get(edit_url(personas.party)).status_code == 302


def test_admin_changes_a_persons_pronouns(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.post(edit_url(personas.party), admin_form(pronouns="they/them"))
    assert response.status_code == 302
    assert response["Location"] == f"/o/riverside/people/{personas.party.pk}/"
    personas.party.refresh_from_db()
    assert personas.party.pronouns == "they/them"
    entry = AuditEntry.objects.filter(action="update").first()
    assert entry is not None
    assert entry.changes == {"pronouns": ["", "they/them"]}
    followed = client.get(response["Location"])
    assert "The details have been saved." in followed.content.decode()


def test_admin_changes_support_needs_and_the_audit_never_holds_them_in_clear(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    client.post(edit_url(personas.party), admin_form(support_needs="Hearing loop please"))
    personas.party.refresh_from_db()
    assert personas.party.support_needs == "Hearing loop please"
    entry = AuditEntry.objects.filter(action="update").first()
    assert entry is not None
    assert "Hearing loop" not in str(entry.changes)


def test_opening_the_admin_form_shows_confidential_details_and_is_an_audited_read(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    response = client.get(edit_url(personas.party))
    content = response.content.decode()
    assert "Uses a wheelchair; asthma." in content
    assert 'value="woman" selected' in content
    assert AuditEntry.objects.filter(action="read", object_id=str(personas.party.pk)).count() == 1


def test_a_person_changes_their_own_pronouns(client, personas: Personas) -> None:
    client.force_login(personas.party.user)
    response = client.post(
        edit_url(personas.party),
        {"pronouns": "she/they", "email": "party@example.test", "contact_channels": ["email"]},
    )
    assert response.status_code == 302
    personas.party.refresh_from_db()
    assert personas.party.pronouns == "she/they"
    assert "Your details have been saved." in client.get(response["Location"]).content.decode()


def test_a_persons_own_form_has_no_name_gender_or_support_needs(client, personas: Personas) -> None:
    client.force_login(personas.party.user)
    response = client.get(edit_url(personas.party))
    content = response.content.decode()
    assert 'name="full_name"' not in content
    assert 'name="gender"' not in content
    assert 'name="support_needs"' not in content
    assert "wheelchair" not in content
    assert AuditEntry.objects.filter(action="read").count() == 0


def test_a_person_cannot_change_their_own_name_or_support_needs_by_posting_them(
    client, personas: Personas
) -> None:
    client.force_login(personas.party.user)
    client.post(
        edit_url(personas.party),
        {
            "full_name": "Someone Else",
            "support_needs": "",
            "gender": "man",
            "email": "party@example.test",
            "contact_channels": ["email"],
        },
    )
    personas.party.refresh_from_db()
    assert personas.party.full_name == "Pat Party"
    assert personas.party.gender == "woman"
    assert personas.party.support_needs == "Uses a wheelchair; asthma."


def test_a_rejected_change_keeps_what_was_typed_and_writes_nothing(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    before = AuditEntry.objects.count()
    # Text messages chosen with no phone number: the service refuses it.
    response = client.post(
        edit_url(personas.party),
        admin_form(pronouns="xe/xem", contact_channels=["sms"], phone=""),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "a phone number is needed" in content
    assert 'value="xe/xem"' in content
    assert 'aria-invalid="true"' in content
    personas.party.refresh_from_db()
    assert personas.party.pronouns == ""
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    "bad",
    [
        {"email": "not an email"},
        {"full_name": ""},
        {"full_name": "x" * 10_000},
        {"gender": "dragon"},
        {"contact_channels": ["pigeon"]},
        {"support_needs": "y" * 100_000},
    ],
)
def test_bad_input_is_explained_not_a_server_error(
    client, personas: Personas, bad: dict[str, object]
) -> None:
    client.force_login(personas.admin.user)
    before = AuditEntry.objects.count()
    response = client.post(edit_url(personas.party), admin_form(**bad))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_saving_keeps_the_order_of_contact_preferences(client, personas: Personas) -> None:
    Person.objects.filter(pk=personas.party.pk).update(
        phone="01234 567890", contact_channels=["phone", "email"]
    )
    client.force_login(personas.party.user)
    form = client.get(edit_url(personas.party)).context["form"]
    assert [c[0] for c in form.fields["contact_channels"].choices][:2] == ["phone", "email"]
    client.post(
        edit_url(personas.party),
        {
            "email": "party@example.test",
            "phone": "01234 567890",
            "contact_channels": ["phone", "email"],
        },
    )
    personas.party.refresh_from_db()
    assert personas.party.contact_channels == ["phone", "email"]


# Adding a person -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 403), ("supporter", 403), ("admin", 200), ("unrelated", 403), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_the_add_page(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(CREATE_URL).status_code == status


def test_admin_adds_a_person_without_a_login(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.post(
        CREATE_URL,
        {
            "full_name": "Robin Post",
            "postal_address": "1 Mill Lane\nRiverside",
            "contact_channels": ["post"],
            "membership_status": "active",
            "membership_since": "2024-05-01",
        },
    )
    robin = Person.objects.get(full_name="Robin Post")
    assert response.status_code == 302
    assert response["Location"] == f"/o/riverside/people/{robin.pk}/"
    assert robin.organisation == personas.org
    assert robin.user is None
    assert robin.contact_channels == ["post"]
    assert str(robin.membership_since) == "2024-05-01"
    assert MembershipChange.objects.filter(person=robin).count() == 1
    assert AuditEntry.objects.filter(action="create", object_id=str(robin.pk)).exists()
    assert "Robin Post has been added." in client.get(response["Location"]).content.decode()


def test_a_rejected_new_person_keeps_what_was_typed_and_writes_nothing(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    people, entries = Person.objects.count(), AuditEntry.objects.count()
    response = client.post(
        CREATE_URL,
        {
            "full_name": "Robin Post",
            "pronouns": "he/him",
            "contact_channels": ["post"],
            "membership_status": "active",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "a postal address is needed" in content
    assert 'value="Robin Post"' in content
    assert 'value="he/him"' in content
    assert Person.objects.count() == people
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("since", ["2026-02-30", "yesterday", "2999-01-01"])
def test_a_bad_membership_date_is_explained(client, personas: Personas, since: str) -> None:
    client.force_login(personas.admin.user)
    people = Person.objects.count()
    response = client.post(
        CREATE_URL,
        {"full_name": "Dee Date", "membership_status": "active", "membership_since": since},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert Person.objects.count() == people


# My details ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["party", "supporter", "admin", "unrelated"])
def test_my_details_takes_each_member_to_their_own_edit_page(
    client, personas: Personas, persona: str
) -> None:
    me = personas.all()[persona]
    client.force_login(me.user)
    response = client.get(reverse("people:my_details", kwargs={"org": "riverside"}))
    assert response.status_code == 302
    assert response["Location"] == edit_url(me)


def test_my_details_is_not_found_in_an_organisation_one_is_not_in(
    client, personas: Personas
) -> None:
    client.force_login(personas.other_org.user)
    response = client.get(reverse("people:my_details", kwargs={"org": "riverside"}))
    assert response.status_code == 404


def test_my_details_asks_someone_signed_out_to_sign_in(client, personas: Personas) -> None:
    response = client.get(reverse("people:my_details", kwargs={"org": "riverside"}))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
