from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.people.models import MembershipChange
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(personas: Personas) -> str:
    return f"/organisations/riverside/people/{personas.party.pk}/membership"


def change(**values: str) -> dict[str, str]:
    return {
        "status": "hiatus",
        "effective_on": str(timezone.localdate()),
        "reason": "Taking time out",
    } | values


def test_only_the_admin_changes_someone_elses_membership(api: Api, personas: Personas) -> None:
    expect(
        api,
        lambda who: api.post(url(personas), change(), as_=who),
        {
            "party": 403,
            "supporter": 403,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
            "admin": 201,
        },
    )


def test_the_admin_cannot_change_their_own_membership(api: Api, personas: Personas) -> None:
    own = f"/organisations/riverside/people/{personas.admin.pk}/membership"
    assert api.post(own, change()).status_code == 403


def test_a_change_is_recorded_with_its_reason(api: Api, personas: Personas) -> None:
    response = api.post(url(personas), change())
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "hiatus"
    assert body["reason"] == "Taking time out"
    personas.party.refresh_from_db()
    assert personas.party.membership_status == "hiatus"
    entry = AuditEntry.objects.filter(object_type="people.person", action="update").first()
    assert entry is not None and entry.reason == "Taking time out"


def test_a_future_date_is_refused_and_nothing_changes(api: Api, personas: Personas) -> None:
    changes, audit = MembershipChange.objects.count(), AuditEntry.objects.count()
    tomorrow = str(timezone.localdate() + dt.timedelta(days=1))
    response = api.post(url(personas), change(effective_on=tomorrow))
    assert response.status_code == 400
    assert fields_of(response) == ["effective_on"]
    assert rules_of(response) == ["membership_date_not_future"]
    personas.party.refresh_from_db()
    assert personas.party.membership_status == "active"
    assert (MembershipChange.objects.count(), AuditEntry.objects.count()) == (changes, audit)


def test_the_same_status_again_is_refused_with_the_status_named(
    api: Api, personas: Personas
) -> None:
    response = api.post(url(personas), change(status="active"))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "status",
            "rule": "membership_status_unchanged",
            "message": "The membership is active already.",
        }
    ]


def test_a_reason_is_needed(api: Api, personas: Personas) -> None:
    response = api.post(url(personas), change(reason="  "))
    assert response.status_code == 400
    assert fields_of(response) == ["reason"]


def test_missing_fields_are_each_named(api: Api, personas: Personas) -> None:
    response = api.post(url(personas), {})
    assert response.status_code == 400
    assert sorted(fields_of(response)) == ["effective_on", "reason", "status"]
    assert set(rules_of(response)) == {"missing"}
