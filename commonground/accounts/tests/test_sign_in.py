from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from commonground.accounts.models import User
from commonground.accounts.tests.helpers import is_signed_in, sign_in
from commonground.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_signs_in_with_email_and_password(client):
    user = UserFactory(email="pat@example.test")
    response = sign_in(client, "pat@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_email_is_matched_whatever_its_case(client):
    UserFactory(email="pat@example.test")
    sign_in(client, "Pat@Example.TEST")
    assert is_signed_in(client)


@pytest.mark.real_password_hashing
def test_it_stores_the_password_with_argon2():
    user = UserFactory()
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


def test_it_refuses_a_wrong_password_with_an_error_summary(client):
    UserFactory(email="pat@example.test")
    response = sign_in(client, "pat@example.test", "not-the-password")
    assert response.status_code == 200
    assert not is_signed_in(client)
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "The email address or password is not right." in html


def test_it_refuses_an_inactive_account(client):
    UserFactory(email="gone@example.test", is_active=False)
    sign_in(client, "gone@example.test")
    assert not is_signed_in(client)


def test_failed_sign_ins_are_rate_limited_so_even_the_right_password_is_refused(client):
    UserFactory(email="pat@example.test")
    # ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per account in 5 minutes.
    allowed = 5
    assert f"{allowed}/5m/key" in settings.ACCOUNT_RATE_LIMITS["login_failed"]
    for _ in range(allowed):
        response = sign_in(client, "pat@example.test", "a-wrong-guess")
        assert "Too many" not in response.content.decode()
    response = sign_in(client, "pat@example.test")
    assert response.status_code == 200
    assert not is_signed_in(client)
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_the_rate_limit_counts_per_account(client):
    UserFactory(email="pat@example.test")
    UserFactory(email="sam@example.test")
    for _ in range(5):
        sign_in(client, "pat@example.test", "a-wrong-guess")
    sign_in(client, "sam@example.test")
    assert is_signed_in(client)


def test_the_sign_in_page_says_accounts_come_from_the_admin_and_links_no_sign_up(client):
    response = client.get(reverse("account_login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Accounts are given by your organisation’s admin" in html
    assert "Forgotten your password?" in html
    assert reverse("account_reset_password") in html
    assert reverse("account_signup") not in html
    assert html.count("<h1") == 1
    assert 'for="id_login"' in html and 'for="id_password"' in html
    assert "placeholder" not in html


def test_open_sign_up_is_refused(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.test",
            "password1": "a-long-new-pass-phrase",
            "password2": "a-long-new-pass-phrase",
        },
    )
    assert response.status_code == 200
    assert "Accounts are given by your organisation" in response.content.decode()
    assert not User.objects.filter(email="new@example.test").exists()
    assert not is_signed_in(client)


def test_the_sign_up_page_explains_who_gives_accounts(client):
    response = client.get(reverse("account_signup"))
    assert "ask them" in response.content.decode()


def test_it_signs_out_with_a_post(client):
    UserFactory(email="pat@example.test")
    sign_in(client, "pat@example.test")
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert not is_signed_in(client)


def test_the_sign_out_page_asks_before_signing_out(client):
    UserFactory(email="pat@example.test")
    sign_in(client, "pat@example.test")
    response = client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert is_signed_in(client)
    assert "<h1>Sign out</h1>" in response.content.decode()


@pytest.mark.django_db
def test_an_installation_superuser_has_no_need_to_know_by_default() -> None:
    from commonground.testing.personas import make_personas

    personas = make_personas()
    operator = User.objects.create_superuser("operator@example.test", "a-long-password-1")
    assert not operator.has_perm("people.view_person", personas.party)
    assert not operator.has_perm("people.view_confidential", personas.party)
    assert not operator.has_perm("audit.view_auditentry", personas.org)
    assert not operator.has_perm("no.such_permission")
