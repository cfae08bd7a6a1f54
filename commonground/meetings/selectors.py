"""Reads of meetings, already filtered by what the actor may see.

`meeting_get` returns the meeting or raises Http404 for anyone without need to know, so another
organisation's meetings, and meetings one is not part of, look exactly like missing ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.services import audit_read
from commonground.meetings.kinds import (
    PSP9_SECTIONS,
    MeetingKind,
    Section,
    kind_spec,
    psp6_sections,
)
from commonground.meetings.models import CalendarFeedToken, Meeting, Participant, hash_feed_token
from commonground.people.models import Organisation, Person
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import Choices

# A calendar feed also carries the last few weeks, so a calendar keeps what just happened.
FEED_PAST_DAYS = 30


def _participants() -> Prefetch[Any]:
    return Prefetch(
        "participants",
        queryset=Participant.objects.select_related("person").order_by("role", "pk"),
    )


def meeting_get(*, actor: Any, organisation: Organisation, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.filter(organisation=organisation, pk=pk)
        .select_related("organisation")
        .prefetch_related(_participants())
        .first()
    )
    if meeting is None or not actor.has_perm("meetings.view_meeting", meeting):
        raise Http404("No such meeting.")
    return meeting


def _start_of_today() -> dt.datetime:
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))


def my_meetings(*, actor: Any, organisation: Organisation) -> QuerySet[Meeting]:
    """The actor's own meetings from today on (facilitating or attending), soonest first."""
    person = standing(actor, organisation).person
    if person is None:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(
            organisation=organisation,
            participants__person=person,
            starts_at__gte=_start_of_today(),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("organisation")
        .prefetch_related(_participants())
        .order_by("starts_at", "pk")
        .distinct()
    )


def organisation_meetings(*, actor: Any, organisation: Organisation) -> QuerySet[Meeting]:
    """Every upcoming meeting of the organisation, for its admin."""
    if not standing(actor, organisation).is_admin:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(organisation=organisation, starts_at__gte=_start_of_today())
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("organisation")
        .prefetch_related(_participants())
        .order_by("starts_at", "pk")
    )


def notes_template(
    *, meeting: Meeting, in_force: OrganisationPolicy | None = None
) -> tuple[Section, ...]:
    """The sections of this meeting's notes: the kind's own, or for a weekly session the
    structure the organisation's PSP-6 lists. Where PSP-9 holds (what is said in the room stays
    in the room), a weekly session's notes have the housekeeping actions only: nothing a peer
    shares has a place to be written down."""
    if meeting.kind == MeetingKind.WEEKLY_SESSION:
        policy = in_force or organisation_policy(meeting.organisation)
        if policy.adopts("PSP-9"):
            return PSP9_SECTIONS
        if policy.adopts("PSP-6"):
            structure = policy.value("PSP-6", "session_structure")
            if isinstance(structure, Choices):
                return psp6_sections(structure.items)
    return kind_spec(meeting.kind).sections


def meeting_notes(*, actor: Any, meeting: Meeting) -> dict[str, str]:
    """The notes, section by section. Every read is written to the audit log."""
    if not actor.has_perm("meetings.view_notes", meeting):
        raise Http404("No such notes.")
    audit_read(actor=actor, organisation=meeting.organisation, instance=meeting, fields=["notes"])
    return meeting.notes_sections()


def live_feed(*, actor: Any, organisation: Organisation) -> CalendarFeedToken | None:
    person = standing(actor, organisation).person
    if person is None:
        return None
    return CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).first()


def feed_owner(*, organisation_slug: str, raw_token: str) -> Person:
    """The person whose live feed this token opens, or a 404 (revoked, wrong organisation,
    no longer able to sign in)."""
    feed = (
        CalendarFeedToken.objects.filter(
            token_hash=hash_feed_token(raw_token), revoked_at__isnull=True
        )
        .select_related("person__organisation", "person__user")
        .first()
    )
    if feed is None or feed.person.organisation.slug != organisation_slug:
        raise Http404("No such calendar.")
    user = feed.person.user
    if user is None or not user.is_active:
        raise Http404("No such calendar.")
    return feed.person


def feed_meetings(*, person: Person) -> list[Meeting]:
    """The person's meetings for their calendar feed, through the same rule as the pages."""
    user = person.user
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    meetings = (
        Meeting.objects.filter(
            organisation_id=person.organisation_id,
            participants__person=person,
            starts_at__gte=since,
        )
        .select_related("organisation")
        .prefetch_related(_participants())
        .order_by("starts_at", "pk")
        .distinct()
    )
    return [m for m in meetings if user is not None and user.has_perm("meetings.view_meeting", m)]
