from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonground.people.models import MembershipStatus, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.testing.factories import PersonFactory, RoleAssignmentFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def url(org: str = "riverside", **query: str) -> str:
    base = reverse("people:person_list", kwargs={"org": org})
    if query:
        from urllib.parse import urlencode

        base += "?" + urlencode(query)
    return base


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 403), ("supporter", 200), ("admin", 200), ("unrelated", 403), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_the_directory(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    response = client.get(url())
    assert response.status_code == status


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    response = client.get(url())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_without_a_coordinating_role_sees_a_plain_refusal(
    client, personas: Personas
) -> None:
    client.force_login(personas.unrelated.user)
    response = client.get(url())
    assert response.status_code == 403
    content = response.content.decode()
    assert "<h1>You cannot do this</h1>" in content
    assert "Pat Party" not in content


def test_the_directory_lists_names_pronouns_roles_status_and_login(
    client, personas: Personas
) -> None:
    PersonFactory(
        organisation=personas.org,
        full_name="Nia Nologin",
        preferred_name="Nia",
        pronouns="she/her",
        membership_status=MembershipStatus.HIATUS,
    )
    client.force_login(personas.supporter.user)
    response = client.get(url())
    content = response.content.decode()
    assert "Nia Nologin" in content
    assert "Known as Nia" in content
    assert "she/her" in content
    assert "On hiatus" in content
    assert "Facilitator" in content
    assert "Olu Other" not in content
    assert "<caption>" in content
    assert content.count("<h1>") == 1
    people = list(response.context["people"])
    assert [p.user_id is None for p in people if p.full_name == "Nia Nologin"] == [True]


def test_the_directory_does_not_show_contact_details_or_confidential_fields(
    client, personas: Personas
) -> None:
    client.force_login(personas.supporter.user)
    content = client.get(url()).content.decode()
    assert "party@example.test" not in content
    assert "wheelchair" not in content


def test_search_finds_people_by_name_and_by_email(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    by_name = client.get(url(q="supp"))
    assert [p.full_name for p in by_name.context["people"]] == ["Sam Supporter"]
    by_email = client.get(url(q="party@example"))
    assert [p.full_name for p in by_email.context["people"]] == ["Pat Party"]


def test_the_role_filter_shows_only_current_holders_of_the_role(client, personas: Personas) -> None:
    past = PersonFactory(organisation=personas.org, full_name="Former Facilitator")
    RoleAssignmentFactory(
        person=past,
        role=Role.FACILITATOR,
        starts_on=timezone.localdate() - dt.timedelta(days=100),
        ends_on=timezone.localdate() - dt.timedelta(days=10),
    )
    client.force_login(personas.admin.user)
    response = client.get(url(role=Role.FACILITATOR))
    assert [p.full_name for p in response.context["people"]] == ["Sam Supporter"]


def test_the_status_filter_shows_only_that_membership_status(client, personas: Personas) -> None:
    PersonFactory(
        organisation=personas.org, full_name="Lee Left", membership_status=MembershipStatus.LEFT
    )
    client.force_login(personas.admin.user)
    response = client.get(url(status=MembershipStatus.LEFT))
    assert [p.full_name for p in response.context["people"]] == ["Lee Left"]


def test_nonsense_filters_are_ignored_and_explained_not_a_server_error(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    response = client.get(url(role="emperor", status="x", q="a" * 5000, page="banana"))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert len(response.context["people"]) == 4


def test_the_list_is_paged_25_at_a_time(client, personas: Personas) -> None:
    Person.objects.bulk_create(
        Person(organisation=personas.org, full_name=f"Zed {i:02d}") for i in range(30)
    )
    client.force_login(personas.admin.user)
    first = client.get(url())
    assert len(first.context["people"]) == 25
    assert 'rel="next"' in first.content.decode()
    second = client.get(url(page="2"))
    assert len(second.context["people"]) == 34 - 25
    assert "Page 2 of 2" in second.content.decode()
    beyond = client.get(url(page="999999999999999999999999"))
    assert beyond.status_code == 200
    assert beyond.context["page_obj"].number == 2


def test_paging_keeps_the_search(client, personas: Personas) -> None:
    Person.objects.bulk_create(
        Person(organisation=personas.org, full_name=f"Zed {i:02d}") for i in range(30)
    )
    client.force_login(personas.admin.user)
    content = client.get(url(q="Zed")).content.decode()
    assert "?q=Zed&amp;page=2" in content


def _add_people(org, count: int) -> None:
    start = Person.objects.filter(organisation=org).count()
    people = Person.objects.bulk_create(
        Person(organisation=org, full_name=f"Member {start + i:05d}", pronouns="they/them")
        for i in range(count)
    )
    today = timezone.localdate()
    RoleAssignment.objects.bulk_create(
        RoleAssignment(organisation=org, person=p, role=Role.TRAINED_TEAM_MEMBER, starts_on=today)
        for p in people
    )


def test_the_people_list_runs_the_same_number_of_queries_for_10_and_for_1000_people(
    client, personas: Personas, django_assert_num_queries
) -> None:
    _add_people(personas.org, 10 - Person.objects.filter(organisation=personas.org).count())
    client.force_login(personas.admin.user)
    client.get(url())  # warm up caches that are filled once per process
    with CaptureQueriesContext(connection) as small:
        response = client.get(url())
    assert response.context["page_obj"].paginator.count == 10

    _add_people(personas.org, 990)
    with django_assert_num_queries(len(small)):
        response = client.get(url())
    assert response.context["page_obj"].paginator.count == 1000
    assert len(response.context["people"]) == 25


def test_filtering_by_role_does_not_add_queries_per_person(
    client, personas: Personas, django_assert_num_queries
) -> None:
    _add_people(personas.org, 6)
    client.force_login(personas.admin.user)
    client.get(url(role=Role.TRAINED_TEAM_MEMBER))
    with CaptureQueriesContext(connection) as small:
        client.get(url(role=Role.TRAINED_TEAM_MEMBER))
    _add_people(personas.org, 200)
    with django_assert_num_queries(len(small)):
        client.get(url(role=Role.TRAINED_TEAM_MEMBER))


def test_posting_to_the_directory_is_refused_politely(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    assert client.post(url()).status_code == 405
