"""Running a weekly session of a peer support group (PSP-6..9) through the API: the session's
state and steps, attendance (the meeting's Participant rows) with walk-ins, Taking Time, rounds
with each peer's share, pass and done (PSP-7), housekeeping actions (PSP-8) and safeguarding
concerns (PSP-9).

The same selectors and services as the pages, so the same rules: a session is run by the
group's facilitators and the admin (403 for a member, 404 for anyone who may not know the
group); a group's actions are seen by its members; a concern is read only by the safeguarding
lead and whoever recorded it (404 for everyone else), and every reading is audited. Nothing a
peer says can be sent here: there is no field for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status

from commonground.api.routers.casework import _fields, _people
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.routers.groups import DateTime
from commonground.api.schemas import MAX_ID, Date, Input
from commonground.groups.models import SupportGroup
from commonground.groupsessions import selectors, services
from commonground.groupsessions.models import (
    HousekeepingAction,
    Round,
    SafeguardingConcern,
    SessionRun,
)
from commonground.meetings.models import Meeting, Participant
from commonground.people.models import Organisation, Person
from commonground.policies.selectors import organisation_policy

router = Router()

MeetingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The session's (meeting's) id.")]
GroupId = Annotated[int, Path(ge=1, le=MAX_ID, description="The group's id.")]
RoundId = Annotated[int, Path(ge=1, le=MAX_ID, description="The round's id.")]
ActionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The housekeeping action's id.")]
ConcernId = Annotated[int, Path(ge=1, le=MAX_ID, description="The concern's id.")]
Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


# Schemas


class StepOut(Schema):
    key: str
    label: str
    state: Literal["done", "current", "todo"]


class AttendeeOut(Schema):
    person_id: int
    display_name: str = Field(description="The preferred name where there is one.")
    role: Participant.Role
    status: Participant.Status


class TakeTimeOut(Schema):
    person_id: int
    display_name: str
    guaranteed: bool = Field(description="Carried from an earlier session's PSP-8 guarantee.")
    slot: str = Field(description="The Taking Time step they took time in; empty if not yet.")


class TurnOut(Schema):
    person_id: int
    display_name: str
    state: str = Field(description="waiting, spoke or passed.")
    share_seconds: int = Field(description="Their share of the round now (PSP-7).")
    used_seconds: int


class RoundOut(Schema):
    id: int
    step: str
    total_seconds: int
    started_at: dt.datetime
    ends_at: dt.datetime = Field(description="When the round must end (never after the session).")
    finished: bool
    current_person_id: int | None
    current_started_at: dt.datetime | None
    turns: list[TurnOut]


class SessionOut(Schema):
    meeting_id: int
    group_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    started: bool
    ended_at: dt.datetime | None
    current_step: str | None = Field(description="The step the session is at (PSP-6).")
    steps: list[StepOut]
    attendance: list[AttendeeOut]
    take_time: list[TakeTimeOut] = Field(description="Guarantees first, then in order offered.")
    rounds: list[RoundOut]


class StepIn(Input):
    action: Literal["start", "next", "back"] = Field(
        description="start: open the session; next: the next step (from the last: end); back."
    )


class MarkIn(Input):
    person_id: Id
    status: Literal["attended", "absent", "apologies"]


class AttendanceIn(Input):
    attendance: list[MarkIn] = Field(min_length=1, max_length=200)


class PersonIn(Input):
    person_id: Id


class TakeTimeIn(Input):
    person_id: Id
    slot: str = Field(
        "",
        max_length=60,
        description="Empty: they would like to Take Time; a Taking Time step: they took it.",
    )


class RoundIn(Input):
    step: str = Field(max_length=60, description="A round step or a Taking Time slot.")
    minutes: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        strict=True,
        description=f"1 to {services.MAX_ROUND_MINUTES} (the service says so, naming minutes). "
        "Left out: a fair part of what remains of the session.",
    )


class TurnIn(Input):
    person_id: Id
    action: Literal["pass", "done"] = Field(
        description="pass: their time goes to those still to speak; done: the peer speaking "
        "now finishes (early or on time)."
    )


class ActionIn(Input):
    kind: HousekeepingAction.Kind
    owner_id: Id
    about_id: Id | None = Field(None, description="The peer a guarantee or news is about.")
    title: str = Field("", max_length=services.TITLE_MAX, description="A few words; no sharing.")
    due_on: Date | None = Field(None, description="Left out: by the next session.")
    next_starts_at: DateTime | None = Field(
        None, description="next_meeting: schedule it then; left out, confirm the next one."
    )


class ActionOut(Schema):
    id: int
    kind: HousekeepingAction.Kind
    kind_label: str
    owner_id: int
    owner_name: str
    about_id: int | None
    about_name: str | None
    title: str
    due_on: dt.date
    meeting_id: int
    next_meeting_id: int | None
    obligation_id: int | None
    done_at: dt.datetime | None


class DoneIn(Input):
    done: Literal["yes"]


class ConcernIn(Input):
    about_id: Id
    concern: str = Field(min_length=1, max_length=services.TEXT_MAX)
    reason: str = Field(min_length=1, max_length=services.TEXT_MAX)
    third_party: SafeguardingConcern.ThirdParty
    third_party_detail: str = Field("", max_length=services.TEXT_MAX)
    told_at: DateTime | None = None


class ConcernSummaryOut(Schema):
    id: int
    meeting_id: int
    about_id: int
    about_name: str
    third_party: SafeguardingConcern.ThirdParty
    told_at: dt.datetime | None
    recorded_by_id: int
    created_at: dt.datetime


class ConcernOut(ConcernSummaryOut):
    concern: str
    reason: str
    third_party_detail: str


# Helpers


def _session(request: HttpRequest, slug: str, meeting_id: int) -> tuple[Meeting, SupportGroup]:
    org = organisation(request, slug)
    return selectors.session_get(actor=actor(request), organisation=org, pk=meeting_id)


def _person(org: Organisation, person_id: int, field: str) -> Person:
    return _people(org, [person_id], field)[0]


def _round_out(found: Round) -> RoundOut:
    state = selectors.round_state(found)
    return RoundOut(
        id=found.pk,
        step=found.step,
        total_seconds=found.total_seconds,
        started_at=found.started_at,
        ends_at=found.ends_at,
        finished=found.finished_at is not None,
        current_person_id=state.current.person_id if state.current else None,
        current_started_at=state.current_started_at,
        turns=[
            TurnOut(
                person_id=t.person_id,
                display_name=t.person.display_name,
                state=t.state,
                share_seconds=share,
                used_seconds=t.used_seconds,
            )
            for t, share in state.rows
        ],
    )


def _session_out(meeting: Meeting, group: SupportGroup) -> SessionOut:
    meeting.refresh_from_db()
    run = SessionRun.objects.filter(meeting=meeting).first()
    if run is not None:
        structure = list(run.structure)
    else:
        structure = list(selectors.structure(organisation_policy(meeting.organisation)))
    current = run.current if run is not None and run.is_running else -1
    ended = run is not None and not run.is_running
    return SessionOut(
        meeting_id=meeting.pk,
        group_id=group.pk,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        started=run is not None,
        ended_at=run.ended_at if run is not None else None,
        current_step=run.current_key if current >= 0 and run is not None else None,
        steps=[
            StepOut(
                key=key,
                label=selectors.step_label(key),
                state="done" if ended or i < current else ("current" if i == current else "todo"),
            )
            for i, key in enumerate(structure)
        ],
        attendance=[
            AttendeeOut(
                person_id=p.person_id,
                display_name=p.person.display_name,
                role=Participant.Role(p.role),
                status=Participant.Status(p.status),
            )
            for p in selectors.participants(meeting)
        ],
        take_time=[
            TakeTimeOut(
                person_id=o.person_id,
                display_name=o.person.display_name,
                guaranteed=o.guaranteed,
                slot=o.slot,
            )
            for o in selectors.take_time_list(meeting)
        ],
        rounds=[_round_out(r) for r in Round.objects.filter(meeting=meeting)],
    )


def _action_out(a: HousekeepingAction) -> ActionOut:
    return ActionOut(
        id=a.pk,
        kind=HousekeepingAction.Kind(a.kind),
        kind_label=a.get_kind_display(),
        owner_id=a.owner_id,
        owner_name=a.owner.display_name,
        about_id=a.about_id,
        about_name=a.about.display_name if a.about else None,
        title=a.title,
        due_on=a.due_on,
        meeting_id=a.meeting_id,
        next_meeting_id=a.next_meeting_id,
        obligation_id=a.obligation_id,
        done_at=a.done_at,
    )


def _concern_summary(c: SafeguardingConcern) -> dict[str, object]:
    return {
        "id": c.pk,
        "meeting_id": c.meeting_id,
        "about_id": c.about_id,
        "about_name": c.about.display_name,
        "third_party": SafeguardingConcern.ThirdParty(c.third_party),
        "told_at": c.told_at,
        "recorded_by_id": c.recorded_by_id,
        "created_at": c.created_at,
    }


# Endpoints

SESSION = "/organisations/{slug}/group-sessions/{meeting_id}"


@router.get(
    SESSION,
    response={200: SessionOut, **ERRORS},
    summary="A session as it runs: its steps (PSP-6), attendance, Taking Time and rounds",
)
def session_state(request: HttpRequest, slug: Slug, meeting_id: MeetingId) -> SessionOut:
    return _session_out(*_session(request, slug, meeting_id))


@router.post(
    SESSION + "/step",
    response={200: SessionOut, **ERRORS},
    summary="Start the session, or go to the next step (ending it after the last) or back",
)
def session_step(
    request: HttpRequest, slug: Slug, meeting_id: MeetingId, payload: StepIn
) -> SessionOut:
    meeting, group = _session(request, slug, meeting_id)
    with _fields(direction="action", step="action"):
        if payload.action == "start":
            services.session_start(actor=actor(request), meeting=meeting)
        else:
            services.session_move(actor=actor(request), meeting=meeting, direction=payload.action)
    return _session_out(meeting, group)


@router.post(
    SESSION + "/attendance",
    response={200: SessionOut, **ERRORS},
    summary="Mark who is here, absent or sent apologies (the meeting's own statuses)",
)
def session_attendance(
    request: HttpRequest, slug: Slug, meeting_id: MeetingId, payload: AttendanceIn
) -> SessionOut:
    meeting, group = _session(request, slug, meeting_id)
    services.attendance_record(
        actor=actor(request),
        meeting=meeting,
        attendance={m.person_id: m.status for m in payload.attendance},
    )
    return _session_out(meeting, group)


@router.post(
    SESSION + "/walk-ins",
    response={200: SessionOut, **ERRORS},
    summary="Add a member of the group who came without an invitation, as here",
)
def session_walk_in(
    request: HttpRequest, slug: Slug, meeting_id: MeetingId, payload: PersonIn
) -> SessionOut:
    meeting, group = _session(request, slug, meeting_id)
    with _fields(person="person_id"):
        services.walk_in_add(
            actor=actor(request),
            meeting=meeting,
            person=_person(meeting.organisation, payload.person_id, "person_id"),
        )
    return _session_out(meeting, group)


@router.post(
    SESSION + "/take-time",
    response={200: SessionOut, **ERRORS},
    summary="Someone would like to Take Time (no slot), or took it in a slot (PSP-6)",
    description="Last week's guarantees (PSP-8) come first in the list; taking time in a slot "
    "meets the guarantee. What they said is never recorded (PSP-9).",
)
def session_take_time(
    request: HttpRequest, slug: Slug, meeting_id: MeetingId, payload: TakeTimeIn
) -> SessionOut:
    meeting, group = _session(request, slug, meeting_id)
    person = _person(meeting.organisation, payload.person_id, "person_id")
    with _fields(person="person_id"):
        if payload.slot:
            services.take_time_slot(
                actor=actor(request), meeting=meeting, person=person, slot=payload.slot
            )
        else:
            services.take_time_offer(actor=actor(request), meeting=meeting, person=person)
    return _session_out(meeting, group)


@router.post(
    SESSION + "/rounds",
    response={201: RoundOut, **ERRORS},
    summary="Start a round: equal shares for everyone here, ending by the session's end (PSP-7)",
)
def round_start(
    request: HttpRequest, slug: Slug, meeting_id: MeetingId, payload: RoundIn
) -> Status[RoundOut]:
    meeting, _ = _session(request, slug, meeting_id)
    found = services.round_start(
        actor=actor(request), meeting=meeting, step=payload.step, minutes=payload.minutes
    )
    return Status(201, _round_out(found))


@router.post(
    SESSION + "/rounds/{round_id}/turns",
    response={200: RoundOut, **ERRORS},
    summary="A peer passes, or the peer speaking finishes: the time is shared again (PSP-7)",
)
def round_turn(
    request: HttpRequest, slug: Slug, meeting_id: MeetingId, round_id: RoundId, payload: TurnIn
) -> RoundOut:
    meeting, _ = _session(request, slug, meeting_id)
    found = Round.objects.filter(meeting=meeting, pk=round_id).first()
    if found is None:
        raise Http404("No such round.")
    with _fields(person="person_id"):
        if payload.action == "pass":
            services.turn_pass(actor=actor(request), round=found, person_id=payload.person_id)
        else:
            services.turn_done(actor=actor(request), round=found, person_id=payload.person_id)
    found.refresh_from_db()
    return _round_out(found)


@router.post(
    SESSION + "/actions",
    response={201: ActionOut, **ERRORS},
    summary="Capture a housekeeping action with owner and date; it becomes an obligation (PSP-8)",
)
def action_create(
    request: HttpRequest, slug: Slug, meeting_id: MeetingId, payload: ActionIn
) -> Status[ActionOut]:
    meeting, _ = _session(request, slug, meeting_id)
    org = meeting.organisation
    owner = _person(org, payload.owner_id, "owner_id")
    about = _person(org, payload.about_id, "about_id") if payload.about_id else None
    if payload.next_starts_at is not None and timezone.is_naive(payload.next_starts_at):
        raise ValidationError(
            {
                "next_starts_at": ValidationError(
                    "Give the time with its offset, such as 2026-03-31T18:30:00+01:00.",
                    code="meeting_time_aware",
                )
            }
        )
    with _fields(owner="owner_id", about="about_id"):
        action = services.action_create(
            actor=actor(request),
            meeting=meeting,
            kind=payload.kind,
            owner=owner,
            about=about,
            title=payload.title,
            due_on=payload.due_on,
            next_starts_at=payload.next_starts_at,
        )
    return Status(201, _action_out(action))


@router.get(
    "/organisations/{slug}/groups/{group_id}/housekeeping-actions",
    response={200: list[ActionOut], **ERRORS},
    summary="A group's housekeeping actions (PSP-8): its members, facilitators and the admin",
)
def group_actions(request: HttpRequest, slug: Slug, group_id: GroupId) -> list[ActionOut]:
    org = organisation(request, slug)
    group = selectors.group_for_actions(actor=actor(request), organisation=org, pk=group_id)
    return [_action_out(a) for a in selectors.group_actions(group)[:500]]


@router.post(
    "/organisations/{slug}/housekeeping-actions/{action_id}/done",
    response={200: ActionOut, **ERRORS},
    summary="Mark a housekeeping action done (its owner, the group's facilitators, the admin)",
)
def action_done(
    request: HttpRequest, slug: Slug, action_id: ActionId, payload: DoneIn
) -> ActionOut:
    org = organisation(request, slug)
    found = selectors.action_get(actor=actor(request), organisation=org, pk=action_id)
    return _action_out(services.action_done(actor=actor(request), action=found))


@router.post(
    SESSION + "/safeguarding-concerns",
    response={201: ConcernSummaryOut, **ERRORS},
    summary="Record a safeguarding concern, kept apart and encrypted (PSP-9)",
    description="About which peer, the concern, why it is passed on, which third party was told "
    "and when. Read only by the safeguarding lead and the recorder; the lead is notified.",
)
def concern_create(
    request: HttpRequest, slug: Slug, meeting_id: MeetingId, payload: ConcernIn
) -> Status[ConcernSummaryOut]:
    meeting, _ = _session(request, slug, meeting_id)
    about = _person(meeting.organisation, payload.about_id, "about_id")
    with _fields(about="about_id"):
        found = services.concern_record(
            actor=actor(request),
            meeting=meeting,
            about=about,
            concern=payload.concern,
            reason=payload.reason,
            third_party=payload.third_party,
            third_party_detail=payload.third_party_detail,
            told_at=payload.told_at,
        )
    return Status(201, ConcernSummaryOut(**_concern_summary(found)))  # type: ignore[arg-type]


@router.get(
    "/organisations/{slug}/safeguarding-concerns",
    response={200: list[ConcernSummaryOut], **ERRORS},
    summary="Safeguarding concerns: all for the lead, one's own for whoever recorded them",
)
def concern_list(request: HttpRequest, slug: Slug) -> list[ConcernSummaryOut]:
    org = organisation(request, slug)
    rows = selectors.concerns_visible(actor=actor(request), organisation=org)[:500]
    return [ConcernSummaryOut(**_concern_summary(c)) for c in rows]  # type: ignore[arg-type]


@router.get(
    "/organisations/{slug}/safeguarding-concerns/{concern_id}",
    response={200: ConcernOut, **ERRORS},
    summary="One safeguarding concern in full (the lead or its recorder; the read is audited)",
)
def concern_read(request: HttpRequest, slug: Slug, concern_id: ConcernId) -> ConcernOut:
    org = organisation(request, slug)
    found = selectors.concern_get(actor=actor(request), organisation=org, pk=concern_id)
    return ConcernOut(
        **_concern_summary(found),  # type: ignore[arg-type]
        concern=found.concern,
        reason=found.reason,
        third_party_detail=found.third_party_detail,
    )
