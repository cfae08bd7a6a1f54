"""Calendar (.ics) invitations and feeds.

Times are written in UTC, so every calendar shows the right London time on both sides of a
clock change. The UID never changes for a meeting; SEQUENCE counts its changes, so a calendar
updates the event it has rather than adding a second. A confidential place is left out for
anyone who may not see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from commonground.meetings.models import Meeting

PRODID = "-//Common Ground//Meetings//EN"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@commonground"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def meeting_event(meeting: Meeting, *, show_place: bool) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", _utc(meeting.updated_at or timezone.now()))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", meeting.title)
    url = settings.SITE_URL.rstrip("/") + reverse(
        "meetings:meeting_detail", kwargs={"org": meeting.organisation.slug, "pk": meeting.pk}
    )
    event.add("url", url)
    event.add("description", f"{meeting.get_kind_display()} – {meeting.organisation.name}\n{url}")
    if meeting.place and show_place:
        event.add("location", meeting.place)
    cancelled = meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_bytes(
    meetings: Iterable[tuple[Meeting, bool]], *, name: str, method: str = "PUBLISH"
) -> bytes:
    """An iCalendar file of `meetings`, each given with whether its place may be shown."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    for meeting, show_place in meetings:
        cal.add_component(meeting_event(meeting, show_place=show_place))
    data: Any = cal.to_ical()
    return bytes(data)
