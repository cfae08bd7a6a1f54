from __future__ import annotations

import pytest

from commonground.api.tests.conftest import Api, expect
from commonground.people.roles import Role
from commonground.testing.factories import PersonFactory, RoleAssignmentFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_it_answers_every_persona_and_refuses_anonymous(api: Api) -> None:
    expect(
        api,
        lambda who: api.get("/me", as_=who),
        {
            "party": 200,
            "supporter": 200,
            "admin": 200,
            "unrelated": 200,
            "other_org": 200,
            None: 401,
        },
    )


def test_it_lists_the_users_organisations_with_current_roles(api: Api) -> None:
    body = api.get("/me", as_="admin").json()
    assert body == {
        "email": "admin@example.test",
        "organisations": [
            {
                "slug": "riverside",
                "name": "Riverside Housing Co-op",
                "roles": [{"role": "org_admin", "label": "Organisation admin"}],
            }
        ],
    }


def test_it_shows_a_member_without_roles_with_an_empty_list(api: Api) -> None:
    organisations = api.get("/me", as_="party").json()["organisations"]
    assert organisations == [{"slug": "riverside", "name": "Riverside Housing Co-op", "roles": []}]


def test_it_leaves_out_roles_that_have_ended(api: Api, personas: Personas) -> None:
    import datetime as dt

    from django.utils import timezone

    RoleAssignmentFactory(
        person=personas.party,
        role=Role.SW_MEMBER,
        starts_on=timezone.localdate() - dt.timedelta(days=60),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert api.get("/me", as_="party").json()["organisations"][0]["roles"] == []


def test_it_lists_every_organisation_a_user_belongs_to(api: Api, personas: Personas) -> None:
    PersonFactory(organisation=personas.other, user=personas.party.user)
    slugs = [o["slug"] for o in api.get("/me", as_="party").json()["organisations"]]
    assert slugs == ["hilltop", "riverside"]
