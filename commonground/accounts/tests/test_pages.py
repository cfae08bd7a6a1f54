"""Every sign-in and account page is a page of the product: our layout, one h1, labelled fields."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from commonground.accounts.tests.helpers import sign_in, sign_in_with_code
from commonground.testing.factories import UserFactory, give_mfa

pytestmark = pytest.mark.django_db


def assert_product_page(response) -> str:
    assert response.status_code == 200, response
    html = response.content.decode()
    assert 'class="skip-link"' in html
    assert '<main id="main"' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1, html
    assert re.search(r"<title>[^<]+ – Common Ground</title>", html), html[:400]
    for input_id in re.findall(r'<input (?![^>]*type="(?:hidden|submit)")[^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html, f"no label for {input_id}"
    return html


@pytest.mark.parametrize(
    "name",
    ["account_login", "account_reset_password", "account_reset_password_done", "account_signup"],
)
def test_pages_for_signing_in_use_the_product_layout(client, name):
    assert_product_page(client.get(reverse(name)))


def test_a_bad_reset_link_says_so_in_the_product_layout(client):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "bad-key"})
    html = assert_product_page(client.get(url, follow=True))
    assert "This link does not work" in html


def test_the_reset_done_page_uses_the_product_layout(client):
    assert_product_page(client.get(reverse("account_reset_password_from_key_done")))


def test_the_code_page_uses_the_product_layout(client):
    user = UserFactory()
    give_mfa(user)
    sign_in(client, user.email)
    html = assert_product_page(client.get(reverse("mfa_authenticate")))
    assert 'autocomplete="one-time-code"' in html


@pytest.mark.parametrize(
    "name",
    [
        "account_home",
        "token_list",
        "account_logout",
        "account_change_password",
        "account_reauthenticate",
        "mfa_index",
        "mfa_deactivate_totp",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_list_webauthn",
        "mfa_add_webauthn",
    ],
)
def test_pages_for_managing_one_s_sign_in_use_the_product_layout(client, name):
    user = UserFactory()
    give_mfa(user)
    RecoveryCodes.activate(user)
    sign_in_with_code(client, user)
    assert_product_page(client.get(reverse(name)))


def test_the_authenticator_setup_page_uses_the_product_layout(client):
    user = UserFactory()
    sign_in(client, user.email)
    html = assert_product_page(client.get(reverse("mfa_activate_totp")))
    assert "Setup key" in html
    assert 'alt="QR code' in html


def test_the_password_change_form_shows_errors_against_their_fields(client):
    user = UserFactory()
    sign_in(client, user.email)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "x", "password2": "y"},
    )
    html = assert_product_page(response)
    assert 'class="error-summary"' in html
    assert 'href="#id_oldpassword"' in html
    assert 'aria-invalid="true"' in html
    assert "<ul" not in html[html.index("hint") : html.index("hint") + 200]
