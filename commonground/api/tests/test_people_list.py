from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonground.api.tests.conftest import Api, expect, fields_of
from commonground.people.models import MembershipStatus
from commonground.people.roles import Role
from commonground.testing.factories import PersonFactory, RoleAssignmentFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

URL = "/organisations/riverside/people"


def test_the_directory_is_for_those_who_coordinate_people(api: Api) -> None:
    expect(
        api,
        lambda who: api.get(URL, as_=who),
        {
            "party": 403,
            "unrelated": 403,
            "supporter": 200,
            "admin": 200,
            "other_org": 404,
            None: 401,
        },
    )


def test_it_lists_names_pronouns_and_roles_but_no_contact_details(api: Api) -> None:
    body = api.get(URL, as_="supporter").json()
    assert body["count"] == 4
    assert body["page"] == 1
    assert body["pages"] == 1
    names = [p["full_name"] for p in body["items"]]
    assert names == sorted(names)
    admin = next(p for p in body["items"] if p["full_name"] == "Alex Admin")
    assert admin["roles"] == [{"role": "org_admin", "label": "Organisation admin"}]
    assert set(admin) == {
        "id",
        "full_name",
        "preferred_name",
        "display_name",
        "pronouns",
        "membership_status",
        "has_login",
        "roles",
    }


def test_it_never_lists_another_organisations_people(api: Api) -> None:
    names = [p["full_name"] for p in api.get(URL).json()["items"]]
    assert "Olu Other" not in names
    assert [
        p["full_name"]
        for p in api.get("/organisations/hilltop/people", as_="other_org").json()["items"]
    ] == ["Olu Other"]


def test_it_filters_by_name(api: Api) -> None:
    body = api.get(URL + "?q=pat").json()
    assert [p["full_name"] for p in body["items"]] == ["Pat Party"]


def test_it_filters_by_current_role(api: Api) -> None:
    body = api.get(URL + "?role=facilitator").json()
    assert [p["full_name"] for p in body["items"]] == ["Sam Supporter"]


def test_it_filters_by_status(api: Api, personas: Personas) -> None:
    PersonFactory(
        organisation=personas.org, full_name="Hal Hiatus", membership_status=MembershipStatus.HIATUS
    )
    body = api.get(URL + "?status=hiatus").json()
    assert [p["full_name"] for p in body["items"]] == ["Hal Hiatus"]


def test_it_refuses_an_unknown_role_or_status(api: Api) -> None:
    response = api.get(URL + "?role=emperor&status=asleep")
    assert response.status_code == 400
    assert sorted(fields_of(response)) == ["role", "status"]


def test_it_pages_the_list(api: Api, personas: Personas) -> None:
    PersonFactory.create_batch(6, organisation=personas.org)
    first = api.get(URL + "?page_size=3").json()
    assert (first["count"], first["page"], first["pages"], len(first["items"])) == (10, 1, 4, 3)
    last = api.get(URL + "?page_size=3&page=4").json()
    assert len(last["items"]) == 1
    seen = {
        p["id"]
        for page in range(1, 5)
        for p in api.get(URL + f"?page_size=3&page={page}").json()["items"]
    }
    assert len(seen) == 10


def test_a_page_past_the_end_is_empty(api: Api) -> None:
    body = api.get(URL + "?page=99").json()
    assert body["items"] == []
    assert body["page"] == 99
    assert body["pages"] == 1


def test_it_uses_the_default_page_size(api: Api, personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    PersonFactory.create_batch(settings.API_PAGE_SIZE_DEFAULT, organisation=personas.org)
    body = api.get(URL).json()
    assert len(body["items"]) == settings.API_PAGE_SIZE_DEFAULT
    assert body["pages"] == 2


@pytest.mark.parametrize("size", ["0", "-5", "201", "100000"])
def test_it_refuses_a_page_size_out_of_range(api: Api, size: str) -> None:
    response = api.get(URL + f"?page_size={size}")
    assert response.status_code == 400
    assert fields_of(response) == ["page_size"]


def _queries(api: Api) -> int:
    api.get(URL + "?page_size=200")  # first use of the token notes when it was last used
    with CaptureQueriesContext(connection) as captured:
        response = api.get(URL + "?page_size=200")
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_it_runs_the_same_queries_for_10_and_200_people(api: Api, personas: Personas) -> None:
    def add(count: int) -> None:
        for person in PersonFactory.create_batch(count, organisation=personas.org):
            RoleAssignmentFactory(person=person, role=Role.SW_MEMBER)

    add(10 - 4)
    with_10 = _queries(api)
    assert api.get(URL + "?page_size=200").json()["count"] == 10
    add(200 - 10)
    with_200 = _queries(api)
    assert api.get(URL + "?page_size=200").json()["count"] == 200
    assert with_10 == with_200


def test_the_list_query_count_is_fixed(
    api: Api, personas: Personas, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    PersonFactory.create_batch(196, organisation=personas.org)
    api.get(URL)
    # token, standing (person, roles), organisation, count, page, current roles
    with django_assert_num_queries(7):
        assert len(api.get(URL + "?page_size=200").json()["items"]) == 200
