"""The groupsessions module's part of Peer Support Plus's demo (called by commonground/demo/groups.py).

A history of the last six weeks for both groups: each past session run from welcome to the
closing round (PSP-6), attendance with a few absences and apologies, who took time in which
slot, housekeeping actions (PSP-8, some done, one open guarantee for next
week and one promise to seek news of an absent peer), and one safeguarding concern (PSP-9) that
only the safeguarding lead (Bea Holloway) and its recorder can read.

Everything goes through the services, with the group's facilitators as actors. The services
stamp "now" on what they record, so afterwards the run's and steps' times are moved to the past
session's own times with plain updates: the demo only does this, and says so here.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from commonground.groups.models import SupportGroup
from commonground.groups.selectors import current_facilitators, current_members
from commonground.groups.services import next_session_start, session_schedule
from commonground.groupsessions import selectors, services
from commonground.groupsessions.models import SessionRun, SessionStep, TakeTime
from commonground.meetings.models import Meeting, Participant
from commonground.people.models import Organisation, Person

WEEKS = 6
GROUPS = ("Tuesday evening group", "Thursday afternoon group")


def _backdate(meeting: Meeting) -> None:
    """Demo only: move what the services stamped "now" to the session's own times."""
    run = SessionRun.objects.get(meeting=meeting)
    steps = list(SessionStep.objects.filter(run=run).order_by("pk"))
    each = meeting.duration / max(1, len(steps))
    for i, step in enumerate(steps):
        SessionStep.objects.filter(pk=step.pk).update(
            started_at=meeting.starts_at + each * i, ended_at=meeting.starts_at + each * (i + 1)
        )
    SessionRun.objects.filter(pk=run.pk).update(
        started_at=meeting.starts_at, ended_at=meeting.ends_at
    )
    at = meeting.starts_at + dt.timedelta(minutes=5)
    TakeTime.objects.filter(meeting=meeting).update(offered_at=at, took_at=at)


def _run(meeting: Meeting, actor: object, week: int, members: list[Person]) -> None:
    """One past session, start to end."""
    marks = {p.person_id: Participant.Status.ATTENDED for p in meeting.participants.all()}
    # A few absences and apologies: a different peer each time, some weeks.
    if members and week % 3 == 1:
        marks[members[week % len(members)].pk] = Participant.Status.APOLOGIES
    if len(members) > 1 and week % 4 == 2:
        marks[members[(week + 1) % len(members)].pk] = Participant.Status.ABSENT
    services.session_start(actor=actor, meeting=meeting)
    services.attendance_record(actor=actor, meeting=meeting, attendance=marks)
    here = [p for p in members if marks.get(p.pk) == Participant.Status.ATTENDED]
    # Rounds are timed against the clock (PSP-7), so a past session has none here; the
    # structure is walked through with the steps' times moved afterwards.
    services.session_move(actor=actor, meeting=meeting, direction="next")
    services.session_move(actor=actor, meeting=meeting, direction="next")
    takers = here[: 1 + week % 2]
    for person in takers:
        services.take_time_offer(actor=actor, meeting=meeting, person=person)
    for person, slot in zip(takers, ("taking_time_1", "taking_time_2"), strict=False):
        services.take_time_slot(actor=actor, meeting=meeting, person=person, slot=slot)
    run = SessionRun.objects.get(meeting=meeting)
    while run.ended_at is None:
        run = services.session_move(actor=actor, meeting=meeting, direction="next")


def _actor(group: SupportGroup) -> Person:
    """A facilitator of the group who signs in and is not the safeguarding lead (Seun in the
    Tuesday group: Bea, the lead, reads the concern Seun records), else the admin."""
    leads = {p.pk for p in selectors.safeguarding_leads(group.organisation)}
    with_login = [p for p in current_facilitators(group) if p.user_id and p.pk not in leads]
    if with_login:
        return with_login[0]
    return Person.objects.get(organisation=group.organisation, email="admin@psp.demo")


def _history(group: SupportGroup) -> list[Meeting]:
    pool = current_facilitators(group)[:2]
    if len(pool) < 2:
        return []
    actor = _actor(group).user
    members = [m.person for m in current_members(group) if m.person_id not in {p.pk for p in pool}]
    latest = next_session_start(group) - dt.timedelta(weeks=1)
    held = []
    for week in range(WEEKS, 0, -1):
        starts_at = latest - dt.timedelta(weeks=week - 1)
        if starts_at + group.duration > timezone.now():
            continue
        try:
            meeting = session_schedule(
                actor=actor, group=group, facilitators=pool, starts_at=starts_at
            )
        except ValidationError:
            # A facilitator not yet trained on that day (PSP-4): no session that week.
            continue
        _run(meeting, actor, week, members)
        _backdate(meeting)
        held.append(meeting)
    return held


def _actions(group: SupportGroup, held: list[Meeting]) -> None:
    pool = current_facilitators(group)[:2]
    members = [m.person for m in current_members(group) if m.person_id not in {p.pk for p in pool}]
    if len(held) < 3 or not members:
        return
    actor = _actor(group).user
    owner, other = pool[0], pool[1]
    older, last = held[-3], held[-1]
    handout = services.action_create(
        actor=actor,
        meeting=older,
        kind="handout",
        owner=other,
        title="Grounding techniques handout",
        due_on=held[-2].local_day,
    )
    services.action_done(actor=actor, action=handout)
    confirm = services.action_create(
        actor=actor, meeting=held[-2], kind="next_meeting", owner=owner
    )
    services.action_done(actor=actor, action=confirm)
    # Open: a guarantee that a peer may Take Time next week, and news of an absent peer.
    services.action_create(
        actor=actor, meeting=last, kind="guarantee", owner=owner, about=members[0]
    )
    absent = next(
        (
            p.person
            for p in last.participants.select_related("person")
            if p.status == Participant.Status.ABSENT
        ),
        members[-1],
    )
    services.action_create(actor=actor, meeting=last, kind="news", owner=other, about=absent)


def load(organisation: Organisation) -> None:
    groups = list(SupportGroup.objects.filter(organisation=organisation, name__in=GROUPS))
    if SessionRun.objects.filter(meeting__organisation=organisation).exists():
        return
    for group in groups:
        held = _history(group)
        _actions(group, held)
        if group.name == GROUPS[0] and held:
            recorder = _actor(group)
            about = next(
                (
                    p.person
                    for p in held[0].participants.select_related("person")
                    if not p.is_facilitator
                ),
                None,
            )
            if about is not None:
                services.concern_record(
                    actor=recorder.user,
                    meeting=held[0],
                    about=about,
                    concern="Made-up demo concern: said after the session they had nowhere "
                    "safe to sleep that night.",
                    reason="An adult at risk (Safeguarding Policy).",
                    third_party="crisis_team",
                    told_at=held[0].ends_at + dt.timedelta(minutes=20),
                )
