"""Peer support groups (PSP): the groups one may know, one group as one may see it, setting a
group up, changing and closing it (the admin), its pool of facilitators (the admin), scheduling
its sessions with the staffing check (PSP-4, IMHP-1 where adopted) and recording that a member
left (PSP-10, PSP-11).

Reads go through the groups selectors and every change through its services, with the rules the
pages use. Someone who may not know a group gets 404, as if it did not exist; a member refused a
change gets 403. A peer never sees the other members: the member list is for the group's
facilitators and the admin.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from commonground.access.policy import standing
from commonground.api.pagination import paginate
from commonground.api.routers.casework import _fields, _people
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import MAX_ID, Date, Input, PageOut, PageQuery, Patch
from commonground.groups import selectors, services
from commonground.groups.models import GroupFacilitator, GroupMember, SupportGroup, Weekday
from commonground.meetings.models import Meeting
from commonground.meetings.staffing import meeting_staffing
from commonground.people.models import Organisation
from commonground.policies.selectors import organisation_policy

router = Router()

GroupId = Annotated[int, Path(ge=1, le=MAX_ID, description="The group's id.")]
FacilitatorId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The pool row's id (from the group's pool list).")
]
MemberId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The membership's id (from the group's member list).")
]
# The schema refuses what cannot be a length at all; the service says what a session may last
# (15 minutes to 8 hours), naming duration_minutes. A year bounds the arithmetic.
MINUTES_MAX = 60 * 24 * 366
Minutes = Annotated[
    int,
    Field(ge=15, le=MINUTES_MAX, strict=True, description="15 to 480 (8 hours)."),
]
Time = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 24-hour.")]


def _not_bool(value: Any) -> Any:
    # JSON true is not a number here (pydantic would read it as 1).
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer.")
    return value


def _iso_datetime(value: Any) -> Any:
    # Without this a number would be read as a Unix timestamp.
    if isinstance(value, dt.datetime) or (
        isinstance(value, str) and ISO_DATETIME.match(value) is not None
    ):
        return value
    raise PydanticCustomError(
        "datetime_format",
        "Give the date and time as YYYY-MM-DDTHH:MM with its offset, for example "
        "2026-03-31T18:30:00+01:00.",
    )


ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
DateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]
Day = Annotated[Weekday, BeforeValidator(_not_bool), Field(description="0 is Monday, 6 is Sunday.")]


# Schemas


class NameOut(Schema):
    person_id: int
    display_name: str = Field(description="Their preferred name, or full name if none.")


class GroupSummaryOut(Schema):
    id: int
    name: str
    weekday: int = Field(description="0 is Monday, 6 is Sunday.")
    weekday_label: str
    start_time: str = Field(description="HH:MM, Europe/London.")
    duration_minutes: int
    schedule_text: str
    open: bool
    closed_on: dt.date | None
    facilitators: list[NameOut]
    next_session_at: dt.datetime | None


class GroupPageOut(PageOut):
    items: list[GroupSummaryOut]


class ProblemOut(Schema):
    rule: str = Field(description="The staffing rule: PSP-4, IMHP-1.")
    code: str
    message: str
    refuses: bool = Field(description="True: the rule is broken; false: a warning.")


class SessionOut(Schema):
    id: int = Field(description="The meeting's id (see the meetings pages).")
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    facilitators: list[NameOut] | None = Field(
        description="For the group's facilitators and the admin only; null for members."
    )
    staffing: list[ProblemOut] | None = Field(
        description="The staffing check as it stands (empty: staffed as the policy says); "
        "null for members."
    )


class MemberOut(Schema):
    id: int = Field(description="The membership's id.")
    person_id: int
    display_name: str
    starts_on: dt.date


class TrainingOut(Schema):
    rule: str
    qualification: str
    held: bool = Field(description="Current today.")
    expires_on: dt.date | None


class PoolOut(Schema):
    id: int = Field(description="The pool row's id.")
    person_id: int
    display_name: str
    starts_on: dt.date
    training: list[TrainingOut] = Field(
        description="The training each adopted staffing rule names (PSP-4, IMHP-1)."
    )


class GroupOut(GroupSummaryOut):
    description: str
    venue: str
    upcoming_sessions: list[SessionOut]
    members: list[MemberOut] | None = Field(
        description="For the group's facilitators and the admin only; null for members."
    )
    pool: list[PoolOut] | None = Field(
        description="For the group's facilitators and the admin only; null for members."
    )


class SessionPageOut(PageOut):
    items: list[SessionOut]


class GroupIn(Input):
    name: str = Field(max_length=services.NAME_MAX)
    weekday: Day
    start_time: Time
    duration_minutes: Minutes = 120
    venue: str = Field("", max_length=services.VENUE_MAX)
    description: str = Field("", max_length=services.TEXT_MAX)


class GroupPatch(Patch):
    name: str = Field("", max_length=services.NAME_MAX)
    weekday: Day = Weekday.MONDAY
    start_time: Time = "00:00"
    duration_minutes: Minutes = 120
    venue: str = Field("", max_length=services.VENUE_MAX)
    description: str = Field("", max_length=services.TEXT_MAX)


class CloseIn(Input):
    closed_on: Date
    reason: str = Field(min_length=1, max_length=services.TEXT_MAX)


class FacilitatorIn(Input):
    person_id: int = Field(ge=1, le=MAX_ID, strict=True)
    starts_on: Date | None = Field(None, description="Today if left out.")


class EndIn(Input):
    ends_on: Date | None = Field(None, description="Today if left out.")
    reason: str = Field("", max_length=services.TEXT_MAX)


class ScheduleIn(Input):
    facilitator_ids: list[Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]] = Field(
        min_length=1, max_length=10, description="Two from the group's pool (PSP-4)."
    )
    weeks: int = Field(
        1,
        ge=1,
        le=MAX_ID,
        strict=True,
        description=f"How many weekly sessions, following on from the last one scheduled: 1 to "
        f"{services.WEEKS_MAX} (the service says so, naming weeks).",
    )
    confirm: Literal["yes", "no"] = Field(
        "no", description="yes: go ahead despite warnings. A rule that refuses still refuses."
    )


class ScheduledOut(Schema):
    items: list[SessionOut]


class LeaveIn(Input):
    ends_on: Date | None = Field(None, description="Today if left out.")
    reason: str = Field(
        "", max_length=services.TEXT_MAX, description="Optional; kept encrypted (PSP-10)."
    )


class LeftOut(Schema):
    id: int
    person_id: int
    starts_on: dt.date
    ends_on: dt.date


# Helpers


def _group(request: HttpRequest, slug: str, group_id: int) -> tuple[Organisation, SupportGroup]:
    org = organisation(request, slug)
    return org, selectors.group_get(actor=actor(request), organisation=org, pk=group_id)


def _require(request: HttpRequest, perm: str, obj: Any, message: str) -> None:
    if not actor(request).has_perm(perm, obj):
        raise PermissionDenied(message)


def _names(people: Any) -> list[NameOut]:
    return [NameOut(person_id=p.pk, display_name=p.display_name) for p in people]


def _summary(group: SupportGroup, next_session: Meeting | None) -> dict[str, Any]:
    return {
        "id": group.pk,
        "name": group.name,
        "weekday": group.weekday,
        "weekday_label": group.get_weekday_display(),
        "start_time": f"{group.start_time:%H:%M}",
        "duration_minutes": int(group.duration.total_seconds() // 60),
        "schedule_text": group.schedule_text,
        "open": group.is_open,
        "closed_on": group.closed_on,
        "next_session_at": next_session.starts_at if next_session else None,
    }


def _session_out(session: Meeting, runs: bool, org: Organisation) -> SessionOut:
    staffing = None
    facilitators = None
    if runs:
        facilitators = _names(p.person for p in session.participants.all() if p.is_facilitator)
        staffing = [
            ProblemOut(rule=p.rule_id, code=p.code, message=p.message, refuses=p.refuses)
            for p in meeting_staffing(meeting=session, in_force=organisation_policy(org))
        ]
    return SessionOut(
        id=session.pk,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        place=session.place,
        facilitators=facilitators,
        staffing=staffing,
    )


def _group_out(request: HttpRequest, org: Organisation, group: SupportGroup) -> GroupOut:
    runs = actor(request).has_perm("groups.view_members", group)
    sessions = list(selectors.upcoming_sessions(group)[:8])
    members = pool = None
    if runs:
        members = [
            MemberOut(
                id=m.pk,
                person_id=m.person_id,
                display_name=m.person.display_name,
                starts_on=m.starts_on,
            )
            for m in selectors.current_members(group)
        ]
        pool = [
            PoolOut(
                id=m.row.pk,
                person_id=m.person.pk,
                display_name=m.person.display_name,
                starts_on=m.row.starts_on,
                training=[
                    TrainingOut(rule=r, qualification=q, held=held, expires_on=expires)
                    for r, q, held, expires in m.training
                ],
            )
            for m in selectors.facilitator_pool(group, organisation_policy(org))
        ]
    return GroupOut(
        **_summary(group, sessions[0] if sessions else None),
        facilitators=_names(selectors.current_facilitators(group)),
        description=group.description,
        venue=group.venue,
        upcoming_sessions=[_session_out(s, runs, org) for s in sessions],
        members=members,
        pool=pool,
    )


def _fields_in(payload: Any, current: SupportGroup | None = None) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {}
    if current is not None:
        fields = {
            "name": current.name,
            "weekday": current.weekday,
            "start_time": current.start_time,
            "duration": current.duration,
            "venue": current.venue,
            "description": current.description,
        }
    for key in ("name", "venue", "description"):
        if key in data:
            fields[key] = data[key]
    if "weekday" in data:
        fields["weekday"] = int(data["weekday"])
    if "start_time" in data:
        fields["start_time"] = dt.time.fromisoformat(data["start_time"])
    if "duration_minutes" in data or current is None:
        fields["duration"] = dt.timedelta(minutes=data.get("duration_minutes", 120))
    return fields


# Endpoints


@router.get(
    "/organisations/{slug}/groups",
    response={200: GroupPageOut, **ERRORS},
    summary="The groups you may know",
    description="Every group for its facilitators and the admin; otherwise only the groups you "
    "belong to or facilitate.",
)
def group_list(request: HttpRequest, slug: Slug, paging: Query[PageQuery]) -> dict[str, Any]:
    org = organisation(request, slug)
    page = paginate(selectors.visible_groups(actor=actor(request), organisation=org), paging)
    upcoming = selectors.next_sessions(page["items"])
    page["items"] = [
        GroupSummaryOut(
            **_summary(g, upcoming.get(g.pk)),
            facilitators=_names(f.person for f in g.current_facilitators),
        )
        for g in page["items"]
    ]
    return page


@router.get(
    "/organisations/{slug}/groups/{group_id}",
    response={200: GroupOut, **ERRORS},
    summary="One group as you may see it",
    description="Its schedule, venue, facilitators and upcoming sessions for its members; the "
    "members, the pool with each facilitator's training and each session's staffing for its "
    "facilitators and the admin.",
)
def group_detail(request: HttpRequest, slug: Slug, group_id: GroupId) -> GroupOut:
    org, group = _group(request, slug, group_id)
    return _group_out(request, org, group)


@router.post(
    "/organisations/{slug}/groups",
    response={201: GroupOut, **ERRORS},
    summary="Set up a group (the admin)",
)
def group_create(request: HttpRequest, slug: Slug, payload: GroupIn) -> Status[GroupOut]:
    org = organisation(request, slug)
    with _fields(duration="duration_minutes"):
        group = services.group_create(actor=actor(request), organisation=org, **_fields_in(payload))
    return Status(201, _group_out(request, org, group))


@router.patch(
    "/organisations/{slug}/groups/{group_id}",
    response={200: GroupOut, **ERRORS},
    summary="Change a group's name, day, time, length, venue or description (the admin)",
    description="Only the fields sent are changed. Sessions already scheduled keep their time.",
)
def group_update(
    request: HttpRequest, slug: Slug, group_id: GroupId, payload: GroupPatch
) -> GroupOut:
    org, group = _group(request, slug, group_id)
    with _fields(duration="duration_minutes"):
        group = services.group_update(
            actor=actor(request), group=group, **_fields_in(payload, current=group)
        )
    return _group_out(request, org, group)


@router.post(
    "/organisations/{slug}/groups/{group_id}/close",
    response={200: GroupOut, **ERRORS},
    summary="Close a group, with the reason (the admin)",
)
def group_close(request: HttpRequest, slug: Slug, group_id: GroupId, payload: CloseIn) -> GroupOut:
    org, group = _group(request, slug, group_id)
    services.group_close(
        actor=actor(request), group=group, closed_on=payload.closed_on, reason=payload.reason
    )
    return _group_out(request, org, group)


@router.post(
    "/organisations/{slug}/groups/{group_id}/facilitators",
    response={201: GroupOut, **ERRORS},
    summary="Add someone to the group's pool of facilitators (the admin)",
)
def facilitator_add(
    request: HttpRequest, slug: Slug, group_id: GroupId, payload: FacilitatorIn
) -> Status[GroupOut]:
    org, group = _group(request, slug, group_id)
    _require(
        request,
        "groups.change_facilitators",
        group,
        "Only the admin can change a group's facilitators.",
    )
    (person,) = _people(org, [payload.person_id], "person_id")
    with _fields(person="person_id"):
        services.facilitator_add(
            actor=actor(request), group=group, person=person, starts_on=payload.starts_on
        )
    return Status(201, _group_out(request, org, group))


@router.post(
    "/organisations/{slug}/groups/{group_id}/facilitators/{facilitator_id}/end",
    response={200: GroupOut, **ERRORS},
    summary="End someone's place in the pool of facilitators (the admin)",
)
def facilitator_end(
    request: HttpRequest,
    slug: Slug,
    group_id: GroupId,
    facilitator_id: FacilitatorId,
    payload: EndIn,
) -> GroupOut:
    org, group = _group(request, slug, group_id)
    _require(
        request,
        "groups.change_facilitators",
        group,
        "Only the admin can change a group's facilitators.",
    )
    row = (
        GroupFacilitator.objects.current()
        .filter(group=group, pk=facilitator_id)
        .select_related("person")
        .first()
    )
    if row is None:
        raise Http404("No such facilitator in this group's pool.")
    services.facilitator_end(
        actor=actor(request), facilitator=row, ends_on=payload.ends_on, reason=payload.reason
    )
    return _group_out(request, org, group)


@router.get(
    "/organisations/{slug}/groups/{group_id}/sessions",
    response={200: SessionPageOut, **ERRORS},
    summary="The group's upcoming sessions, soonest first",
    description="With each session's facilitators and staffing check (PSP-4, IMHP-1) for the "
    "group's facilitators and the admin.",
)
def session_list(
    request: HttpRequest, slug: Slug, group_id: GroupId, paging: Query[PageQuery]
) -> dict[str, Any]:
    org, group = _group(request, slug, group_id)
    runs = actor(request).has_perm("groups.view_members", group)
    page = paginate(selectors.upcoming_sessions(group), paging)
    page["items"] = [_session_out(s, runs, org) for s in page["items"]]
    return page


@router.post(
    "/organisations/{slug}/groups/{group_id}/sessions",
    response={201: ScheduledOut, **ERRORS},
    summary="Schedule the group's next session, or the next weeks (its facilitators, the admin)",
    description="The facilitators come from the group's pool. Every date is checked first: a "
    "staffing rule that refuses (PSP-4, IMHP-1) refuses the whole request, naming the rule and "
    "the day (field facilitator_ids); a warning needs confirm=yes (field confirm). Nothing is "
    "written unless every session is.",
)
def session_schedule(
    request: HttpRequest, slug: Slug, group_id: GroupId, payload: ScheduleIn
) -> Status[ScheduledOut]:
    org, group = _group(request, slug, group_id)
    _require(
        request,
        "groups.schedule_session",
        group,
        "Only the group's facilitators or the admin can schedule its sessions.",
    )
    people = _people(org, payload.facilitator_ids, "facilitator_ids")
    with _fields(facilitators="facilitator_ids"):
        created = services.sessions_schedule(
            actor=actor(request),
            group=group,
            facilitators=people,
            weeks=payload.weeks,
            confirmed=payload.confirm == "yes",
        )
    sessions = selectors.upcoming_sessions(group).filter(pk__in=[m.pk for m in created])
    return Status(201, ScheduledOut(items=[_session_out(s, True, org) for s in sessions]))


@router.post(
    "/organisations/{slug}/groups/{group_id}/members/{member_id}/leave",
    response={200: LeftOut, **ERRORS},
    summary="Record that a member left the group (its facilitators, the admin, or the peer)",
    description="PSP-10: peers let the group know when they leave; PSP-11: the relationship is "
    "open-ended until then. The reason is optional and kept encrypted.",
)
def member_leave(
    request: HttpRequest, slug: Slug, group_id: GroupId, member_id: MemberId, payload: LeaveIn
) -> LeftOut:
    org, group = _group(request, slug, group_id)
    member = (
        GroupMember.objects.current()
        .filter(group=group, pk=member_id)
        .select_related("person", "group__organisation")
        .first()
    )
    own = standing(actor(request), org).person
    mine = member is not None and own is not None and member.person_id == own.pk
    if member is None or not (mine or actor(request).has_perm("groups.view_members", group)):
        # A peer learns nothing about other members, not even that the id is one.
        raise Http404("No such member of this group.")
    left = services.member_leave(
        actor=actor(request), member=member, ends_on=payload.ends_on, reason=payload.reason
    )
    assert left.ends_on is not None
    return LeftOut(
        id=left.pk, person_id=left.person_id, starts_on=left.starts_on, ends_on=left.ends_on
    )
