from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.people.models import Person, Qualification, QualificationKind
from commonground.testing.factories import QualificationFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

PERSONAS = [
    ("party", 403),
    ("supporter", 403),
    ("admin", 200),
    ("unrelated", 404),
    ("other_org", 404),
]


def add_url(person: Person) -> str:
    return reverse("people:qualification_add", kwargs={"org": "riverside", "pk": person.pk})


def q_url(name: str, qualification: Qualification) -> str:
    return reverse(
        f"people:{name}",
        kwargs={"org": "riverside", "pk": qualification.person_id, "q_pk": qualification.pk},
    )


def days_ago(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


@pytest.fixture
def dbs(personas: Personas) -> Qualification:
    return QualificationFactory(
        person=personas.party,
        kind=QualificationKind.DBS_CHECK,
        obtained_on=timezone.localdate() - dt.timedelta(days=200),
        reference="001234567890",
    )


# Recording -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), PERSONAS)
def test_each_persona_gets_the_right_answer_for_recording_a_qualification(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(add_url(personas.party)).status_code == status


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    assert client.get(add_url(personas.party)).status_code == 302


def test_admin_records_a_dbs_check(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.post(
        add_url(personas.party),
        {
            "kind": QualificationKind.DBS_CHECK,
            "obtained_on": days_ago(5),
            "expires_on": (timezone.localdate() + dt.timedelta(days=1000)).isoformat(),
            "reference": "009876543210",
        },
    )
    assert response.status_code == 302
    [qualification] = personas.party.qualifications.all()
    assert qualification.kind == QualificationKind.DBS_CHECK
    assert qualification.reference == "009876543210"
    page = client.get(response["Location"]).content.decode()
    assert "DBS check has been recorded." in page
    assert "009876543210" not in page


@pytest.mark.parametrize(("persona", "status"), [p for p in PERSONAS if p[0] != "admin"])
def test_those_who_may_not_record_qualifications_cannot_post_either(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    response = client.post(
        add_url(personas.party),
        {"kind": QualificationKind.DBS_CHECK, "obtained_on": days_ago(5)},
    )
    assert response.status_code == status
    assert not personas.party.qualifications.exists()


def test_a_rejected_qualification_keeps_what_was_typed_and_writes_nothing(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    count, entries = Qualification.objects.count(), AuditEntry.objects.count()
    # Kind "Other" needs a title: the service refuses it.
    response = client.post(
        add_url(personas.party),
        {"kind": QualificationKind.OTHER, "obtained_on": days_ago(3), "note": "Weekend course"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Name the qualification" in content
    assert 'value="Weekend course"' in content
    assert f'value="{days_ago(3)}"' in content
    assert Qualification.objects.count() == count
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "", "obtained_on": "2024-01-01"},
        {"kind": "wizardry", "obtained_on": "2024-01-01"},
        {"kind": QualificationKind.DBS_CHECK, "obtained_on": "2026-02-30"},
        {"kind": QualificationKind.DBS_CHECK, "obtained_on": "2999-01-01"},
        {
            "kind": QualificationKind.DBS_CHECK,
            "obtained_on": "2024-06-01",
            "expires_on": "2024-01-01",
        },
        {"kind": QualificationKind.DBS_CHECK, "obtained_on": "2024-06-01", "title": "t" * 10_000},
    ],
)
def test_bad_input_is_explained_not_a_server_error(
    client, personas: Personas, bad: dict[str, str]
) -> None:
    client.force_login(personas.admin.user)
    response = client.post(add_url(personas.party), bad)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Qualification.objects.exists()


# Changing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), PERSONAS)
def test_each_persona_gets_the_right_answer_for_changing_a_qualification(
    client, personas: Personas, dbs: Qualification, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(q_url("qualification_edit", dbs)).status_code == status


def test_the_change_form_never_shows_the_confidential_reference(
    client, personas: Personas, dbs: Qualification
) -> None:
    client.force_login(personas.admin.user)
    content = client.get(q_url("qualification_edit", dbs)).content.decode()
    assert "001234567890" not in content
    assert f'value="{dbs.obtained_on.isoformat()}"' in content


def test_admin_adds_an_expiry_date_and_the_reference_is_kept(
    client, personas: Personas, dbs: Qualification
) -> None:
    client.force_login(personas.admin.user)
    expires = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    response = client.post(
        q_url("qualification_edit", dbs),
        {
            "kind": QualificationKind.DBS_CHECK,
            "obtained_on": dbs.obtained_on.isoformat(),
            "expires_on": expires,
            "reference": "",
        },
    )
    assert response.status_code == 302
    dbs.refresh_from_db()
    assert dbs.expires_on.isoformat() == expires
    assert dbs.reference == "001234567890"


def test_a_rejected_qualification_change_keeps_what_was_typed_and_writes_nothing(
    client, personas: Personas, dbs: Qualification
) -> None:
    client.force_login(personas.admin.user)
    entries = AuditEntry.objects.count()
    response = client.post(
        q_url("qualification_edit", dbs),
        {
            "kind": QualificationKind.DBS_CHECK,
            "obtained_on": dbs.obtained_on.isoformat(),
            "expires_on": days_ago(400),
            "note": "Renewed",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "on or after the date obtained" in content
    assert 'value="Renewed"' in content
    dbs.refresh_from_db()
    assert dbs.expires_on is None
    assert AuditEntry.objects.count() == entries


def test_a_qualification_under_another_person_is_not_found(
    client, personas: Personas, dbs: Qualification
) -> None:
    client.force_login(personas.admin.user)
    response = client.get(
        reverse(
            "people:qualification_edit",
            kwargs={"org": "riverside", "pk": personas.supporter.pk, "q_pk": dbs.pk},
        )
    )
    assert response.status_code == 404


# Removing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), PERSONAS)
def test_each_persona_gets_the_right_answer_for_removing_a_qualification(
    client, personas: Personas, dbs: Qualification, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(q_url("qualification_remove", dbs)).status_code == status


def test_admin_removes_a_qualification_with_a_reason(
    client, personas: Personas, dbs: Qualification
) -> None:
    client.force_login(personas.admin.user)
    response = client.post(q_url("qualification_remove", dbs), {"reason": "Recorded in error"})
    assert response.status_code == 302
    assert not Qualification.objects.filter(pk=dbs.pk).exists()
    entry = AuditEntry.objects.filter(action="delete").first()
    assert entry is not None
    assert entry.reason == "Recorded in error"
    assert "has been removed" in client.get(response["Location"]).content.decode()


def test_removing_without_a_reason_removes_nothing(
    client, personas: Personas, dbs: Qualification
) -> None:
    client.force_login(personas.admin.user)
    entries = AuditEntry.objects.count()
    response = client.post(q_url("qualification_remove", dbs), {"reason": "  "})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert Qualification.objects.filter(pk=dbs.pk).exists()
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(("persona", "status"), [p for p in PERSONAS if p[0] != "admin"])
def test_those_who_may_not_remove_qualifications_cannot_post_either(
    client, personas: Personas, dbs: Qualification, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    response = client.post(q_url("qualification_remove", dbs), {"reason": "Because"})
    assert response.status_code == status
    assert Qualification.objects.filter(pk=dbs.pk).exists()
