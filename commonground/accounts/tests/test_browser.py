"""The sign-in and account pages in Chromium, scanned by axe-core for WCAG 2.2 AA problems."""

from __future__ import annotations

import pytest

from commonground.testing.browser import PHONE_VIEWPORT, AxeReport, current_totp, sign_in
from commonground.testing.factories import PASSWORD, UserFactory, give_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_in_and_the_account_pages_pass_axe(browser_page, live_server):
    page, base = browser_page, live_server.url
    report = AxeReport()
    user = UserFactory(email="pat@example.test")
    give_mfa(user)

    for path, label in [
        ("/accounts/login/", "sign in"),
        ("/accounts/password/reset/", "reset password"),
        ("/accounts/signup/", "sign-up closed"),
    ]:
        page.goto(base + path)
        report.scan(page, label)

    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", "pat@example.test")
    page.fill("input[name=password]", "wrong password")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    report.scan(page, "sign in with an error")

    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", "pat@example.test")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    report.scan(page, "enter your code")
    page.fill("input[name=code]", current_totp(user))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    for path, label in [
        ("/account/", "my account"),
        ("/account/tokens/", "API tokens"),
        ("/accounts/password/change/", "change password"),
        ("/accounts/2fa/", "second step"),
        ("/accounts/2fa/totp/deactivate/", "turn off app"),
        ("/accounts/2fa/recovery-codes/generate/", "new recovery codes"),
        ("/accounts/2fa/webauthn/", "passkeys"),
        ("/accounts/logout/", "sign out"),
    ]:
        page.goto(base + path)
        report.scan(page, label)

    page.goto(base + "/account/tokens/")
    page.fill("input[name=name]", "Spreadsheet")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("#raw-token").input_value().startswith("cg_")
    report.scan(page, "token made")

    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(base + "/account/")
    report.scan(page, "my account on a phone")
    report.assert_clean()


def test_the_authenticator_setup_page_passes_axe(browser_page, live_server):
    page, base = browser_page, live_server.url
    report = AxeReport()
    UserFactory(email="new@example.test")
    sign_in(page, base, "new@example.test", PASSWORD)
    page.goto(base + "/accounts/2fa/totp/activate/")
    report.scan(page, "set up app")
    page.fill("input[name=code]", "000000")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    report.scan(page, "set up app with an error")
    report.assert_clean()
