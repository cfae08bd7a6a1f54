from __future__ import annotations

import pytest

from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

MEMBERS_ONLY = {
    "party": 200,
    "supporter": 200,
    "admin": 200,
    "unrelated": 200,
    "other_org": 404,
    None: 401,
}


def test_the_list_holds_only_the_users_own_organisations(api: Api) -> None:
    assert [o["slug"] for o in api.get("/organisations", as_="party").json()] == ["riverside"]
    assert [o["slug"] for o in api.get("/organisations", as_="other_org").json()] == ["hilltop"]
    assert api.get("/organisations", as_=None).status_code == 401


def test_the_detail_is_for_members(api: Api) -> None:
    expect(api, lambda who: api.get("/organisations/riverside", as_=who), MEMBERS_ONLY)


def test_the_detail_describes_the_organisation(api: Api) -> None:
    body = api.get("/organisations/riverside", as_="party").json()
    assert body["slug"] == "riverside"
    assert body["name"] == "Riverside Housing Co-op"
    assert set(body) == {
        "slug",
        "name",
        "kind",
        "contact_email",
        "phone",
        "address",
        "description",
    }


def test_another_organisation_looks_exactly_like_a_missing_one(api: Api) -> None:
    hidden = api.get("/organisations/hilltop", as_="party")
    missing = api.get("/organisations/nowhere", as_="party")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_only_the_admin_changes_settings(api: Api) -> None:
    expect(
        api,
        lambda who: api.patch("/organisations/riverside", {"phone": "01234 567890"}, as_=who),
        {
            "party": 403,
            "supporter": 403,
            "unrelated": 403,
            "other_org": 404,
            None: 401,
            "admin": 200,
        },
    )


def test_the_admin_changes_only_the_fields_sent(api: Api, personas: Personas) -> None:
    response = api.patch("/organisations/riverside", {"description": "Homes for all."})
    assert response.status_code == 200
    assert response.json()["description"] == "Homes for all."
    assert response.json()["name"] == "Riverside Housing Co-op"
    entry = AuditEntry.objects.filter(object_type="people.organisation").first()
    assert entry is not None and entry.changes == {"description": ["", "Homes for all."]}


def test_a_refused_change_changes_nothing(api: Api, personas: Personas) -> None:
    before = AuditEntry.objects.count()
    response = api.patch("/organisations/riverside", {"name": "   "})
    assert response.status_code == 400
    assert fields_of(response) == ["name"]
    assert rules_of(response) == ["required"]
    personas.org.refresh_from_db()
    assert personas.org.name == "Riverside Housing Co-op"
    assert AuditEntry.objects.count() == before


def test_a_bad_email_is_named_by_field(api: Api) -> None:
    response = api.patch("/organisations/riverside", {"contact_email": "not an email"})
    assert response.status_code == 400
    assert fields_of(response) == ["contact_email"]
    assert rules_of(response) == ["invalid"]


def test_an_unknown_kind_is_refused(api: Api) -> None:
    response = api.patch("/organisations/riverside", {"kind": "empire"})
    assert response.status_code == 400
    assert fields_of(response) == ["kind"]
