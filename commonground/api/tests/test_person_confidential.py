from __future__ import annotations

import pytest

from commonground.accounts.services import api_token_create
from commonground.api.tests.conftest import Api, expect
from commonground.audit.models import AuditEntry
from commonground.people.roles import Role
from commonground.testing.factories import person_with_login
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(personas: Personas) -> str:
    return f"/organisations/riverside/people/{personas.party.pk}/confidential"


def test_it_is_for_the_person_and_the_admin(api: Api, personas: Personas) -> None:
    expect(
        api,
        lambda who: api.get(url(personas), as_=who),
        {
            "party": 200,
            "admin": 200,
            "supporter": 403,
            "unrelated": 404,
            "other_org": 404,
            None: 401,
        },
    )


def test_it_shows_the_confidential_attributes(api: Api, personas: Personas) -> None:
    assert api.get(url(personas)).json() == {
        "gender": "Woman",
        "gender_value": "woman",
        "support_needs": "Uses a wheelchair; asthma.",
    }


def test_every_read_writes_an_audit_entry(api: Api, personas: Personas) -> None:
    api.get(url(personas))
    api.get(url(personas))
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.READ, object_id=str(personas.party.pk)
    )
    assert entries.count() == 2
    entry = entries.first()
    assert entry is not None
    assert entry.actor == personas.admin.user
    assert entry.object_type == "people.person"
    assert entry.changes == {"fields": ["gender", "support_needs"]}


def test_a_refused_read_writes_no_audit_entry(api: Api, personas: Personas) -> None:
    before = AuditEntry.objects.count()
    assert api.get(url(personas), as_="supporter").status_code == 403
    assert api.get(url(personas), as_="unrelated").status_code == 404
    assert AuditEntry.objects.count() == before


def test_the_safeguarding_lead_breaks_glass_with_a_reason(api: Api, personas: Personas) -> None:
    lead = person_with_login(personas.org, Role.SAFEGUARDING_LEAD, email="lead@example.test")
    api.tokens["lead"] = api_token_create(actor=None, user=lead.user, name="Tests")[1]
    assert api.get(url(personas), as_="lead").status_code == 403
    assert api.get(url(personas) + "?break_glass=true", as_="lead").status_code == 403
    response = api.get(url(personas) + "?break_glass=true&reason=Disclosure+at+group", as_="lead")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BREAK_GLASS)
    assert entry.reason == "Disclosure at group"


def test_only_the_safeguarding_lead_may_break_glass(api: Api, personas: Personas) -> None:
    response = api.get(url(personas) + "?break_glass=true&reason=curious", as_="supporter")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.BREAK_GLASS).exists()
