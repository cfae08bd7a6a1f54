"""people.services for qualifications: record, change and remove, by the admin only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commonground.audit.tests.helpers import invalid, nothing_written
from commonground.people import services
from commonground.people.models import Qualification, QualificationKind
from commonground.testing.factories import QualificationFactory
from commonground.testing.personas import Personas

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
NOT_ADMINS = ["party", "supporter", "unrelated", "other_org"]


def record(personas: Personas, **values: Any) -> Qualification:
    values.setdefault("kind", QualificationKind.DBS_CHECK)
    values.setdefault("obtained_on", TODAY - 10 * DAY)
    return services.qualification_record(
        actor=personas.admin.user, person=personas.supporter, **values
    )


def test_the_admin_records_a_qualification(personas: Personas) -> None:
    qualification = record(
        personas, expires_on=TODAY + 1000 * DAY, title="Enhanced DBS", reference="001122"
    )

    assert qualification.organisation == personas.org
    assert qualification.recorded_by == personas.admin.user
    assert qualification.is_current()
    assert Qualification.objects.get(pk=qualification.pk).reference == "001122"


def test_a_qualification_may_be_obtained_today_and_expire_the_same_day(
    personas: Personas,
) -> None:
    assert record(personas, obtained_on=TODAY, expires_on=TODAY).is_current()


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_records_qualifications(personas: Personas, name: str) -> None:
    with nothing_written(), pytest.raises(PermissionDenied):
        services.qualification_record(
            actor=personas.all()[name].user,
            person=personas.supporter,
            kind=QualificationKind.DBS_CHECK,
            obtained_on=TODAY,
        )


INVALID = [
    ({"kind": "knighthood"}, "kind", "invalid_choice"),
    ({"obtained_on": TODAY + DAY}, "obtained_on", "qualification_obtained_not_future"),
    (
        {"obtained_on": TODAY - DAY, "expires_on": TODAY - 2 * DAY},
        "expires_on",
        "qualification_expires_after_obtained",
    ),
    ({"kind": QualificationKind.OTHER, "title": "  "}, "title", "required"),
]


@pytest.mark.parametrize(("values", "field", "code"), INVALID)
def test_qualification_record_refuses_bad_values(
    personas: Personas, values: dict[str, Any], field: str, code: str
) -> None:
    with nothing_written(), pytest.raises(ValidationError) as error:
        record(personas, **values)

    assert invalid(error.value, field, code)


def test_the_admin_changes_a_qualification(personas: Personas) -> None:
    qualification = QualificationFactory(person=personas.supporter)

    services.qualification_update(
        actor=personas.admin.user, qualification=qualification, expires_on=TODAY + 30 * DAY
    )

    qualification.refresh_from_db()
    assert qualification.expires_on == TODAY + 30 * DAY


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_changes_qualifications(personas: Personas, name: str) -> None:
    qualification = QualificationFactory(person=personas.supporter)

    with nothing_written(), pytest.raises(PermissionDenied):
        services.qualification_update(
            actor=personas.all()[name].user, qualification=qualification, title="Forged"
        )


@pytest.mark.parametrize(("values", "field", "code"), INVALID)
def test_qualification_update_refuses_bad_values(
    personas: Personas, values: dict[str, Any], field: str, code: str
) -> None:
    qualification = QualificationFactory(person=personas.supporter)

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.qualification_update(
            actor=personas.admin.user, qualification=qualification, **values
        )

    assert invalid(error.value, field, code)
    qualification.refresh_from_db()
    assert qualification.kind == QualificationKind.FACILITATOR_TRAINING


def test_an_expiry_before_the_stored_date_obtained_is_refused(personas: Personas) -> None:
    qualification = QualificationFactory(person=personas.supporter, obtained_on=TODAY - 5 * DAY)

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.qualification_update(
            actor=personas.admin.user, qualification=qualification, expires_on=TODAY - 6 * DAY
        )

    assert invalid(error.value, "expires_on", "qualification_expires_after_obtained")


def test_qualification_update_refuses_unknown_fields(personas: Personas) -> None:
    qualification = QualificationFactory(person=personas.supporter)

    with nothing_written(), pytest.raises(ValidationError, match="Unknown fields: person"):
        services.qualification_update(
            actor=personas.admin.user, qualification=qualification, person=personas.party
        )


def test_the_admin_removes_a_qualification_with_a_reason(personas: Personas) -> None:
    qualification = QualificationFactory(person=personas.supporter)

    services.qualification_delete(
        actor=personas.admin.user, qualification=qualification, reason="Recorded in error"
    )

    assert not Qualification.objects.filter(pk=qualification.pk).exists()


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_the_admin_removes_qualifications(personas: Personas, name: str) -> None:
    qualification = QualificationFactory(person=personas.supporter)

    with nothing_written(), pytest.raises(PermissionDenied):
        services.qualification_delete(
            actor=personas.all()[name].user, qualification=qualification, reason="Mine now"
        )


def test_removing_a_qualification_needs_a_reason(personas: Personas) -> None:
    qualification = QualificationFactory(person=personas.supporter)

    with nothing_written(), pytest.raises(ValidationError) as error:
        services.qualification_delete(
            actor=personas.admin.user, qualification=qualification, reason=" "
        )

    assert invalid(error.value, "reason", "required")
