"""The groups pages in Chromium at a phone-sized viewport, scanned with axe-core: a peer's view
of their group, and the admin scheduling sessions after checking staffing (PSP-4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from commonground.groups.tests.world import make_shared_group
from commonground.testing.browser import PHONE_VIEWPORT, AxeReport, sign_in
from commonground.testing.factories import PASSWORD
from commonground.testing.personas import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock() -> None:
    """Real time here: the live server and the browser keep their own clocks."""


def test_PSP_4_the_group_pages_on_a_phone_pass_axe(browser_page: Any, live_server: Any) -> None:
    p = make_personas()
    shared = make_shared_group(p)
    page = browser_page
    page.set_viewport_size(PHONE_VIEWPORT)
    base = live_server.url
    report = AxeReport()

    def url(name: str, **kwargs: Any) -> str:
        return base + reverse(f"groups:{name}", kwargs={"org": p.org.slug, **kwargs})

    sign_in(page, base, p.party.user.email, PASSWORD, user=p.party.user)
    page.goto(url("group_detail", pk=shared.group.pk))
    assert "Tuesdays, 18:30" in page.content()
    report.scan(page, "group page (peer)")
    page.context.clear_cookies()
    sign_in(page, base, p.admin.user.email, PASSWORD, user=p.admin.user)
    for name, kwargs in (
        ("group_list", {}),
        ("group_create", {}),
        ("group_detail", {"pk": shared.group.pk}),
        ("group_edit", {"pk": shared.group.pk}),
        ("facilitator_add", {"pk": shared.group.pk}),
    ):
        page.goto(url(name, **kwargs))
        report.scan(page, name)
    page.goto(url("session_schedule", pk=shared.group.pk))
    page.check(f"input[name=facilitators][value='{p.supporter.pk}']")
    page.check(f"input[name=facilitators][value='{shared.co.pk}']")
    page.fill("input[name=weeks]", "2")
    page.click("button[value=check]")
    assert "Staffing check" in page.content()
    report.scan(page, "session_schedule (checked)")
    page.click("button[value=schedule]")
    assert "2 sessions scheduled" in page.content()
    report.scan(page, "group page after scheduling")
    report.assert_clean()
