from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.tests.helpers import is_signed_in, sign_in, sign_in_with_code, totp_code
from commonground.people.roles import Role
from commonground.testing.factories import OrganisationFactory, give_mfa, person_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory()


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.SAFEGUARDING_LEAD])
def test_a_confidential_role_without_a_second_factor_is_sent_to_set_one_up(client, org, role):
    person = person_with_login(org, role, mfa=False)
    sign_in(client, person.user.email)
    response = client.get(reverse("account_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Your role lets you see confidential records" in html
    assert "<h1>Set up an authenticator app</h1>" in html


def test_setting_up_an_authenticator_app_lets_them_through(client, org):
    person = person_with_login(org, Role.SAFEGUARDING_LEAD, mfa=False)
    sign_in(client, person.user.email)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=person.user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("account_home")).status_code == 200


def test_a_confidential_role_with_a_second_factor_is_let_through(client, org):
    person = person_with_login(org, Role.ORG_ADMIN, mfa=True)
    sign_in_with_code(client, person.user)
    assert client.get(reverse("account_home")).status_code == 200


def test_a_plain_member_is_never_asked_for_a_second_factor(client, org):
    person = person_with_login(org, mfa=False)
    sign_in(client, person.user.email)
    assert is_signed_in(client)
    assert client.get(reverse("account_home")).status_code == 200


def test_a_role_that_has_ended_no_longer_needs_a_second_factor(client, org):
    person = person_with_login(org, Role.ORG_ADMIN, mfa=False)
    person.roles.update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    sign_in(client, person.user.email)
    assert client.get(reverse("account_home")).status_code == 200


def test_the_rule_is_off_when_the_setting_is_off(client, org, settings):
    settings.MFA_REQUIRED_FOR_CONFIDENTIAL_ROLES = False
    person = person_with_login(org, Role.ORG_ADMIN, mfa=False)
    sign_in(client, person.user.email)
    assert client.get(reverse("account_home")).status_code == 200


def test_sign_out_and_the_setup_pages_stay_open(client, org):
    person = person_with_login(org, Role.ORG_ADMIN, mfa=False)
    sign_in(client, person.user.email)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert not is_signed_in(client)


def test_with_an_authenticator_app_the_code_is_asked_for_at_sign_in(client, org):
    person = person_with_login(org, Role.FACILITATOR, mfa=True)
    response = sign_in(client, person.user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_signed_in(client)
    page = client.get(reverse("mfa_authenticate"))
    assert "<h1>Enter your code</h1>" in page.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(person.user)})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.get(reverse("account_home")).status_code == 200


def test_a_wrong_code_does_not_sign_in(client, org):
    person = person_with_login(org, Role.FACILITATOR, mfa=True)
    sign_in(client, person.user.email)
    wrong = "000000" if totp_code(person.user) != "000000" else "111111"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert not is_signed_in(client)
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'aria-invalid="true"' in html


def test_a_plain_member_with_an_authenticator_is_asked_for_the_code_too(client, org):
    person = person_with_login(org, mfa=False)
    give_mfa(person.user)
    response = sign_in(client, person.user.email)
    assert response["Location"] == reverse("mfa_authenticate")


def test_a_password_typed_a_while_ago_must_be_confirmed_before_turning_the_app_off(client, org):
    person = person_with_login(org, mfa=False)
    give_mfa(person.user)
    sign_in_with_code(client, person.user)
    assert client.get(reverse("mfa_deactivate_totp")).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10), tick=False):
        response = client.get(reverse("mfa_deactivate_totp"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        page = client.get(response["Location"])
        assert "<h1>Confirm it is you</h1>" in page.content.decode()
