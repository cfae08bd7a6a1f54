"""Real pages in Chromium: sign in as a person would, visit every page, scan each with axe-core.

Run with `make test-browser` (Debian's chromium; .ci/run installs it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from commonground.people.roles import Role
from commonground.testing.browser import PHONE_VIEWPORT, AxeReport, sign_in
from commonground.testing.factories import PASSWORD, person_with_login
from commonground.web.tests.access_world import make_world
from commonground.web.tests.test_access_matrix import MATRIX, _url, pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages the admin opens: every page in the access matrix that the admin may see (GET 200).
# Downloads (CSV, PDF, calendar files) are not pages to scan.
DOWNLOAD_SUFFIXES = (".csv", ".pdf", ".ics")  # downloads


def test_the_admin_signs_in_with_a_second_factor_and_every_page_passes_axe(
    browser_page: Any, live_server: Any
) -> None:
    world = make_world()
    base = live_server.url
    report = AxeReport()
    page = browser_page

    page.goto(base + reverse("account_login"))
    report.scan(page, "sign in")
    page.goto(base + reverse("account_reset_password"))
    report.scan(page, "password reset")

    sign_in(page, base, world.p.admin.user.email, PASSWORD, user=world.p.admin.user)
    assert page.url.rstrip("/") == base, f"sign-in did not reach the dashboard: {page.url}"
    assert page.locator("h1").inner_text() == "What needs you today"

    for name, statuses in sorted(MATRIX.items()):
        if statuses["admin"] != 200 or pages()[name].endswith(DOWNLOAD_SUFFIXES):
            continue

        url = _url(world, name)
        response = page.goto(base + url)
        assert response is not None and response.status == 200, (name, url)
        report.scan(page, name)

    for extra in ("mfa_index", "account_change_password"):
        page.goto(base + reverse(extra))
        report.scan(page, extra)
    page.goto(
        base
        + reverse("policies:policy_rule", kwargs={"org": world.p.org.slug, "rule_id": "ASH-8"})
        + "?param=notice"
    )
    report.scan(page, "change a policy number")

    # A form with errors: the summary is announced and focused, fields marked invalid.
    page.goto(base + reverse("people:person_create", kwargs={"org": world.p.org.slug}))
    page.fill("input[name=full_name]", "")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    report.scan(page, "person form with errors")

    # The same pages on a phone-sized screen.
    page.set_viewport_size(PHONE_VIEWPORT)
    for name in (
        "dashboard",
        "people:person_list",
        "people:person_detail",
        "obligations:obligation_detail",
    ):
        page.goto(base + _url(world, name))
        report.scan(page, f"{name} (phone)")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name

    report.assert_clean()
    assert len(report.pages) >= 30


def test_the_safeguarding_lead_breaks_glass_with_a_reason(
    browser_page: Any, live_server: Any
) -> None:
    world = make_world()
    lead = person_with_login(world.p.org, Role.SAFEGUARDING_LEAD, email="lead@example.test")
    base = live_server.url
    report = AxeReport()
    page = browser_page
    sign_in(page, base, lead.user.email, PASSWORD, user=lead.user)
    page.goto(
        base
        + reverse(
            "people:person_break_glass", kwargs={"org": world.p.org.slug, "pk": world.p.party.pk}
        )
    )
    report.scan(page, "break glass form")
    page.fill("textarea[name=reason]", "Crisis team called about immediate risk")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "Uses a wheelchair" in page.content()
    report.scan(page, "break glass result")
    report.assert_clean()


def test_a_plain_member_sees_their_own_page_and_nothing_else(
    browser_page: Any, live_server: Any
) -> None:
    world = make_world()
    base = live_server.url
    page = browser_page
    sign_in(page, base, world.p.party.user.email, PASSWORD, user=world.p.party.user)
    report = AxeReport()
    report.scan(page, "member dashboard")
    page.goto(
        base
        + reverse("people:person_detail", kwargs={"org": world.p.org.slug, "pk": world.p.party.pk})
    )
    report.scan(page, "own page")
    response = page.goto(
        base
        + reverse(
            "people:person_detail", kwargs={"org": world.p.org.slug, "pk": world.p.unrelated.pk}
        )
    )
    assert response is not None and response.status == 404
    report.scan(page, "not found")
    report.assert_clean()


@pytest.mark.parametrize("persona", ["party", "supporter"])
def test_the_pages_only_a_party_or_a_supporter_opens_pass_axe(
    browser_page: Any, live_server: Any, persona: str
) -> None:
    world = make_world()
    person = getattr(world.p, persona)
    base = live_server.url
    page = browser_page
    sign_in(page, base, person.user.email, PASSWORD, user=person.user)
    report = AxeReport()
    for name, statuses in sorted(MATRIX.items()):
        if statuses[persona] != 200 or statuses["admin"] == 200:
            continue
        if pages()[name].endswith(DOWNLOAD_SUFFIXES) or statuses["anon"] == 200:
            continue
        response = page.goto(base + _url(world, name))
        assert response is not None and response.status == 200, (name, persona)
        report.scan(page, f"{name} ({persona})")
    report.assert_clean()
    assert report.pages, f"no page is for the {persona} alone"
