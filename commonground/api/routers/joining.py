"""A peer's way into a group (PSP-1, PSP-2, PSP-3): everyone on the way in, one journey step by
step, each step recorded, and joining.

The same selectors and services as the pages, so the same rules: the way-in list and every
journey for facilitators and the admin (403 for other members, 404 for other organisations); a
peer sees their own journey without anyone else's details; the conversation, the name-check and
joining are the chosen group's facilitators' and the admin's. Joining with a step missing is a
400 with one error per missing step, each naming its field and rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from commonground.access.policy import standing
from commonground.api.pagination import paginate
from commonground.api.routers.casework import _fields, _people
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.routers.groups import MINUTES_MAX, DateTime
from commonground.api.routers.groupsessions import AttendanceIn
from commonground.api.schemas import MAX_ID, Date, Input, PageOut, PageQuery
from commonground.groups.models import SupportGroup
from commonground.groups.selectors import current_members
from commonground.joining import selectors, services
from commonground.joining.models import GroupAttempt, NameCheckConflict, PeerJourney
from commonground.joining.selectors import Progress
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_record_attendance
from commonground.people.models import Organisation, Person
from commonground.policies.selectors import organisation_policy

router = Router()

JourneyId = Annotated[int, Path(ge=1, le=MAX_ID, description="The journey's id.")]
AttemptId = Annotated[int, Path(ge=1, le=MAX_ID, description="The way into one group's id.")]
ConflictId = Annotated[int, Path(ge=1, le=MAX_ID, description="The name-check record's id.")]
WorkshopId = Annotated[int, Path(ge=1, le=MAX_ID, description="The workshop's id.")]
Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
W = "/organisations/{slug}/way-in"


# Schemas


class JourneyOut(Schema):
    id: int
    person_id: int
    display_name: str
    enquired_on: dt.date
    stage: str = Field(
        description="Read from the records: enquired, workshop, conversation, not_now, "
        "name_checked or member."
    )
    stage_label: str
    next_step: str | None = Field(description="What comes next (null in the peer's own view).")
    attempt_id: int | None = Field(description="The way into a group the journey is about now.")
    group_id: int | None
    group_name: str | None


class JourneyPageOut(PageOut):
    items: list[JourneyOut]


class StepOut(Schema):
    key: str
    label: str
    rule_id: str | None = Field(description="PSP-1, PSP-2 or PSP-3; null for enquiry and joining.")
    applies: bool = Field(description="False when the organisation has not adopted the rule.")
    done_on: dt.date | None
    text: str
    why: str | None = Field(description="The rule's summary.")


class JourneyDetailOut(JourneyOut):
    steps: list[StepOut]


class EnquiryIn(Input):
    person_id: Id | None = Field(None, description="Someone already known; or give full_name.")
    full_name: str = Field("", max_length=200, description="A new person's full name.")
    preferred_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    enquired_on: Date | None = Field(None, description="Today if left out.")
    note: str = Field("", max_length=services.NOTE_MAX, description="Kept confidential.")


class WorkshopInviteIn(Input):
    workshop_id: Id = Field(description="An Introduction to Group Work workshop (PSP-1).")


class WorkshopIn(Input):
    starts_at: DateTime
    facilitator_ids: list[Id] = Field(
        min_length=1, max_length=10, description="Two trained facilitators (PSP-4)."
    )
    place: str = Field("", max_length=500)
    invite_journey_ids: list[Id] = Field(
        [], max_length=200, description="People on the way in to invite."
    )


class WorkshopOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    participants: dict[int, str] = Field(description="Each person's id and their status.")


class ConversationIn(Input):
    group_id: Id
    starts_at: DateTime
    duration_minutes: int = Field(
        ge=1,
        le=MINUTES_MAX,
        strict=True,
        description="The meeting's length; outside the usual length in force is a warning.",
    )
    mode: GroupAttempt.Mode
    facilitator_ids: list[Id] = Field(min_length=1, max_length=10)
    place: str = Field("", max_length=500)


class AttemptOut(Schema):
    id: int
    journey_id: int
    group_id: int
    conversation_id: int | None
    mode: str
    outcome: str = Field(description="join, not_now, or empty until recorded; never a score.")
    declared_on: dt.date | None
    checked_on: dt.date | None
    closed_on: dt.date | None
    closed_reason: str
    warnings: list[str] = Field(default_factory=list)


class OutcomeIn(Input):
    outcome: GroupAttempt.Outcome
    note: str = Field("", max_length=services.NOTE_MAX)


class DeclarationIn(Input):
    names: str | None = Field(
        None,
        min_length=1,
        max_length=services.NOTE_MAX,
        description="The people the peer has, or had, a relationship with, one a line. Leave "
        "it out for nobody, with nobody=yes.",
    )
    nobody: Literal["yes", "no"] = Field(
        "no", description="yes: the peer has no such relationship with anyone (leave names out)."
    )


class DeclaredOut(Schema):
    message: str


class MatchOut(Schema):
    declared: str
    member_id: int
    member_name: str


class ConflictOut(Schema):
    id: int
    member_id: int
    member_name: str
    source: str
    agreed_on: dt.date | None


class NameCheckOut(Schema):
    attempt_id: int
    declared_on: dt.date | None
    declared: list[str]
    matches: list[MatchOut]
    conflicts: list[ConflictOut]
    checked_on: dt.date | None


class NameCheckIn(Input):
    decision: Literal["no_conflict", "conflict"]
    member_id: Id | None = None
    source: NameCheckConflict.Source = NameCheckConflict.Source.DECLARED
    note: str = Field("", max_length=services.NOTE_MAX)


class AgreementIn(Input):
    agreed_on: Date


class JoinIn(Input):
    group_id: Id


class MembershipOut(Schema):
    group_id: int
    person_id: int
    starts_on: dt.date


# Helpers


def _journey_out(progress: Progress, *, own_view: bool = False) -> dict[str, Any]:
    attempt = progress.attempt
    return {
        "id": progress.journey.pk,
        "person_id": progress.journey.person_id,
        "display_name": progress.person.display_name,
        "enquired_on": progress.journey.enquired_on,
        "stage": progress.stage,
        "stage_label": progress.stage_label,
        "next_step": None if own_view else progress.next_step,
        "attempt_id": attempt.pk if attempt else None,
        "group_id": attempt.group_id if attempt else None,
        "group_name": attempt.group.name if attempt else None,
    }


def _attempt_out(attempt: GroupAttempt, warnings: list[str] | None = None) -> AttemptOut:
    return AttemptOut(
        id=attempt.pk,
        journey_id=attempt.journey_id,
        group_id=attempt.group_id,
        conversation_id=attempt.conversation_id,
        mode=attempt.mode,
        outcome=attempt.outcome,
        declared_on=attempt.declared_on,
        checked_on=attempt.checked_on,
        closed_on=attempt.closed_on,
        closed_reason=attempt.closed_reason,
        warnings=warnings or [],
    )


def _not_found(field: str, what: str, pk: int) -> ValidationError:
    return ValidationError(
        {
            field: ValidationError(
                "There is no %(what)s with the id %(id)s here.",
                code="not_found",
                params={"what": what, "id": pk},
            )
        }
    )


def _group(org: Organisation, pk: int, field: str = "group_id") -> SupportGroup:
    group = SupportGroup.objects.filter(organisation=org, pk=pk).first()
    if group is None:
        raise _not_found(field, "group", pk)
    return group


def _journey(request: HttpRequest, org: Organisation, pk: int) -> PeerJourney:
    return selectors.journey_get(actor=actor(request), organisation=org, pk=pk)


def _own_view(request: HttpRequest, org: Organisation, journey: PeerJourney) -> bool:
    me = standing(actor(request), org).person
    return (
        me is not None
        and me.pk == journey.person_id
        and not actor(request).has_perm("joining.manage_journey", journey)
    )


def _attempt(request: HttpRequest, org: Organisation, pk: int) -> GroupAttempt:
    return selectors.attempt_get(actor=actor(request), organisation=org, pk=pk)


def _group_step(request: HttpRequest, attempt: GroupAttempt) -> None:
    if not actor(request).has_perm("groups.change_members", attempt.group):
        raise PermissionDenied("Only the group's facilitators or the admin do this step.")


# Endpoints


@router.get(
    W,
    response={200: JourneyPageOut, **ERRORS},
    summary="Everyone on the way into a group, by stage (facilitators and the admin)",
)
def way_in_list(request: HttpRequest, slug: Slug, paging: Query[PageQuery]) -> dict[str, Any]:
    org = organisation(request, slug)
    if not actor(request).has_perm("joining.view_way_in", org):
        raise PermissionDenied("Only facilitators and the admin see everyone on the way in.")
    page = paginate(selectors.journeys(org).order_by("enquired_on", "pk"), paging)
    rows = selectors.progress_for(page["items"], organisation_policy(org))
    page["items"] = [_journey_out(p) for p in rows]
    return page


@router.post(
    W,
    response={201: JourneyOut, **ERRORS},
    summary="Record an enquiry: someone known (person_id) or a new person (full_name)",
)
def way_in_enquire(request: HttpRequest, slug: Slug, payload: EnquiryIn) -> Status[JourneyOut]:
    org = organisation(request, slug)
    if not actor(request).has_perm("joining.record_enquiry", org):
        raise PermissionDenied("Only facilitators and the admin record enquiries.")
    person = None
    if payload.person_id is not None:
        person = Person.objects.filter(organisation=org, pk=payload.person_id).first()
        if person is None:
            raise _not_found("person_id", "person", payload.person_id)
    with _fields(person="person_id", enquiry_note="note"):
        created = services.journey_enquire(
            actor=actor(request),
            organisation=org,
            person=person,
            full_name=payload.full_name,
            preferred_name=payload.preferred_name,
            email=payload.email,
            phone=payload.phone,
            enquired_on=payload.enquired_on,
            note=payload.note,
        )
    progress = selectors.progress_get(_journey(request, org, created.pk), organisation_policy(org))
    return Status(201, JourneyOut(**_journey_out(progress)))


@router.get(
    W + "/{journey_id}",
    response={200: JourneyDetailOut, **ERRORS},
    summary="One journey step by step, each with its date and its rule (the peer sees their own)",
)
def way_in_detail(request: HttpRequest, slug: Slug, journey_id: JourneyId) -> JourneyDetailOut:
    org = organisation(request, slug)
    found = _journey(request, org, journey_id)
    own = _own_view(request, org, found)
    progress = selectors.progress_get(found, organisation_policy(org))
    steps = [
        StepOut(
            key=s["key"],
            label=s["label"],
            rule_id=s["rule"] or None,
            applies=s["applies"],
            done_on=s["done_on"],
            text=s.get("text", ""),
            why=selectors.why(progress.in_force, s["rule"])["rule"].summary if s["rule"] else None,
        )
        for s in selectors.journey_steps(progress, own_view=own)
    ]
    return JourneyDetailOut(**_journey_out(progress, own_view=own), steps=steps)


@router.post(
    W + "/{journey_id}/workshop",
    response={200: JourneyOut, **ERRORS},
    summary="Invite to an Introduction to Group Work workshop (PSP-1)",
    description="Attendance is recorded on the workshop meeting; PSP-1 counts “attended” at a "
    "held workshop.",
)
def way_in_workshop(
    request: HttpRequest, slug: Slug, journey_id: JourneyId, payload: WorkshopInviteIn
) -> JourneyOut:
    org = organisation(request, slug)
    found = _journey(request, org, journey_id)
    if not actor(request).has_perm("joining.manage_journey", found):
        raise PermissionDenied("Only facilitators and the admin invite people.")
    workshop = Meeting.objects.filter(
        organisation=org, pk=payload.workshop_id, kind=MeetingKind.WORKSHOP
    ).first()
    if workshop is None:
        raise _not_found("workshop_id", "workshop", payload.workshop_id)
    with _fields(workshop="workshop_id", people="workshop_id"):
        services.workshop_invite(actor=actor(request), journey=found, workshop=workshop)
    progress = selectors.progress_get(_journey(request, org, journey_id), organisation_policy(org))
    return JourneyOut(**_journey_out(progress))


@router.post(
    W + "/{journey_id}/conversation",
    response={201: AttemptOut, **ERRORS},
    summary="Arrange the initial conversation with a group's facilitators (PSP-2)",
    description="In person, video or call. Outside the usual length in force is a warning in "
    "the answer, not a refusal.",
)
def way_in_conversation(
    request: HttpRequest, slug: Slug, journey_id: JourneyId, payload: ConversationIn
) -> Status[AttemptOut]:
    org = organisation(request, slug)
    found = _journey(request, org, journey_id)
    group = _group(org, payload.group_id)
    facilitators = _people(org, payload.facilitator_ids, "facilitator_ids")
    with _fields(group="group_id", facilitators="facilitator_ids", duration="duration_minutes"):
        attempt, warnings = services.conversation_arrange(
            actor=actor(request),
            journey=found,
            group=group,
            starts_at=payload.starts_at,
            duration=dt.timedelta(minutes=payload.duration_minutes),
            mode=payload.mode,
            facilitators=facilitators,
            place=payload.place,
        )
    return Status(201, _attempt_out(attempt, warnings))


@router.post(
    W + "/attempts/{attempt_id}/outcome",
    response={200: AttemptOut, **ERRORS},
    summary="Record the initial conversation's outcome: join or not now (PSP-2)",
)
def way_in_outcome(
    request: HttpRequest, slug: Slug, attempt_id: AttemptId, payload: OutcomeIn
) -> AttemptOut:
    org = organisation(request, slug)
    attempt = _attempt(request, org, attempt_id)
    _group_step(request, attempt)
    services.conversation_outcome(
        actor=actor(request), attempt=attempt, outcome=payload.outcome, note=payload.note
    )
    return _attempt_out(_attempt(request, org, attempt_id))


@router.post(
    W + "/attempts/{attempt_id}/declaration",
    response={200: DeclaredOut, **ERRORS},
    summary="Declare the people the peer has, or had, a relationship with (PSP-3)",
    description="By the peer, or a facilitator for them. The answer never says whether a name "
    "matched a member.",
)
def way_in_declare(
    request: HttpRequest, slug: Slug, attempt_id: AttemptId, payload: DeclarationIn
) -> DeclaredOut:
    org = organisation(request, slug)
    attempt = _attempt(request, org, attempt_id)
    if (payload.names is None) != (payload.nobody == "yes"):
        field, message = (
            ("names", "Give the names, or nobody=yes if there is nobody.")
            if payload.names is None
            else ("nobody", "Leave the names out when there is nobody.")
        )
        raise ValidationError({field: ValidationError(message, code="declaration")})
    with _fields(declared_names="names"):
        services.names_declare(actor=actor(request), attempt=attempt, names=payload.names or "")
    return DeclaredOut(message="Thank you. The facilitators will be in touch.")


@router.get(
    W + "/attempts/{attempt_id}/name-check",
    response={200: NameCheckOut, **ERRORS},
    summary="The declaration, the possible matches among current members, and the relationships "
    "recorded (the group's facilitators and the admin)",
)
def way_in_name_check(request: HttpRequest, slug: Slug, attempt_id: AttemptId) -> NameCheckOut:
    from commonground.audit.services import audit_read

    org = organisation(request, slug)
    attempt = _attempt(request, org, attempt_id)
    _group_step(request, attempt)
    if attempt.declared_names:
        audit_read(
            actor=actor(request), organisation=org, instance=attempt, fields=["declared_names"]
        )
    matches = selectors.name_matches(attempt.declared_names, current_members(attempt.group))
    return NameCheckOut(
        attempt_id=attempt.pk,
        declared_on=attempt.declared_on,
        declared=selectors.declared_list(attempt.declared_names),
        matches=[
            MatchOut(declared=m.declared, member_id=m.member.pk, member_name=m.member.full_name)
            for m in matches
        ],
        conflicts=[
            ConflictOut(
                id=c.pk,
                member_id=c.member_id,
                member_name=c.member.display_name,
                source=c.source,
                agreed_on=c.agreed_on,
            )
            for c in attempt.conflicts.all()
        ],
        checked_on=attempt.checked_on,
    )


@router.post(
    W + "/attempts/{attempt_id}/name-check",
    response={200: AttemptOut, **ERRORS},
    summary="Record the name-check: no conflict, or a relationship with a member (PSP-3)",
)
def way_in_name_check_record(
    request: HttpRequest, slug: Slug, attempt_id: AttemptId, payload: NameCheckIn
) -> AttemptOut:
    org = organisation(request, slug)
    attempt = _attempt(request, org, attempt_id)
    _group_step(request, attempt)
    if payload.decision == "conflict":
        if payload.member_id is None:
            raise ValidationError(
                {"member_id": ValidationError("Choose the member.", code="required")}
            )
        member = Person.objects.filter(organisation=org, pk=payload.member_id).first()
        if member is None:
            raise _not_found("member_id", "person", payload.member_id)
        with _fields(member="member_id"):
            services.conflict_record(
                actor=actor(request),
                attempt=attempt,
                member=member,
                source=payload.source,
                note=payload.note,
            )
    else:
        with _fields(name_check="decision"):
            services.name_check_clear(actor=actor(request), attempt=attempt)
    return _attempt_out(_attempt(request, org, attempt_id))


@router.post(
    W + "/conflicts/{conflict_id}/agreement",
    response={200: ConflictOut, **ERRORS},
    summary="Record that the existing member agreed to the peer joining (PSP-3)",
)
def way_in_agreement(
    request: HttpRequest, slug: Slug, conflict_id: ConflictId, payload: AgreementIn
) -> ConflictOut:
    org = organisation(request, slug)
    conflict = selectors.conflict_get(actor=actor(request), organisation=org, pk=conflict_id)
    services.conflict_agree(actor=actor(request), conflict=conflict, agreed_on=payload.agreed_on)
    return ConflictOut(
        id=conflict.pk,
        member_id=conflict.member_id,
        member_name=conflict.member.display_name,
        source=conflict.source,
        agreed_on=conflict.agreed_on,
    )


@router.post(
    W + "/{journey_id}/join",
    response={201: MembershipOut, **ERRORS},
    summary="Join a group once every step the policy asks for is done",
    description="Refused with one error per missing step, each naming its field and rule "
    "(PSP-1, PSP-2, PSP-3); only rules the organisation has adopted are required.",
)
def way_in_join(
    request: HttpRequest, slug: Slug, journey_id: JourneyId, payload: JoinIn
) -> Status[MembershipOut]:
    org = organisation(request, slug)
    found = _journey(request, org, journey_id)
    group = _group(org, payload.group_id)
    member = services.peer_join(actor=actor(request), journey=found, group=group)
    return Status(
        201,
        MembershipOut(group_id=group.pk, person_id=member.person_id, starts_on=member.starts_on),
    )


# PSP-1: the Introduction to Group Work workshop ------------------------------------------------


def _workshop_out(workshop: Meeting) -> WorkshopOut:
    return WorkshopOut(
        id=workshop.pk,
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        status=workshop.status,
        participants=dict(workshop.participants.values_list("person_id", "status")),
    )


@router.post(
    "/organisations/{slug}/workshops",
    response={201: WorkshopOut, **ERRORS},
    summary="Schedule an Introduction to Group Work workshop (PSP-1)",
    description="Its length is PSP-1's in force; the facilitators are checked against PSP-4 "
    "(two appropriately trained) and refused naming the rule.",
)
def workshop_create(request: HttpRequest, slug: Slug, payload: WorkshopIn) -> Status[WorkshopOut]:
    org = organisation(request, slug)
    if not actor(request).has_perm("joining.manage_journey", org):
        raise PermissionDenied("Only facilitators and the admin schedule workshops.")
    facilitators = _people(org, payload.facilitator_ids, "facilitator_ids")
    wanted = list(dict.fromkeys(payload.invite_journey_ids))
    journeys = {j.pk: j for j in PeerJourney.objects.filter(organisation=org, pk__in=wanted)}
    for pk in wanted:
        if pk not in journeys:
            raise _not_found("invite_journey_ids", "journey", pk)
    with _fields(facilitators="facilitator_ids", invite="invite_journey_ids"):
        workshop = services.workshop_schedule(
            actor=actor(request),
            organisation=org,
            starts_at=payload.starts_at,
            facilitators=facilitators,
            place=payload.place,
            invite=[journeys[pk] for pk in wanted],
        )
    return Status(201, _workshop_out(workshop))


@router.post(
    "/organisations/{slug}/workshops/{workshop_id}/attendance",
    response={200: WorkshopOut, **ERRORS},
    summary="Record who came to a workshop (PSP-1 counts “attended” at a held workshop)",
    description="By the workshop's facilitators or the admin, once it has started.",
)
def workshop_attendance(
    request: HttpRequest, slug: Slug, workshop_id: WorkshopId, payload: AttendanceIn
) -> WorkshopOut:
    org = organisation(request, slug)
    user = actor(request)
    workshop = Meeting.objects.filter(
        organisation=org, pk=workshop_id, kind=MeetingKind.WORKSHOP
    ).first()
    if workshop is None or not (
        user.has_perm("joining.manage_journey", org)
        or user.has_perm("meetings.view_meeting", workshop)
    ):
        raise Http404("No such workshop.")
    with _fields(status="attendance"):
        meeting_record_attendance(
            actor=user,
            meeting=workshop,
            attendance={mark.person_id: mark.status for mark in payload.attendance},
        )
    workshop.refresh_from_db()
    return _workshop_out(workshop)
