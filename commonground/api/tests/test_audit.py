from __future__ import annotations

import pytest

from commonground.api.tests.conftest import Api, expect, fields_of
from commonground.audit.models import AuditEntry
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

URL = "/organisations/riverside/audit"


def test_the_audit_log_is_for_the_admin(api: Api) -> None:
    expect(
        api,
        lambda who: api.get(URL, as_=who),
        {
            "party": 403,
            "supporter": 403,
            "unrelated": 403,
            "other_org": 404,
            None: 401,
            "admin": 200,
        },
    )


def test_it_lists_the_organisations_entries_newest_first(api: Api, personas: Personas) -> None:
    api.patch("/organisations/riverside", {"phone": "01234 567890"})
    api.get(f"/organisations/riverside/people/{personas.party.pk}/confidential")
    body = api.get(URL).json()
    assert [e["action"] for e in body["items"][:2]] == ["read", "update"]
    seqs = [e["seq"] for e in body["items"]]
    assert seqs == sorted(seqs, reverse=True)
    assert body["count"] == AuditEntry.objects.filter(organisation=personas.org).count()


def test_it_never_shows_another_organisations_entries(api: Api, personas: Personas) -> None:
    api.patch("/organisations/hilltop", {"phone": "09999"}, as_="other_org")
    body = api.get(URL).json()
    assert all(e["summary"] != "Organisation settings changed" for e in body["items"])
    assert api.get("/organisations/hilltop/audit", as_="other_org").json()["count"] >= 1


def test_it_filters_by_record(api: Api, personas: Personas) -> None:
    api.get(f"/organisations/riverside/people/{personas.party.pk}/confidential")
    api.get(f"/organisations/riverside/people/{personas.party.pk}/confidential", as_="party")
    api.patch("/organisations/riverside", {"phone": "01234 567890"})
    body = api.get(f"{URL}?object_type=people.person&object_id={personas.party.pk}").json()
    assert body["count"] == 2
    assert {e["object_id"] for e in body["items"]} == {str(personas.party.pk)}


def test_it_filters_by_action(api: Api, personas: Personas) -> None:
    api.get(f"/organisations/riverside/people/{personas.party.pk}/confidential")
    body = api.get(f"{URL}?action=read").json()
    assert body["count"] == 1
    assert body["items"][0]["changes"] == {"fields": ["gender", "support_needs"]}


def test_it_pages(api: Api, personas: Personas) -> None:
    for _ in range(5):
        api.get(f"/organisations/riverside/people/{personas.party.pk}/confidential")
    body = api.get(f"{URL}?action=read&page_size=2&page=3").json()
    assert (body["count"], body["pages"], len(body["items"])) == (5, 3, 1)


def test_it_refuses_an_unknown_action(api: Api) -> None:
    response = api.get(f"{URL}?action=shred")
    assert response.status_code == 400
    assert fields_of(response) == ["action"]


def test_the_audit_list_query_count_does_not_grow(
    api: Api, personas: Personas, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    path = f"/organisations/riverside/people/{personas.party.pk}/confidential"
    api.get(path)
    with django_assert_num_queries(6):
        assert api.get(URL + "?page_size=200").json()["count"] >= 1
    for _ in range(30):
        api.get(path)
    with django_assert_num_queries(6):
        assert api.get(URL + "?page_size=200").json()["count"] >= 31
