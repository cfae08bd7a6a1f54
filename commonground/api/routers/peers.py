"""The peers module's endpoints (PSP-5, PSP-10, PSP-11, PSP-12): the Guidelines for Behaviour, a
group's guidelines with proposals, decisions and reviews, absences, apologies, leaving, seeking
news, eligibility, membership of the charity, and donations.

The same rules as the pages: a group the caller may not know is a 404, a group they know but may
not act on is a 403; every change goes through the peers services (errors name the field and the
rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Path, Router, Schema, Status

from commonground.access.policy import standing
from commonground.api.routers.common import ERRORS, PersonId, Slug, actor, organisation
from commonground.api.schemas import MAX_ID, Date, Input
from commonground.groups.models import GroupMember, SupportGroup
from commonground.groups.selectors import group_get, group_sessions
from commonground.meetings.models import Meeting
from commonground.peers import selectors, services
from commonground.peers.models import GroupGuideline, GuidelineReview, NewsRecord, Topic
from commonground.people.models import Organisation, Person

router = Router()

GroupId = Annotated[int, Path(ge=1, le=MAX_ID, description="The group's id.")]
GuidelineId = Annotated[int, Path(ge=1, le=MAX_ID, description="The guideline's id.")]
MeetingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The session's id.")]
AgreedId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="An agreed guideline's id (a guideline's id).")
]
PeerId = Annotated[int, Path(ge=1, le=MAX_ID, description="The peer's (person's) id.")]


class BehaviourOut(Schema):
    number: int | None = Field(description="The version in force; null if none written yet.")
    text: str
    since: dt.datetime | None


class GuidelineOut(Schema):
    id: int
    topic: str
    text: str
    state: str
    proposed_at: dt.datetime
    proposed_by: str | None = Field(
        description="Who proposed it: only for the group's facilitators and the admin."
    )
    decided_on: dt.date | None
    how_decided: str
    review_due_on: dt.date | None = Field(description="PSP-5: the next review, if agreed.")


class ProposeIn(Input):
    topic: Literal[tuple(Topic.values)] = Field(  # type: ignore[valid-type]
        description="What the guideline is about."
    )
    text: str = Field(min_length=1, max_length=services.TEXT_MAX)


class DecisionIn(Input):
    agreed: Literal["yes", "no"] = Field(description="The group's decision: yes, agreed.")
    decided_on: Date
    how_decided: str = Field(min_length=1, max_length=services.SHORT_MAX)
    session_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)


class ReviewIn(Input):
    outcome: Literal[tuple(GuidelineReview.Outcome.values)] = Field(  # type: ignore[valid-type]
        description="kept, changed (give the new text) or retired."
    )
    reviewed_on: Date
    how_decided: str = Field(min_length=1, max_length=services.SHORT_MAX)
    text: str = Field(
        "", max_length=services.TEXT_MAX, description="The changed guideline (outcome changed)."
    )
    session_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)


class ReviewOut(Schema):
    id: int
    outcome: str
    reviewed_on: dt.date
    how_decided: str
    guideline: GuidelineOut


class MarkOut(Schema):
    meeting_id: int
    starts_at: dt.datetime
    status: str


class AbsenceOut(Schema):
    person_id: int
    display_name: str
    recent: list[MarkOut]
    absences_in_a_row: int = Field(description="Absences without news; apologies end a run.")


class AbsencesOut(Schema):
    rule_id: str
    seek_news_after_absences: int
    items: list[AbsenceOut]


class ApologiesIn(Input):
    person_id: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="Leave out for yourself."
    )
    received_by: Literal[tuple(services.RECEIVED_BY)] | None = Field(  # type: ignore[valid-type]
        None, description="How a peer's apologies came, when recorded on their behalf."
    )
    reason: str = Field("", max_length=500)


class ApologiesOut(Schema):
    meeting_id: int
    person_id: int
    status: str
    received_by: str


class LeaveIn(Input):
    person_id: int | None = Field(
        None, ge=1, le=MAX_ID, strict=True, description="Leave out for yourself."
    )
    received_by: Literal[tuple(services.RECEIVED_BY)] | None = Field(  # type: ignore[valid-type]
        None, description="How a peer let the group know, when recorded on their behalf."
    )
    reason: str = Field("", max_length=services.NOTE_MAX, description="Kept confidential.")


class LeaveOut(Schema):
    group_id: int
    person_id: int
    starts_on: dt.date
    ends_on: dt.date


class SeekNewsOut(Schema):
    obligation_id: int
    person_id: int
    display_name: str
    title: str
    due_on: dt.date


class NewsIn(Input):
    outcome: Literal[tuple(NewsRecord.Outcome.values)] = Field(  # type: ignore[valid-type]
        description="news_received, leaving (ends their membership of the group) or "
        "could_not_reach. Only the outcome is kept, never the news (PSP-9)."
    )


class NewsOut(Schema):
    id: int
    group_id: int
    person_id: int
    outcome: str
    recorded_at: dt.datetime


class EligibilityIn(Input):
    eligible: Literal["yes", "no"] = Field(
        description="no (the admin only) ends the person's group memberships, with the reason."
    )
    checked_on: Date
    reason: str = Field(
        "", max_length=services.NOTE_MAX, description="Needed for no; kept confidential."
    )


class EligibilityOut(Schema):
    id: int
    person_id: int
    eligible: bool
    checked_on: dt.date


class MembershipIn(Input):
    supports_objects: Literal["yes", "no"] = Field(
        description="yes: you support the charity's objects (membership is free, PSP-12)."
    )
    joined_on: Date | None = Field(None, description="Today if left out.")
    person_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        strict=True,
        description="Leave out for yourself; the admin may record someone's membership.",
    )


class MembershipOut(Schema):
    id: int
    person_id: int
    joined_on: dt.date


class DonationIn(Input):
    amount_pence: int = Field(ge=1, le=services.DONATION_MAX_PENCE, strict=True)
    received_on: Date
    donor_name: str = Field("", max_length=services.NAME_MAX)
    anonymous: Literal["yes", "no"] = "no"
    gift_aid: Literal["yes", "no"] = "no"
    note: str = Field("", max_length=services.NOTE_MAX)


class DonationOut(Schema):
    id: int
    amount_pence: int
    received_on: dt.date
    donor_name: str
    anonymous: bool
    gift_aid: bool
    note: str


class MonthOut(Schema):
    month: dt.date
    total_pence: int
    count: int
    gift_aid_pence: int


class DonationsOut(Schema):
    months: list[MonthOut]
    items: list[DonationOut] = Field(description="The latest 200 donations.")


def _group(request: HttpRequest, slug: str, group_id: int) -> tuple[Organisation, SupportGroup]:
    org = organisation(request, slug)
    return org, group_get(actor=actor(request), organisation=org, pk=group_id)


def _require(request: HttpRequest, perm: str, obj: object, message: str) -> None:
    from django.core.exceptions import PermissionDenied

    if not actor(request).has_perm(perm, obj):
        raise PermissionDenied(message)


def _guideline_out(g: GroupGuideline, sees_proposer: bool, due: dt.date | None) -> GuidelineOut:
    return GuidelineOut(
        id=g.pk,
        topic=g.topic,
        text=g.text,
        state=g.state,
        proposed_at=g.proposed_at,
        proposed_by=g.proposed_by.display_name if sees_proposer else None,
        decided_on=g.decided_on,
        how_decided=g.how_decided,
        review_due_on=due,
    )


def _session_field(group: SupportGroup, session_id: int | None) -> Meeting | None:
    if session_id is None:
        return None
    session = group_sessions(group).filter(pk=session_id).first()
    if session is None:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            {"session_id": ValidationError("Not a session of this group.", code="group_session")}
        )
    return session


def _body_error(field: str, message: str, code: str) -> Exception:
    from django.core.exceptions import ValidationError

    return ValidationError({field: ValidationError(message, code=code)})


def _review_due(g: GroupGuideline) -> dt.date | None:
    from commonground.obligations.models import Obligation

    found = Obligation.objects.filter(
        subject_type="peers.groupguideline",
        subject_id=str(g.pk),
        rule_id="PSP-5",
        key=g.review_key,
        state=Obligation.State.OPEN,
    ).first()
    return found.due_on if found else None


@router.get(
    "/organisations/{slug}/peers/guidelines",
    response={200: BehaviourOut, **ERRORS},
    summary="The organisation's Guidelines for Behaviour in force (every member, PSP-5)",
)
def behaviour(request: HttpRequest, slug: Slug) -> BehaviourOut:
    org = organisation(request, slug)
    _require(request, "peers.view_behaviour_guidelines", org, "Members only.")
    current = selectors.behaviour_guidelines_current(org)
    if current is None:
        return BehaviourOut(number=None, text="", since=None)
    return BehaviourOut(number=current.number, text=current.text, since=current.created_at)


@router.get(
    "/organisations/{slug}/peers/groups/{group_id}/guidelines",
    response={200: list[GuidelineOut], **ERRORS},
    summary="A group's guidelines and proposals (its members, facilitators and the admin)",
    description="PSP-5. Who proposed each is shown to the group's facilitators and the admin only.",
)
def group_guidelines(request: HttpRequest, slug: Slug, group_id: GroupId) -> list[GuidelineOut]:
    _, group = _group(request, slug, group_id)
    _require(request, "peers.view_group_guidelines", group, "For the group's members.")
    sees = actor(request).has_perm("peers.view_proposer", group)
    return [
        _guideline_out(g, sees, _review_due(g) if g.state == "agreed" else None)
        for g in selectors.guidelines_for(group)
    ]


@router.post(
    "/organisations/{slug}/peers/groups/{group_id}/guidelines",
    response={201: GuidelineOut, **ERRORS},
    summary="Propose a guideline for your group (its members, PSP-5)",
)
def guideline_propose(
    request: HttpRequest, slug: Slug, group_id: GroupId, payload: ProposeIn
) -> Status[GuidelineOut]:
    _, group = _group(request, slug, group_id)
    made = services.guideline_propose(
        actor=actor(request), group=group, topic=payload.topic, text=payload.text
    )
    sees = actor(request).has_perm("peers.view_proposer", group)
    return Status(201, _guideline_out(made, sees, None))


@router.post(
    "/organisations/{slug}/peers/groups/{group_id}/guidelines/{guideline_id}/decision",
    response={200: GuidelineOut, **ERRORS},
    summary="Record the group's decision on a proposed guideline (its facilitators, PSP-5)",
    description="Agreed guidelines come up for review on the organisation's PSP-5 cycle.",
)
def guideline_decide(
    request: HttpRequest,
    slug: Slug,
    group_id: GroupId,
    guideline_id: GuidelineId,
    payload: DecisionIn,
) -> GuidelineOut:
    _, group = _group(request, slug, group_id)
    _require(request, "peers.decide_guideline", group, "For the group's facilitators.")
    guideline = selectors.guideline_get(group, guideline_id)
    session = _session_field(group, payload.session_id)
    done = services.guideline_decide(
        actor=actor(request),
        guideline=guideline,
        agreed=payload.agreed == "yes",
        decided_on=payload.decided_on,
        how_decided=payload.how_decided,
        session=session,
    )
    return _guideline_out(done, True, _review_due(done))


@router.post(
    "/organisations/{slug}/peers/groups/{group_id}/guidelines/{agreed_id}/review",
    response={200: ReviewOut, **ERRORS},
    summary="Record the group's review of an agreed guideline: kept, changed or retired (PSP-5)",
    description="Its facilitators. The review meets the review that was due and, unless the "
    "guideline is retired, schedules the next one.",
)
def guideline_review(
    request: HttpRequest,
    slug: Slug,
    group_id: GroupId,
    agreed_id: AgreedId,
    payload: ReviewIn,
) -> ReviewOut:
    _, group = _group(request, slug, group_id)
    _require(request, "peers.decide_guideline", group, "For the group's facilitators.")
    guideline = selectors.guideline_get(group, agreed_id)
    session = _session_field(group, payload.session_id)
    review = services.guideline_review(
        actor=actor(request),
        guideline=guideline,
        outcome=payload.outcome,
        reviewed_on=payload.reviewed_on,
        how_decided=payload.how_decided,
        text=payload.text if payload.outcome == "changed" else "",
        session=session,
    )
    done = review.guideline
    return ReviewOut(
        id=review.pk,
        outcome=review.outcome,
        reviewed_on=review.reviewed_on,
        how_decided=review.how_decided,
        guideline=_guideline_out(done, True, _review_due(done) if done.state == "agreed" else None),
    )


@router.get(
    "/organisations/{slug}/peers/groups/{group_id}/absences",
    response={200: AbsencesOut, **ERRORS},
    summary="Each member's recent sessions and absences in a row (facilitators and the admin)",
    description="PSP-10: apologies are news and end a run; a run reaching the number in force "
    "opens a seek-news action for the group's facilitators.",
)
def absences(request: HttpRequest, slug: Slug, group_id: GroupId) -> AbsencesOut:
    org, group = _group(request, slug, group_id)
    _require(request, "peers.view_absences", group, "For the group's facilitators.")
    from commonground.policies.selectors import organisation_policy

    in_force = organisation_policy(org)
    threshold = (
        in_force.value("PSP-10", "seek_news_after_absences").value
        if in_force.adopts("PSP-10")
        else 0
    )
    return AbsencesOut(
        rule_id="PSP-10",
        seek_news_after_absences=threshold,
        items=[
            AbsenceOut(
                person_id=r.person.pk,
                display_name=r.person.display_name,
                recent=[
                    MarkOut(meeting_id=m.meeting_id, starts_at=m.starts_at, status=m.status)
                    for m in r.recent
                ],
                absences_in_a_row=len(r.run),
            )
            for r in selectors.absences(group)
        ],
    )


@router.post(
    "/organisations/{slug}/peers/groups/{group_id}/sessions/{session_id}/apologies",
    response={200: ApologiesOut, **ERRORS},
    summary="Send apologies for a coming session, or record a peer's (PSP-10)",
)
def apologies(
    request: HttpRequest,
    slug: Slug,
    group_id: GroupId,
    session_id: MeetingId,
    payload: ApologiesIn,
) -> ApologiesOut:
    _, group = _group(request, slug, group_id)
    meeting = group_sessions(group).filter(pk=session_id).first()
    if meeting is None:
        raise Http404("No such session.")
    person = None
    if payload.person_id is not None:
        person = next(
            (
                p.person
                for p in meeting.participants.select_related("person")
                if p.person_id == payload.person_id
            ),
            None,
        )
        if person is None:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {
                    "person_id": ValidationError(
                        "Not invited to this session.", code="meeting_participant"
                    )
                }
            )
    row = services.apologies_send(
        actor=actor(request),
        group=group,
        meeting=meeting,
        person=person,
        reason=payload.reason,
        received_by=payload.received_by or "",
    )
    return ApologiesOut(
        meeting_id=meeting.pk,
        person_id=row.person_id,
        status=row.status,
        received_by=row.apologies_received_by,
    )


@router.post(
    "/organisations/{slug}/peers/groups/{group_id}/leave",
    response={200: LeaveOut, **ERRORS},
    summary="Leave the group, or record that a peer is leaving (PSP-10)",
    description="A member leaves for themselves; the group's facilitators record a peer's "
    "leaving from a text message or call (person_id and received_by). Any open seek-news "
    "action for them is no longer needed.",
)
def leave(request: HttpRequest, slug: Slug, group_id: GroupId, payload: LeaveIn) -> LeaveOut:
    org, group = _group(request, slug, group_id)
    me = standing(actor(request), org).person
    if payload.person_id is None or (me is not None and payload.person_id == me.pk):
        _require(request, "peers.keep_in_touch", group, "Only the group's members can leave it.")
        person_id = me.pk if me is not None else 0
    else:
        _require(request, "peers.record_for_peer", group, "For the group's facilitators.")
        person_id = payload.person_id
    member = GroupMember.objects.current().filter(group=group, person_id=person_id).first()
    if member is None:
        raise _body_error("person_id", "Not a current member of this group.", "group_member")
    left = services.leave_group(
        actor=actor(request),
        member=member,
        reason=payload.reason,
        received_by=payload.received_by or "",
    )
    return LeaveOut(
        group_id=group.pk,
        person_id=left.person_id,
        starts_on=left.starts_on,
        ends_on=left.ends_on or left.starts_on,
    )


@router.get(
    "/organisations/{slug}/peers/groups/{group_id}/seek-news",
    response={200: list[SeekNewsOut], **ERRORS},
    summary="The group's open seek-news actions (facilitators and the admin, PSP-10)",
)
def seek_news(request: HttpRequest, slug: Slug, group_id: GroupId) -> list[SeekNewsOut]:
    _, group = _group(request, slug, group_id)
    _require(request, "peers.view_absences", group, "For the group's facilitators.")
    return [
        SeekNewsOut(
            obligation_id=o.pk,
            person_id=person.pk,
            display_name=person.display_name,
            title=o.title,
            due_on=o.due_on,
        )
        for person, o in selectors.seek_news_open(group)
    ]


@router.post(
    "/organisations/{slug}/peers/groups/{group_id}/members/{peer_id}/news",
    response={201: NewsOut, **ERRORS},
    summary="Record news of an absent peer: received, leaving, or could not reach (PSP-10)",
    description="The group's facilitators. Only the outcome is kept; it meets the open "
    "seek-news action, and leaving also ends the peer's membership of the group.",
)
def news(
    request: HttpRequest, slug: Slug, group_id: GroupId, peer_id: PeerId, payload: NewsIn
) -> Status[NewsOut]:
    _, group = _group(request, slug, group_id)
    _require(request, "peers.record_news", group, "For the group's facilitators.")
    member = (
        GroupMember.objects.current()
        .filter(group=group, person_id=peer_id)
        .select_related("person")
        .first()
    )
    if member is None:
        raise Http404("Not a member of this group.")
    services.absences_check(group, actor=actor(request))
    record = services.news_record(
        actor=actor(request), group=group, person=member.person, outcome=payload.outcome
    )
    return Status(
        201,
        NewsOut(
            id=record.pk,
            group_id=group.pk,
            person_id=record.person_id,
            outcome=record.outcome,
            recorded_at=record.recorded_at,
        ),
    )


@router.post(
    "/organisations/{slug}/peers/people/{person_id}/eligibility",
    response={201: EligibilityOut, **ERRORS},
    summary="Record eligibility under the charity's objects, or no longer eligible (PSP-11)",
    description="Facilitators and the admin record eligible; only the admin records no longer "
    "eligible, which ends the person's group memberships with the reason.",
)
def eligibility(
    request: HttpRequest, slug: Slug, person_id: PersonId, payload: EligibilityIn
) -> Status[EligibilityOut]:
    org = organisation(request, slug)
    _require(request, "peers.check_eligibility", org, "For facilitators and the admin.")
    person = Person.objects.filter(organisation=org, pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    check = services.eligibility_record(
        actor=actor(request),
        organisation=org,
        person=person,
        eligible=payload.eligible == "yes",
        checked_on=payload.checked_on,
        reason=payload.reason,
    )
    return Status(
        201,
        EligibilityOut(
            id=check.pk,
            person_id=check.person_id,
            eligible=check.eligible,
            checked_on=check.checked_on,
        ),
    )


@router.post(
    "/organisations/{slug}/peers/membership",
    response={201: MembershipOut, **ERRORS},
    summary="Become a member of the charity, for nothing (every member, PSP-12)",
    description="Anyone who supports the charity's objects; the admin may record someone's.",
)
def membership(request: HttpRequest, slug: Slug, payload: MembershipIn) -> Status[MembershipOut]:
    org = organisation(request, slug)
    person = None
    if payload.person_id is not None:
        person = Person.objects.filter(organisation=org, pk=payload.person_id).first()
        if person is None:
            raise _body_error(
                "person_id", "Choose someone in this organisation.", "same_organisation"
            )
    member = services.charity_join(
        actor=actor(request),
        organisation=org,
        supports_objects=payload.supports_objects == "yes",
        joined_on=payload.joined_on,
        person=person,
    )
    return Status(
        201, MembershipOut(id=member.pk, person_id=member.person_id, joined_on=member.joined_on)
    )


def _donation_out(d: object) -> DonationOut:
    return DonationOut.model_validate(d, from_attributes=True)


@router.get(
    "/organisations/{slug}/peers/donations",
    response={200: DonationsOut, **ERRORS},
    summary="Donations with totals per month (the admin, PSP-12)",
)
def donations(request: HttpRequest, slug: Slug) -> DonationsOut:
    org = organisation(request, slug)
    _require(request, "peers.manage_donations", org, "Donations are for the organisation admin.")
    return DonationsOut(
        months=[
            MonthOut(
                month=m.month,
                total_pence=m.total_pence,
                count=m.count,
                gift_aid_pence=m.gift_aid_pence,
            )
            for m in selectors.donations_by_month(org)
        ],
        items=[_donation_out(d) for d in selectors.donations(org)[:200]],
    )


@router.post(
    "/organisations/{slug}/peers/donations",
    response={201: DonationOut, **ERRORS},
    summary="Record a donation (the admin, PSP-12)",
    description="Voluntary; it changes nothing else. Anonymous donations have no name and no "
    "Gift Aid.",
)
def donation_add(request: HttpRequest, slug: Slug, payload: DonationIn) -> Status[DonationOut]:
    org = organisation(request, slug)
    fields = payload.model_dump()
    for key in ("anonymous", "gift_aid"):
        fields[key] = fields[key] == "yes"
    made = services.donation_record(actor=actor(request), organisation=org, **fields)
    return Status(201, _donation_out(made))
