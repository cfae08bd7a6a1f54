"""A whole weekly session in Chromium at a phone's size, as its facilitator: from welcome to the
round of "something I am taking away" (PSP-6), attendance with preferred names and a peer who
came uninvited, an offer to Take Time and the slot it is taken in, a round with the timer and a
pass that re-divides the time (PSP-7, the page's clock moved by Playwright, never by sleeping),
a housekeeping action (PSP-8), and the end. Every page on the way is scanned with axe-core.

Run with `make test-browser` (Debian's chromium; .ci/run installs it)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from commonground.groups.services import member_add
from commonground.groupsessions.models import HousekeepingAction, Round, SessionRun, Turn
from commonground.groupsessions.tests.world import make_session_world
from commonground.meetings.models import Participant
from commonground.testing.browser import AxeReport, sign_in
from commonground.testing.factories import PASSWORD, person_with_login
from commonground.testing.personas import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _click(page: Any, report: AxeReport, name: str | re.Pattern[str], label: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()
    errors = page.locator(".error-summary")
    assert errors.count() == 0, errors.inner_text()
    report.scan(page, label)


def _now_step(page: Any) -> str:
    return str(page.locator("#now").inner_text())


def test_PSP_6_PSP_7_PSP_8_facilitator_runs_a_whole_session_on_a_phone(
    chromium: Any, live_server: Any
) -> None:
    personas = make_personas()
    sw = make_session_world(personas)
    walk_in = person_with_login(personas.org, email="lee@example.test", full_name="Lee Late")
    member_add(actor=personas.admin.user, group=sw.group, person=walk_in)
    report = AxeReport()
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.clock.install()
        user = personas.supporter.user
        sign_in(page, live_server.url, user.email, PASSWORD, user=user)
        url = reverse(
            "groupsessions:session", kwargs={"org": personas.org.slug, "pk": sw.meeting.pk}
        )
        page.goto(url)
        report.scan(page, "session, not started")
        _click(page, report, "Start the session", "welcome")
        assert "Welcome and housekeeping" in _now_step(page)

        # Attendance, by preferred name: Pip (Philippa) is here, Quinn absent, Robin apologies.
        assert page.get_by_role("group", name="Pip").count() == 1
        page.get_by_role("group", name="Quinn Quiet").get_by_label("Absent").check()
        page.get_by_role("group", name="Robin Rowe").get_by_label("Apologies").check()
        _click(page, report, "Save attendance", "attendance saved")
        page.select_option("#walk-in", label="Lee Late")
        _click(page, report, "Add as here", "a peer came uninvited")
        statuses = dict(
            Participant.objects.filter(meeting=sw.meeting).values_list("person_id", "status")
        )
        assert statuses[sw.peers[1].pk] == "absent"
        assert statuses[sw.peers[2].pk] == "apologies"
        assert statuses[walk_in.pk] == "attended"
        present = sum(1 for s in statuses.values() if s == "attended")
        assert present == 5

        # The round of good news: 5 minutes shared by the five here, one minute each.
        _click(page, report, "Next step", "round of good news")
        assert "Round of good news" in _now_step(page)
        page.fill("#round-minutes", "5")
        _click(page, report, "Start the round", "round started")
        shares = page.locator("tr[data-turn] [data-share]")
        assert shares.count() == 5
        assert all("60 s" in shares.nth(i).inner_text() for i in range(5))
        countdown = page.locator("[data-countdown]")
        countdown.wait_for(state="visible")
        page.clock.run_for(20_000)
        page.wait_for_function(
            "() => Number(document.querySelector('[data-countdown]').dataset.left) <= 41"
        )
        assert "round ends in" in countdown.inner_text()
        # The third peer passes: the four still to speak share 300 s, 75 s each.
        third = page.locator("tr[data-turn]").nth(2)
        name = third.locator("th").inner_text()
        third.get_by_role("button", name=f"Pass: {name}").click()
        page.wait_for_load_state()
        report.scan(page, "after a pass")
        assert page.locator("tr[data-turn]").nth(2).get_attribute("data-state") == "passed"
        texts = [shares.nth(i).inner_text() for i in range(5)]
        assert texts[2].endswith("(0 s)")
        assert all(t.endswith("(75 s)") for i, t in enumerate(texts) if i != 2), texts
        found = Round.objects.get(meeting=sw.meeting, step="round_of_good_news")
        assert found.turns.get(position=2).state == Turn.State.PASSED
        _click(page, report, re.compile(r"^Done: "), "first peer done")

        # Offers to Take Time, then the first slot.
        _click(page, report, "Next step", "offers to take time")
        page.select_option("#offer", label="Pip")
        _click(page, report, "Add to the list", "an offer to take time")
        _click(page, report, "Next step", "taking time 1")
        page.select_option("#taker", label="Pip")
        _click(page, report, "Record who takes time", "took time")
        assert "Taking time in this slot: Pip" in page.locator(".gs-now-step").inner_text()

        # On through the structure to the summary of housekeeping actions.
        while "Summary of housekeeping actions" not in _now_step(page):
            _click(page, report, "Next step", "next step")
        page.get_by_role("link", name="Record a housekeeping action").click()
        page.wait_for_load_state()
        report.scan(page, "housekeeping action form")
        page.select_option("#id_kind", value="guarantee")
        page.select_option("#id_owner", label="Sam Supporter")
        page.select_option("#id_about", label="Quinn Quiet")
        _click(page, report, "Record the action", "action recorded")
        action = HousekeepingAction.objects.get(meeting=sw.meeting)
        assert (action.kind, action.about_id) == ("guarantee", sw.peers[1].pk)
        assert action.obligation is not None and action.obligation.rule_id == "PSP-8"

        # The closing round, then the end.
        _click(page, report, "Next step", "round of something I am taking away")
        assert "taking away" in _now_step(page)
        _click(page, report, "Start the round", "closing round")
        _click(page, report, "End the session", "session ended")
        assert "The session has ended" in page.content()
        run = SessionRun.objects.get(meeting=sw.meeting)
        assert run.ended_at is not None and run.current_key == "round_taking_away"

        page.get_by_role("link", name="Printed plan with each peer's share").click()
        page.wait_for_load_state()
        report.scan(page, "printed plan")
        assert "Pip" in page.content()
        page.goto(
            reverse(
                "groupsessions:group_actions",
                kwargs={"org": personas.org.slug, "pk": sw.group.pk},
            )
        )
        report.scan(page, "the group's actions")
        page.goto(
            reverse(
                "groupsessions:concern_create",
                kwargs={"org": personas.org.slug, "pk": sw.meeting.pk},
            )
        )
        report.scan(page, "safeguarding concern form")
    finally:
        context.close()
    report.assert_clean()
