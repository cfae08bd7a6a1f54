from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.accounts.tests.helpers import sign_in_with_code
from commonground.people.roles import Role
from commonground.testing.factories import (
    OrganisationFactory,
    PersonFactory,
    RoleAssignmentFactory,
    person_with_login,
)

pytestmark = pytest.mark.django_db

URL = "/account/"


def test_the_url_is_named_account_home():
    assert reverse("account_home") == URL


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


@pytest.mark.parametrize("who", ["party", "supporter", "admin", "unrelated", "other_org"])
def test_every_persona_sees_their_own_account_only(client, personas, who):
    person = getattr(personas, who)
    client.force_login(person.user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert person.user.email in html
    assert person.organisation.name in html
    others = [p for name, p in personas.all().items() if name != who]
    for other in others:
        assert other.user.email not in html
    assert "no-store" in response["Cache-Control"]


def test_it_lists_organisations_and_current_roles(client, personas):
    client.force_login(personas.admin.user)
    html = client.get(URL).content.decode()
    assert "Riverside Housing Co-op" in html
    assert "Organisation admin" in html
    assert "Hilltop Peer Support" not in html


def test_it_lists_every_organisation_the_login_belongs_to(client):
    first = OrganisationFactory(name="Alpha Group")
    second = OrganisationFactory(name="Beta Group")
    person = person_with_login(first, Role.FACILITATOR)
    other = PersonFactory(organisation=second, user=person.user)
    RoleAssignmentFactory(person=other, role=Role.BUDDY_COORDINATOR)
    client.force_login(person.user)
    html = client.get(URL).content.decode()
    assert html.index("Alpha Group") < html.index("Beta Group")
    assert "Facilitator" in html and "Buddy coordinator" in html


def test_it_says_the_second_factor_is_on_when_it_is(client, personas):
    client.force_login(personas.supporter.user)
    html = client.get(URL).content.decode()
    assert "an authenticator app" in html
    assert reverse("mfa_index") in html


def test_it_offers_a_plain_member_a_second_factor_without_requiring_it(client, personas):
    client.force_login(personas.party.user)
    html = client.get(URL).content.decode()
    assert "Set up a second step" in html
    assert "Required:" not in html


def test_it_says_when_a_role_requires_a_second_factor(client, personas):
    client.force_login(personas.admin.user)
    html = client.get(URL).content.decode()
    assert "Required: your role lets you see confidential records" in html


def test_it_does_not_say_required_when_the_rule_is_off(client, personas, settings):
    settings.MFA_REQUIRED_FOR_CONFIDENTIAL_ROLES = False
    client.force_login(personas.admin.user)
    assert "Required:" not in client.get(URL).content.decode()


def test_it_links_to_password_change_and_api_tokens(client, personas):
    client.force_login(personas.party.user)
    html = client.get(URL).content.decode()
    assert reverse("account_change_password") in html
    assert reverse("token_list") in html


def test_it_works_after_a_real_sign_in_with_a_code(client, personas):
    sign_in_with_code(client, personas.admin.user)
    assert client.get(URL).status_code == 200
