"""A peer's way in, in Chromium, as a facilitator walks it: the enquiry, the workshop (PSP-1),
joining one step early and reading the message, the initial conversation and its outcome
(PSP-2), the declaration and the name-check with a member's agreement (PSP-3), then joining;
and the peer's own page. Every page on the way is scanned with axe-core.

Run with `make test-browser` (Debian's chromium)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from commonground.casework.tests.test_browser_case import (  # the same signed-in pages
    follow,
    people_pages,  # noqa: F401
    submit,
)
from commonground.groups import services as group_services
from commonground.joining import services
from commonground.joining.models import PeerJourney
from commonground.joining.tests.conftest import trained
from commonground.meetings.services import meeting_record_attendance
from commonground.policies.services import policy_adopt
from commonground.testing.browser import AxeReport
from commonground.testing.factories import QualificationFactory, person_with_login
from commonground.testing.personas import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_errors(page: Any) -> None:
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()


def test_a_peers_way_in_from_enquiry_to_joining(people_pages: Any, live_server: Any) -> None:  # noqa: F811
    p = make_personas()
    org = p.org
    policy_adopt(actor=None, organisation=org, policy="PSP")
    QualificationFactory(person=p.supporter)
    second = trained(org, "Fran Second", "fran@example.test")
    group = group_services.group_create(
        actor=p.admin.user,
        organisation=org,
        name="Tuesday evening group",
        weekday=1,
        start_time=dt.time(18, 30),
    )
    for person in (p.supporter, second):
        group_services.facilitator_add(actor=p.admin.user, group=group, person=person)
    jo = person_with_login(org, full_name="Joanne Bloggs", preferred_name="Jo", email="jo@x.test")
    group_services.member_add(actor=p.admin.user, group=group, person=jo)
    ash = person_with_login(org, full_name="Ash Ahmed", email="ash@example.test")
    base = live_server.url
    report = AxeReport()

    # The enquiry.
    facilitator = people_pages(p.supporter)
    facilitator.goto(base + reverse("joining:way_in", kwargs={"org": org.slug}))
    report.scan(facilitator, "the way-in list (empty)")
    follow(facilitator, "Record an enquiry")
    report.scan(facilitator, "enquiry form")
    facilitator.get_by_label("Someone already known").select_option(label="Ash Ahmed")
    submit(facilitator)
    no_errors(facilitator)
    assert "Ash Ahmed: the way in" in facilitator.content()
    report.scan(facilitator, "journey (enquired)")
    journey_url = facilitator.url
    journey = PeerJourney.objects.get(person=ash)

    # PSP-1: invited to a workshop; it was held and Ash attended (recorded on the meeting).
    follow(facilitator, "Invite to a workshop")
    report.scan(facilitator, "invite to a workshop (none upcoming)")
    held = services.workshop_schedule(
        actor=p.supporter.user,
        organisation=org,
        starts_at=timezone.now() - dt.timedelta(days=2),
        facilitators=[p.supporter, second],
        invite=[journey],
    )
    meeting_record_attendance(actor=p.supporter.user, meeting=held, attendance={ash.pk: "attended"})
    facilitator.goto(base + reverse("joining:workshops", kwargs={"org": org.slug}))
    report.scan(facilitator, "workshops")
    follow(facilitator, "Schedule a workshop")
    report.scan(facilitator, "schedule a workshop")

    # One step early: joining names the missing steps.
    facilitator.goto(journey_url)
    follow(facilitator, "Join a group")
    report.scan(facilitator, "join form")
    facilitator.get_by_label("Group").select_option(label="Tuesday evening group")
    submit(facilitator)
    summary = facilitator.locator(".error-summary").inner_text()
    assert "PSP-2: Ash Ahmed has not yet had an initial conversation" in summary
    assert "PSP-3" in summary and "PSP-1" not in summary
    report.scan(facilitator, "join refused, naming the missing steps")

    # PSP-2: the initial conversation, an hour ago, and its outcome.
    facilitator.goto(journey_url)
    follow(facilitator, "Arrange the initial conversation")
    report.scan(facilitator, "arrange the initial conversation")
    facilitator.get_by_label("Group").select_option(label="Tuesday evening group")
    facilitator.get_by_label("Video call").check()
    when = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    facilitator.get_by_label("Starts at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    facilitator.get_by_label("How long, in minutes").fill("40")
    facilitator.get_by_label("Sam Supporter").check()
    facilitator.get_by_label("Fran Second").check()
    submit(facilitator)
    no_errors(facilitator)
    report.scan(facilitator, "journey (conversation arranged)")
    follow(facilitator, "Record the conversation's outcome")
    report.scan(facilitator, "conversation outcome")
    facilitator.get_by_label("Join", exact=True).check()
    submit(facilitator)
    no_errors(facilitator)

    # PSP-3: the declaration, the check with a match, the member's agreement.
    follow(facilitator, "Write down whom they know")
    report.scan(facilitator, "declaration")
    facilitator.locator("textarea").fill("jo bloggs")
    submit(facilitator)
    no_errors(facilitator)
    follow(facilitator, "Do the name-check")
    assert "could be" in facilitator.content() and "Joanne Bloggs" in facilitator.content()
    report.scan(facilitator, "name-check with a match")
    facilitator.get_by_label(
        "A relationship with a member (blocks joining until they agree)"
    ).check()
    facilitator.get_by_label("The member").select_option(label="Jo")
    submit(facilitator)
    no_errors(facilitator)
    follow(facilitator, "Join a group")
    submit(facilitator)
    assert "has not yet agreed" in facilitator.locator(".error-summary").inner_text()
    report.scan(facilitator, "join refused, a member's agreement missing")
    facilitator.goto(journey_url)
    follow(facilitator, "Record Jo's agreement")
    report.scan(facilitator, "member's agreement")
    submit(facilitator)
    no_errors(facilitator)

    # Joining.
    follow(facilitator, "Join a group")
    submit(facilitator)
    no_errors(facilitator)
    assert "Member of Tuesday evening group" in facilitator.content()
    report.scan(facilitator, "journey (member)")
    assert group.members.filter(person=ash, ends_on=None).count() == 1

    # The peer's own page: where they are, nobody else's details.
    peer = people_pages(ash)
    peer.goto(base + reverse("joining:mine", kwargs={"org": org.slug}))
    page = peer.content()
    assert "My way into a group" in page and "Joanne" not in page and "Bloggs" not in page
    report.scan(peer, "my way into a group")
    report.assert_clean()
