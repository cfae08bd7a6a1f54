from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.people.models import Qualification
from commonground.testing.factories import QualificationFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(personas: Personas) -> str:
    return f"/organisations/riverside/people/{personas.party.pk}/qualifications"


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def qualification(personas: Personas) -> Qualification:
    return QualificationFactory(person=personas.party, reference="DBS-0012345")


def q_url(personas: Personas, qualification: Qualification) -> str:
    return f"{url(personas)}/{qualification.pk}"


def test_the_list_is_seen_by_the_person_and_those_who_coordinate(
    api: Api, personas: Personas, qualification: Qualification
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


def test_the_list_never_shows_the_confidential_reference(
    api: Api, personas: Personas, qualification: Qualification
) -> None:
    response = api.get(url(personas))
    [item] = response.json()
    assert item["kind"] == "facilitator_training"
    assert item["kind_label"] == "Facilitator training"
    assert item["is_current"] is True
    assert "reference" not in item
    assert "DBS-0012345" not in response.content.decode()


NEW = {"kind": "dbs_check", "reference": "001234567890"}


def test_only_the_admin_records_qualifications(api: Api, personas: Personas) -> None:
    body = NEW | {"obtained_on": str(today())}
    expect(
        api,
        lambda who: api.post(url(personas), body, as_=who),
        {
            "party": 403,
            "supporter": 403,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
            "admin": 201,
        },
    )
    assert personas.party.qualifications.count() == 1


def test_a_recorded_qualification_keeps_its_reference_and_is_audited(
    api: Api, personas: Personas
) -> None:
    response = api.post(url(personas), NEW | {"obtained_on": str(today())})
    assert response.status_code == 201
    assert "reference" not in response.json()
    qualification = Qualification.objects.get(pk=response.json()["id"])
    assert qualification.reference == "001234567890"
    entry = AuditEntry.objects.get(object_type="people.qualification", action="create")
    assert "001234567890" not in str(entry.changes)


def test_a_future_date_is_refused_and_nothing_is_written(api: Api, personas: Personas) -> None:
    audit = AuditEntry.objects.count()
    response = api.post(url(personas), NEW | {"obtained_on": str(today() + dt.timedelta(days=3))})
    assert response.status_code == 400
    assert rules_of(response) == ["qualification_obtained_not_future"]
    assert not personas.party.qualifications.exists()
    assert AuditEntry.objects.count() == audit


def test_other_needs_a_title(api: Api, personas: Personas) -> None:
    response = api.post(url(personas), {"kind": "other", "obtained_on": str(today())})
    assert response.status_code == 400
    assert fields_of(response) == ["title"]


# Changing


def test_only_the_admin_changes_a_qualification(
    api: Api, personas: Personas, qualification: Qualification
) -> None:
    expect(
        api,
        lambda who: api.patch(q_url(personas, qualification), {"note": "Checked"}, as_=who),
        {
            "party": 403,
            "supporter": 403,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
            "admin": 200,
        },
    )


def test_a_change_touches_only_the_fields_sent(
    api: Api, personas: Personas, qualification: Qualification
) -> None:
    expires = str(today() + dt.timedelta(days=365))
    response = api.patch(q_url(personas, qualification), {"expires_on": expires})
    assert response.status_code == 200
    assert response.json()["expires_on"] == expires
    assert response.json()["kind"] == "facilitator_training"
    qualification.refresh_from_db()
    assert qualification.reference == "DBS-0012345"


def test_an_expiry_before_obtaining_is_refused_and_nothing_changes(
    api: Api, personas: Personas, qualification: Qualification
) -> None:
    audit = AuditEntry.objects.count()
    response = api.patch(q_url(personas, qualification), {"expires_on": "2000-01-01"})
    assert response.status_code == 400
    assert rules_of(response) == ["qualification_expires_after_obtained"]
    qualification.refresh_from_db()
    assert qualification.expires_on is None
    assert AuditEntry.objects.count() == audit


def test_another_persons_qualification_is_404(
    api: Api, personas: Personas, qualification: Qualification
) -> None:
    other = (
        f"/organisations/riverside/people/{personas.supporter.pk}/qualifications/{qualification.pk}"
    )
    assert api.patch(other, {"note": "x"}).status_code == 404
    assert api.delete(other, {"reason": "x"}).status_code == 404


def test_another_organisations_qualification_is_404(api: Api, personas: Personas) -> None:
    theirs = QualificationFactory(person=personas.other_org)
    path = f"/organisations/hilltop/people/{personas.other_org.pk}/qualifications/{theirs.pk}"
    assert api.patch(path, {"note": "x"}).status_code == 404
    assert api.delete(path, {"reason": "x"}).status_code == 404
    assert Qualification.objects.filter(pk=theirs.pk).exists()


# Removing


def test_only_the_admin_removes_a_qualification(
    api: Api, personas: Personas, qualification: Qualification
) -> None:
    expect(
        api,
        lambda who: api.delete(
            q_url(personas, qualification), {"reason": "Recorded in error"}, as_=who
        ),
        {
            "party": 403,
            "supporter": 403,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
            "admin": 204,
        },
    )
    assert not Qualification.objects.filter(pk=qualification.pk).exists()


def test_removal_takes_the_reason_from_the_body(
    api: Api, personas: Personas, qualification: Qualification
) -> None:
    response = api.delete(q_url(personas, qualification), {"reason": "Recorded in error"})
    assert response.status_code == 204
    assert response.content == b""
    entry = AuditEntry.objects.get(object_type="people.qualification", action="delete")
    assert entry.reason == "Recorded in error"


def test_removal_takes_the_reason_from_the_query(
    api: Api, personas: Personas, qualification: Qualification
) -> None:
    response = api.delete(q_url(personas, qualification) + "?reason=Duplicate")
    assert response.status_code == 204
    assert AuditEntry.objects.get(action="delete").reason == "Duplicate"


@pytest.mark.parametrize("body", [None, {"reason": "  "}])
def test_removal_without_a_reason_is_refused_and_nothing_changes(
    api: Api, personas: Personas, qualification: Qualification, body: dict[str, str] | None
) -> None:
    audit = AuditEntry.objects.count()
    response = (
        api("DELETE", q_url(personas, qualification), body=body)
        if body
        else api.delete(q_url(personas, qualification))
    )
    assert response.status_code == 400
    assert fields_of(response) == ["reason"]
    assert Qualification.objects.filter(pk=qualification.pk).exists()
    assert AuditEntry.objects.count() == audit
