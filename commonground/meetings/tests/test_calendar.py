from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from commonground.meetings.models import CalendarFeedToken, Meeting
from commonground.meetings.services import (
    calendar_feed_create,
    calendar_feed_revoke,
    meeting_cancel,
    meeting_reschedule,
)
from commonground.people.models import Person
from commonground.testing.personas import Personas

from .conftest import at, schedule

pytestmark = pytest.mark.django_db


def ics_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_ics", kwargs={"org": "riverside", "pk": meeting.pk})


def events(body: bytes) -> list[dict[str, str]]:
    cal = Calendar.from_ical(body)
    return [
        {k: str(v) for k, v in c.items()} | {"_raw": c.to_ical().decode()}
        for c in cal.walk("VEVENT")
    ]


def test_the_invitation_has_a_stable_uid_and_utc_times_across_bst(
    client: Client, personas: Personas, meeting: Meeting
) -> None:
    client.force_login(personas.party.user)
    response = client.get(ics_url(meeting))
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = events(response.content)
    # 10:00 in London on 1 July is 09:00 UTC (summer time).
    assert "DTSTART:20250701T090000Z" in event["_raw"]
    assert "DTEND:20250701T103000Z" in event["_raw"]
    assert event["UID"] == f"{meeting.uid}@commonground"
    assert event["LOCATION"] == "Room 2, Community Centre"

    # Moved to 1 December, 10:00 in London is 10:00 UTC (winter time); same UID, next SEQUENCE.
    meeting_reschedule(actor=personas.admin.user, meeting=meeting, starts_at=at(1, month=12))
    (moved,) = events(client.get(ics_url(meeting)).content)
    assert "DTSTART:20251201T100000Z" in moved["_raw"]
    assert moved["UID"] == event["UID"] and moved["SEQUENCE"] == "1"

    meeting_cancel(actor=personas.admin.user, meeting=meeting, reason="Room flooded")
    (cancelled,) = events(client.get(ics_url(meeting)).content)
    assert cancelled["STATUS"] == "CANCELLED" and cancelled["UID"] == event["UID"]


def test_a_confidential_place_is_left_out_for_those_not_taking_part(
    client: Client, personas: Personas, co: Person
) -> None:
    meeting = schedule(
        personas,
        facilitators=[personas.supporter, co],
        place="14 Secret Lane",
        place_confidential=True,
    )
    client.force_login(personas.party.user)
    assert b"14 Secret Lane" in client.get(ics_url(meeting)).content
    client.force_login(personas.admin.user)
    body = client.get(ics_url(meeting)).content
    assert b"14 Secret Lane" not in body and b"LOCATION" not in body
    detail = client.get(
        reverse("meetings:meeting_detail", kwargs={"org": "riverside", "pk": meeting.pk})
    ).content.decode()
    assert "14 Secret Lane" not in detail and "Confidential" in detail


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 200), ("supporter", 200), ("admin", 200), ("unrelated", 404), ("other_org", 404)],
)
def test_the_invitation_goes_through_the_same_access_rule_as_the_page(
    client: Client, personas: Personas, meeting: Meeting, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    assert client.get(ics_url(meeting)).status_code == status


def feed_url(raw: str, org: str = "riverside") -> str:
    return reverse("meetings:calendar_feed", kwargs={"org": org, "token": raw})


def test_the_feed_lists_ones_own_meetings_without_a_login_until_revoked(
    client: Client, personas: Personas, meeting: Meeting
) -> None:
    feed, raw = calendar_feed_create(actor=personas.party.user, organisation=personas.org)
    assert feed.token_hash != raw and raw not in feed.token_hash
    response = client.get(feed_url(raw))
    assert response.status_code == 200
    (event,) = events(response.content)
    assert event["UID"] == f"{meeting.uid}@commonground" and event["SUMMARY"] == meeting.title

    # Another organisation's address for the same token, or a made-up token: 404.
    assert client.get(feed_url(raw, org="hilltop")).status_code == 404
    assert client.get(feed_url("not-a-token")).status_code == 404

    calendar_feed_revoke(actor=personas.party.user, feed=feed)
    assert client.get(feed_url(raw)).status_code == 404


def test_a_new_feed_address_stops_the_old_one(client: Client, personas: Personas) -> None:
    _old, old_raw = calendar_feed_create(actor=personas.party.user, organisation=personas.org)
    _new, new_raw = calendar_feed_create(actor=personas.party.user, organisation=personas.org)
    assert client.get(feed_url(old_raw)).status_code == 404
    assert client.get(feed_url(new_raw)).status_code == 200
    assert CalendarFeedToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_each_persons_feed_shows_only_their_meetings(
    client: Client, personas: Personas, meeting: Meeting
) -> None:
    for name, person in personas.all().items():
        if name == "other_org":
            continue
        _feed, raw = calendar_feed_create(actor=person.user, organisation=personas.org)
        body = client.get(feed_url(raw)).content
        listed = bool(events(body))
        assert listed == (name in {"party", "supporter"}), name


def test_the_feed_omits_a_confidential_place_only_for_those_who_may_not_see_it(
    client: Client, personas: Personas, co: Person
) -> None:
    schedule(
        personas,
        facilitators=[personas.supporter, co],
        place="14 Secret Lane",
        place_confidential=True,
    )
    _feed, raw = calendar_feed_create(actor=personas.party.user, organisation=personas.org)
    assert b"14 Secret Lane" in client.get(feed_url(raw)).content


def test_the_feed_settings_page_makes_and_stops_an_address(
    client: Client, personas: Personas, meeting: Meeting
) -> None:
    url = reverse("meetings:calendar_settings", kwargs={"org": "riverside"})
    client.force_login(personas.party.user)
    assert client.get(url).status_code == 200
    body = client.post(url, {"action": "create"}).content.decode()
    found = re.search(r'value="(http[^"]+\.ics)"', body)
    assert found is not None
    path = found.group(1).split("testserver", 1)[1]
    client.logout()
    assert client.get(path).status_code == 200
    client.force_login(personas.party.user)
    assert client.post(url, {"action": "revoke"}).status_code == 302
    client.logout()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 200), ("supporter", 200), ("admin", 200), ("unrelated", 200), ("other_org", 404)],
)
def test_the_feed_settings_page_is_for_members_of_the_organisation(
    client: Client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    url = reverse("meetings:calendar_settings", kwargs={"org": "riverside"})
    assert client.get(url).status_code == status
