"""Community Resolution Meetings (ASH-7 to ASH-11): the meetings the caller may see, one meeting
as the caller may see it, calling one on a case, giving notice of its date, outreach to each party
and their contributions, the S&W summary, the anonymity check of its agenda and publishing it.

Every read goes through the resolution selectors and every change through its services, so the
access rules and the ASH rules are the ones the pages use. A meeting the caller has no need to
know about is a 404, like a missing one; its published agenda is for every member (ASH-10).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Path, Router, Schema, Status

from commonground.api.routers.casework import CaseId, PersonRef, _fields, _obligations_out
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import LONG_TEXT, MAX_ID, Date, Input, ObligationOut
from commonground.casework.models import CaseParty
from commonground.meetings.models import Meeting
from commonground.people.models import Organisation
from commonground.people.selectors import actor_person
from commonground.policies.values import LONDON
from commonground.resolution import selectors, services
from commonground.resolution.models import (
    AgendaVersion,
    CommunityResolutionMeeting,
    Contribution,
    CrmParty,
    NoticeToQuit,
    Reinstatement,
)

CRM = CommunityResolutionMeeting

router = Router()

CrmId = Annotated[int, Path(ge=1, le=MAX_ID, description="The meeting's id.")]
PartyId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The person id of a party to the meeting's case.")
]


# Schemas


class CrmSummaryOut(Schema):
    id: int
    access: str = Field(
        description="case: you are in the case, support it, are in the S&W group or are the "
        "admin; agenda: you see only its published, anonymous agenda."
    )
    case_reference: str | None = Field(description="Null when you see only the agenda.")
    state: CRM.State
    state_label: str
    meeting_at: dt.datetime | None
    agenda_published: bool


class CrmListOut(Schema):
    items: list[CrmSummaryOut]


class CrmPartyOut(Schema):
    alias: str = Field(description="Member A, Member B, …: how the agenda names them (ASH-10).")
    you: bool


class AgendaSectionOut(Schema):
    heading: str
    text: str


class AgendaOut(Schema):
    number: int = Field(description="The version; each publication is a new one.")
    published_at: dt.datetime
    sections: list[AgendaSectionOut]


class CrmOut(Schema):
    id: int
    access: str = Field(
        description="manage: you prepare it (a supporter of the case); case: you are in the case, "
        "the S&W group or the admin; agenda: you see only its published agenda."
    )
    case_id: int | None = Field(description="Null when you see only the agenda.")
    case_reference: str | None
    state: CRM.State
    state_label: str
    grounds: list[str] = Field(
        description="What ASH-7 found when it was called: no agreement, a broken one or a party "
        "not engaging. Empty when you see only the agenda."
    )
    called_at: dt.datetime | None
    notice_given_at: dt.datetime | None
    meeting_at: dt.datetime | None
    place: str
    earliest_meeting_on: dt.date | None = Field(
        description="The first day the meeting may be held, after the notice in force (ASH-8); "
        "for those who prepare it."
    )
    parties: list[CrmPartyOut]
    agenda: AgendaOut | None = Field(description="The latest published, anonymous agenda.")
    obligations: list[ObligationOut]


class CrmCallIn(Input):
    stuck_reason: str = Field(
        "",
        max_length=LONG_TEXT,
        description="Why the group finds the conflict stuck: the existing tools are exhausted "
        "(ASH-7). Confidential.",
    )
    harm_reason: str = Field(
        "",
        max_length=LONG_TEXT,
        description="Why significant harm is happening (ASH-7). Confidential.",
    )
    harm_by: list[PersonRef] = Field(
        default_factory=list,
        max_length=100,
        description="The person ids of the parties whose behaviour is causing that harm; only "
        "they can later be given an Action Plan (ASH-13).",
    )


class CrmNoticeIn(Input):
    meeting_on: Date = Field(
        description="The day of the meeting: at least the notice in force after notice is first "
        "given (ASH-8)."
    )
    time: str = Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="When it starts, as HH:MM (UK time).",
    )
    place: str = Field("", max_length=200)


class NameFoundOut(Schema):
    section: str
    word: str = Field(description="The name or alias found.")
    excerpt: str = Field(description="The words around it.")


class AgendaCheckOut(Schema):
    publishable: bool
    fingerprint: str = Field(
        description="Identifies this draft: send it when publishing to publish exactly it."
    )
    sections: list[AgendaSectionOut] = Field(description="The agenda as it would be published.")
    names_found: list[NameFoundOut] = Field(
        description="Every place a party's name, or an alias they have elsewhere, appears "
        "(ASH-10); publishing is refused while there is any."
    )
    problems: list[str] = Field(description="What else is missing (ASH-9, ASH-11).")


class AgendaPublishIn(Input):
    fingerprint: str = Field(
        "",
        pattern=r"^([0-9a-f]{64})?$",
        description="The fingerprint from the agenda check; if given, publishing is refused when "
        "the agenda has changed since.",
    )


class OutreachIn(Input):
    on: Date = Field(
        description="The day the S&W group reached the party (ASH-9); not later than today."
    )
    note: str = Field("", max_length=LONG_TEXT, description="How they were reached. Confidential.")


class OutreachOut(Schema):
    alias: str
    outreach_on: dt.date


class ContributionIn(Input):
    needs: str = Field(max_length=LONG_TEXT, description="What the member needs (ASH-9).")
    requests: str = Field(
        max_length=LONG_TEXT, description="What the member asks for in a Shared Agreement."
    )


class ContributionOut(Schema):
    alias: str
    needs: str
    requests: str
    on_agenda: bool = Field(
        description="Any change takes it off the agenda until a supporter places it again."
    )
    written_by_the_member: bool


class SummaryIn(Input):
    support_summary: str = Field(
        max_length=LONG_TEXT, description="The support given so far (ASH-11)."
    )
    suggested_action_plan: str = Field(
        "", max_length=LONG_TEXT, description="Suggested Action Plan text, if any (ASH-11)."
    )


class SummaryOut(Schema):
    support_summary: str
    suggested_action_plan: str


# Helpers


def agenda_fingerprint(sections: list[tuple[str, str]]) -> str:
    return hashlib.sha256(json.dumps(sections).encode()).hexdigest()


def _sections(sections: list[tuple[str, str]]) -> list[AgendaSectionOut]:
    return [AgendaSectionOut(heading=h, text=t) for h, t in sections]


def _agenda_out(version: AgendaVersion | None) -> AgendaOut | None:
    if version is None:
        return None
    return AgendaOut(
        number=version.number,
        published_at=version.published_at,
        sections=_sections(version.sections()),
    )


def _crm(request: HttpRequest, slug: str, crm_id: int) -> CRM:
    return selectors.crm_get(
        actor=actor(request), organisation=organisation(request, slug), pk=crm_id
    )


def _require_manage(request: HttpRequest, crm: CRM) -> None:
    if not actor(request).has_perm("resolution.manage_crm", crm):
        raise PermissionDenied("Only the case's supporters prepare the meeting.")


def _crm_out(request: HttpRequest, crm: CRM) -> CrmOut:
    user = actor(request)
    manage = user.has_perm("resolution.manage_crm", crm)
    own = actor_person(actor=user, organisation=crm.organisation)
    parties = list(crm.parties.select_related("case_party"))
    return CrmOut(
        id=crm.pk,
        access="manage" if manage else "case",
        case_id=crm.case_id,
        case_reference=crm.case.reference,
        state=CRM.State(crm.state),
        state_label=crm.get_state_display(),
        grounds=crm.grounds,
        called_at=crm.called_at,
        notice_given_at=crm.notice_given_at,
        meeting_at=crm.meeting_at,
        place=crm.place,
        earliest_meeting_on=services.crm_earliest_date(crm) if manage else None,
        parties=[
            CrmPartyOut(alias=p.alias, you=own is not None and p.case_party.person_id == own.pk)
            for p in parties
        ],
        agenda=_agenda_out(crm.agendas.order_by("-number").first()),
        obligations=_obligations_out(crm.organisation, list(selectors.crm_obligations(crm))),
    )


def _agenda_only_out(crm: CRM, version: AgendaVersion) -> CrmOut:
    return CrmOut(
        id=crm.pk,
        access="agenda",
        case_id=None,
        case_reference=None,
        state=CRM.State(crm.state),
        state_label=crm.get_state_display(),
        grounds=[],
        called_at=None,
        notice_given_at=None,
        meeting_at=crm.meeting_at,
        place=crm.place,
        earliest_meeting_on=None,
        parties=[],
        agenda=_agenda_out(version),
        obligations=[],
    )


def _harm_by(crm_case_parties: list[CaseParty], ids: list[int]) -> list[CaseParty]:
    by_person = {p.person_id: p for p in crm_case_parties}
    unknown = [pk for pk in ids if pk not in by_person]
    if unknown:
        raise ValidationError(
            {
                "harm_by": ValidationError(
                    "The person with the id %(id)s is not a party to this case.",
                    code="invalid_choice",
                    params={"id": unknown[0]},
                )
            }
        )
    return [by_person[pk] for pk in dict.fromkeys(ids)]


def _summary(crm: CRM, access: str) -> CrmSummaryOut:
    full = access == "case"
    return CrmSummaryOut(
        id=crm.pk,
        access=access,
        case_reference=crm.case.reference if full else None,
        state=CRM.State(crm.state),
        state_label=crm.get_state_display(),
        meeting_at=crm.meeting_at,
        # An agenda is published before the meeting decides (ASH-10).
        agenda_published=access == "agenda"
        or crm.state in (CRM.State.AGENDA_PUBLISHED, CRM.State.DECIDED),
    )


def _contribution_out(party: CrmParty, contribution: Contribution) -> ContributionOut:
    return ContributionOut(
        alias=party.alias,
        needs=contribution.needs,
        requests=contribution.requests,
        on_agenda=contribution.on_agenda,
        written_by_the_member=contribution.author_id == party.case_party.person_id,
    )


def _org(request: HttpRequest, slug: str) -> Organisation:
    return organisation(request, slug)


def _party(crm: CRM, person_id: int) -> CrmParty:
    party = (
        CrmParty.objects.filter(crm=crm, case_party__person_id=person_id)
        .select_related("case_party__person", "crm__organisation", "crm__case")
        .first()
    )
    if party is None:
        raise Http404("No such party.")
    return party


# Endpoints


@router.get(
    "/organisations/{slug}/crms",
    response={200: CrmListOut, **ERRORS},
    summary="Community Resolution Meetings you may see",
    description="The meetings on cases you are in or support (every one for the S&W group and "
    "the admin), then every other meeting whose anonymous agenda is published (ASH-10).",
)
def crm_list(request: HttpRequest, slug: Slug) -> CrmListOut:
    found = selectors.crm_list(actor=actor(request), organisation=_org(request, slug))
    mine = list(found["mine"])
    seen = {crm.pk for crm in mine}
    items = [_summary(crm, "case") for crm in mine]
    items += [_summary(crm, "agenda") for crm in found["published"] if crm.pk not in seen]
    return CrmListOut(items=items)


@router.get(
    "/organisations/{slug}/crms/{crm_id}",
    response={200: CrmOut, **ERRORS},
    summary="A Community Resolution Meeting, as much of it as you may see",
    description="Its parties, the S&W group and the admin see its grounds (ASH-7), notice and "
    "date (ASH-8), the parties by their aliases and its deadlines; every other member sees only "
    "the published, anonymous agenda (ASH-10). Never a party's private contribution nor S&W's "
    "confidential notes (ASH-12).",
)
def crm_detail(request: HttpRequest, slug: Slug, crm_id: CrmId) -> CrmOut:
    org = _org(request, slug)
    try:
        crm = selectors.crm_get(actor=actor(request), organisation=org, pk=crm_id)
    except Http404:
        try:
            crm, version = selectors.agenda_get(actor=actor(request), organisation=org, pk=crm_id)
        except Http404 as exc:
            # The same answer whether the meeting is missing or only its agenda is.
            raise Http404("No such meeting.") from exc
        return _agenda_only_out(crm, version)
    return _crm_out(request, crm)


@router.post(
    "/organisations/{slug}/cases/{case_id}/crm",
    response={201: CrmOut, **ERRORS},
    summary="Call a Community Resolution Meeting on a case (its supporters or the S&W group)",
    description="Only when no Shared Agreement was reached, one is broken or a party is not "
    "engaging, AND the group records why the conflict is stuck AND why significant harm is "
    "happening (ASH-7); otherwise refused naming what is missing.",
)
def crm_call(
    request: HttpRequest, slug: Slug, case_id: CaseId, payload: CrmCallIn
) -> Status[CrmOut]:
    user = actor(request)
    case = selectors.case_get(actor=user, organisation=_org(request, slug), pk=case_id)
    if not user.has_perm("resolution.call_crm", case):
        raise PermissionDenied(
            "Only a supporter of this case or a member of the Support & Wellbeing group can call "
            "a Community Resolution Meeting."
        )
    harm_by = _harm_by(list(case.parties.all()), payload.harm_by)
    crm = services.crm_call(
        actor=user,
        case=case,
        stuck_reason=payload.stuck_reason,
        harm_reason=payload.harm_reason,
        harm_by=harm_by,
    )
    return Status(201, _crm_out(request, crm))


@router.post(
    "/organisations/{slug}/crms/{crm_id}/notice",
    response={200: CrmOut, **ERRORS},
    summary="Give notice of the meeting and its date, or move it (the case's supporters)",
    description="Every member involved is notified by the way they prefer. The meeting cannot "
    "be sooner than the notice in force after notice was first given (ASH-8).",
)
def crm_notice(request: HttpRequest, slug: Slug, crm_id: CrmId, payload: CrmNoticeIn) -> CrmOut:
    crm = _crm(request, slug, crm_id)
    _require_manage(request, crm)
    hours, minutes = (int(part) for part in payload.time.split(":"))
    meeting_at = dt.datetime.combine(payload.meeting_on, dt.time(hours, minutes), tzinfo=LONDON)
    with _fields(meeting_at="meeting_on"):
        crm = services.crm_set_date(
            actor=actor(request), crm=crm, meeting_at=meeting_at, place=payload.place
        )
    return _crm_out(request, _crm(request, slug, crm_id))


@router.get(
    "/organisations/{slug}/crms/{crm_id}/agenda/check",
    response={200: AgendaCheckOut, **ERRORS},
    summary="Check the agenda draft for names (the case's supporters)",
    description="The agenda as it would be published, and where any party's name or other "
    "alias appears in it (ASH-10). S&W's confidential notes are never part of it (ASH-12).",
)
def agenda_check(request: HttpRequest, slug: Slug, crm_id: CrmId) -> AgendaCheckOut:
    crm = _crm(request, slug, crm_id)
    _require_manage(request, crm)
    draft = services.agenda_draft(crm)
    return AgendaCheckOut(
        publishable=draft.publishable,
        fingerprint=agenda_fingerprint(draft.sections),
        sections=_sections(draft.sections),
        names_found=[
            NameFoundOut(section=f.section, word=f.word, excerpt=f.excerpt)
            for f in draft.names_found
        ],
        problems=draft.problems,
    )


@router.post(
    "/organisations/{slug}/crms/{crm_id}/agenda/publish",
    response={201: AgendaOut, **ERRORS},
    summary="Publish the anonymous agenda for the whole community (the case's supporters)",
    description="Refused while any party's name or other alias appears in it (ASH-10), and "
    "until every party's outreach, contribution and the S&W summary are in (ASH-9, ASH-11).",
)
def agenda_publish(
    request: HttpRequest, slug: Slug, crm_id: CrmId, payload: AgendaPublishIn
) -> Status[AgendaOut]:
    crm = _crm(request, slug, crm_id)
    _require_manage(request, crm)
    if payload.fingerprint and payload.fingerprint != agenda_fingerprint(
        services.agenda_draft(crm).sections
    ):
        raise ValidationError(
            {
                "fingerprint": ValidationError(
                    "The agenda has changed since it was checked; check it again.",
                    code="agenda_changed",
                )
            }
        )
    version = services.agenda_publish(actor=actor(request), crm=crm)
    out = _agenda_out(version)
    assert out is not None
    return Status(201, out)


@router.post(
    "/organisations/{slug}/crms/{crm_id}/parties/{party_id}/outreach",
    response={200: OutreachOut, **ERRORS},
    summary="Record the S&W group's outreach to a party (the case's supporters)",
    description="Every party is reached before the agenda is published (ASH-9). Recording it "
    "again replaces the day and note.",
)
def crm_outreach(
    request: HttpRequest, slug: Slug, crm_id: CrmId, party_id: PartyId, payload: OutreachIn
) -> OutreachOut:
    crm = _crm(request, slug, crm_id)
    party = _party(crm, party_id)
    _require_manage(request, crm)
    party = services.crm_record_outreach(
        actor=actor(request), party=party, on=payload.on, note=payload.note
    )
    assert party.outreach_on is not None
    return OutreachOut(alias=party.alias, outreach_on=party.outreach_on)


@router.put(
    "/organisations/{slug}/crms/{crm_id}/parties/{party_id}/contribution",
    response={200: ContributionOut, **ERRORS},
    summary="Write or replace a party's needs and requests (the party, or the case's supporters)",
    description="Private to its author and the case's supporters until a supporter places it on "
    "the anonymous agenda (ASH-9); any change takes it off again. Closed once the meeting has "
    "decided.",
)
def crm_contribution(
    request: HttpRequest,
    slug: Slug,
    crm_id: CrmId,
    party_id: PartyId,
    payload: ContributionIn,
) -> ContributionOut:
    crm = _crm(request, slug, crm_id)
    party = _party(crm, party_id)
    own = actor_person(actor=actor(request), organisation=crm.organisation)
    if own is None or not (
        own.pk == party_id or actor(request).has_perm("resolution.manage_crm", crm)
    ):
        raise PermissionDenied("Only the member, or the case's supporters, can write this.")
    contribution = services.contribution_save(
        actor=actor(request),
        party=party,
        author=own,
        needs=payload.needs,
        requests=payload.requests,
    )
    return _contribution_out(party, contribution)


@router.put(
    "/organisations/{slug}/crms/{crm_id}/summary",
    response={200: SummaryOut, **ERRORS},
    summary="Write the S&W summary and suggested text for the agenda (the case's supporters)",
    description="The summary of support so far is needed before the agenda is published; any "
    "suggested Action Plan text is optional (ASH-11). Both are checked for names with the rest "
    "of the agenda (ASH-10).",
)
def crm_summary(request: HttpRequest, slug: Slug, crm_id: CrmId, payload: SummaryIn) -> SummaryOut:
    crm = _crm(request, slug, crm_id)
    _require_manage(request, crm)
    crm = services.crm_write_summary(
        actor=actor(request),
        crm=crm,
        support_summary=payload.support_summary,
        suggested_action_plan=payload.suggested_action_plan,
    )
    return SummaryOut(
        support_summary=crm.support_summary, suggested_action_plan=crm.suggested_action_plan
    )


# ASH-9: placing a contribution on the agenda --------------------------------------------------


class ContributionPlaceIn(Input):
    on_agenda: Literal["yes", "no"] = Field(
        description="yes: the contribution goes on the anonymous agenda draft; no: it comes off "
        "(ASH-9). It is published only with the agenda (ASH-10)."
    )


@router.post(
    "/organisations/{slug}/crms/{crm_id}/parties/{party_id}/contribution/place",
    response={200: ContributionOut, **ERRORS},
    summary="Place a party's contribution on the agenda draft, or take it off (the supporters)",
    description="Until a supporter places it, a contribution is private to its author and the "
    "case's supporters (ASH-9). Closed once the meeting has decided.",
)
def crm_contribution_place(
    request: HttpRequest, slug: Slug, crm_id: CrmId, party_id: PartyId, payload: ContributionPlaceIn
) -> ContributionOut:
    crm = _crm(request, slug, crm_id)
    party = _party(crm, party_id)
    _require_manage(request, crm)
    contribution = Contribution.objects.filter(party=party).select_related("crm").first()
    if contribution is None:
        raise Http404("This member has no contribution yet.")
    with _fields(on_agenda="on_agenda"):
        contribution = services.contribution_place(
            actor=actor(request), contribution=contribution, on_agenda=payload.on_agenda == "yes"
        )
    return _contribution_out(party, contribution)


# ASH-13, ASH-14: the meeting's decision for each party ----------------------------------------


class CrmDecisionIn(Input):
    action_plan: Literal["needed", "not_needed"] = Field(
        description="Whether the member needs an Action Plan: only where significant harm is "
        "recorded for them (ASH-13). An Action Plan removes their membership and issues a "
        "Notice to Quit (ASH-14)."
    )
    reason: str = Field(
        max_length=LONG_TEXT, description="What the meeting decided and why. Confidential."
    )
    actions: str = Field(
        "",
        max_length=LONG_TEXT,
        description="What the Action Plan asks of the member; needed with an Action Plan.",
    )


class CrmDecisionOut(Schema):
    alias: str
    action_plan_needed: bool
    action_plan_id: int | None = Field(description="The Action Plan agreement, if any.")
    action_plan_ends_on: dt.date | None = Field(description="It covers the policy's period.")
    notice_to_quit_id: int | None = Field(description="The Notice to Quit issued (ASH-14).")
    crm_state: CRM.State = Field(description="decided once every party has a decision.")


@router.post(
    "/organisations/{slug}/crms/{crm_id}/parties/{party_id}/decision",
    response={201: CrmDecisionOut, **ERRORS},
    summary="Record the meeting's decision for one party (the organisation admin)",
    description="Once the meeting has started and its anonymous agenda is published. An Action "
    "Plan only where significant harm is recorded for the member (ASH-13); it removes their "
    "membership and issues an 8-week Notice to Quit in the same step (ASH-14). Once per party.",
)
def crm_decision(
    request: HttpRequest, slug: Slug, crm_id: CrmId, party_id: PartyId, payload: CrmDecisionIn
) -> Status[CrmDecisionOut]:
    crm = _crm(request, slug, crm_id)
    party = _party(crm, party_id)
    if not actor(request).has_perm("resolution.decide_crm", crm):
        raise PermissionDenied("The organisation admin records the community's decisions.")
    with _fields(action_plan_needed="action_plan"):
        decision = services.crm_decide(
            actor=actor(request),
            party=party,
            action_plan_needed=payload.action_plan == "needed",
            reason=payload.reason,
            actions=payload.actions,
        )
    plan = decision.action_plan
    notice = NoticeToQuit.objects.filter(decision=decision).first()
    decision.crm.refresh_from_db(fields=["state"])
    return Status(
        201,
        CrmDecisionOut(
            alias=party.alias,
            action_plan_needed=decision.action_plan_needed,
            action_plan_id=plan.pk if plan else None,
            action_plan_ends_on=plan.ends_on if plan else None,
            notice_to_quit_id=notice.pk if notice else None,
            crm_state=CRM.State(decision.crm.state),
        ),
    )


# ASH-15, ASH-16, ASH-17: after a Notice to Quit ----------------------------------------------


NoticeId = Annotated[int, Path(ge=1, le=MAX_ID, description="The Notice to Quit's id.")]


class NoticeToQuitOut(Schema):
    id: int
    state: NoticeToQuit.State
    state_label: str
    issued_on: dt.date
    ends_on: dt.date
    court_application_begun_on: dt.date | None
    reinstated_on: dt.date | None = Field(
        description="The day of the meeting that decided to reinstate membership (ASH-16)."
    )
    obligations: list[ObligationOut] = Field(
        description="The check-ins (ASH-15) and the court application (ASH-17), each with its why."
    )


class CheckInRecordIn(Input):
    held_on: Date = Field(description="The day of the check-in; not later than today (ASH-15).")
    note: str = Field(max_length=LONG_TEXT, description="How the Action Plan is going.")
    recommend_restore: Literal["yes", "no"] = Field(
        "no",
        description="yes: S&W recommend that a meeting restores membership (ASH-15); only a "
        "meeting can decide it (ASH-16).",
    )


class CheckInRecordOut(Schema):
    id: int
    held_on: dt.date
    recommend_restore: bool
    notice: NoticeToQuitOut


class ReinstatementIn(Input):
    meeting_id: int = Field(
        ge=1,
        le=MAX_ID,
        strict=True,
        description="The meeting, already held, at which reinstatement was decided (ASH-16).",
    )
    reason: str = Field(
        max_length=LONG_TEXT, description="What the meeting decided and why. Confidential."
    )


class CourtApplicationIn(Input):
    note: str = Field(
        max_length=LONG_TEXT, description="How the application was begun. Confidential."
    )


def _notice(request: HttpRequest, slug: str, notice_id: int) -> NoticeToQuit:
    return selectors.notice_get(
        actor=actor(request), organisation=_org(request, slug), pk=notice_id
    )


def _notice_out(notice: NoticeToQuit) -> NoticeToQuitOut:
    notice.refresh_from_db()
    reinstatement = Reinstatement.objects.filter(notice=notice).first()
    return NoticeToQuitOut(
        id=notice.pk,
        state=NoticeToQuit.State(notice.state),
        state_label=notice.get_state_display(),
        issued_on=notice.issued_on,
        ends_on=notice.ends_on,
        court_application_begun_on=notice.court_application_begun_on,
        reinstated_on=reinstatement.decided_on if reinstatement else None,
        obligations=_obligations_out(
            notice.organisation, list(selectors.notice_obligations(notice))
        ),
    )


@router.post(
    "/organisations/{slug}/notices-to-quit/{notice_id}/check-ins",
    response={201: CheckInRecordOut, **ERRORS},
    summary="Record a check-in during a Notice to Quit (the case's supporters)",
    description="S&W check in throughout the notice and towards its end, and may recommend "
    "restoring membership (ASH-15). Meets the earliest check-in still due.",
)
def ntq_check_in(
    request: HttpRequest, slug: Slug, notice_id: NoticeId, payload: CheckInRecordIn
) -> Status[CheckInRecordOut]:
    notice = _notice(request, slug, notice_id)
    if not actor(request).has_perm("resolution.check_in", notice):
        raise PermissionDenied("Only the case's supporters record check-ins.")
    check_in = services.check_in_record(
        actor=actor(request),
        notice=notice,
        held_on=payload.held_on,
        note=payload.note,
        recommend_restore=payload.recommend_restore == "yes",
    )
    return Status(
        201,
        CheckInRecordOut(
            id=check_in.pk,
            held_on=check_in.held_on,
            recommend_restore=check_in.recommend_restore,
            notice=_notice_out(notice),
        ),
    )


@router.post(
    "/organisations/{slug}/notices-to-quit/{notice_id}/reinstatement",
    response={201: NoticeToQuitOut, **ERRORS},
    summary="Reinstate membership by a meeting's decision (the organisation admin)",
    description="Only by a decision recorded at a meeting that was held (ASH-16); the court "
    "application is then no longer due.",
)
def ntq_reinstate(
    request: HttpRequest, slug: Slug, notice_id: NoticeId, payload: ReinstatementIn
) -> Status[NoticeToQuitOut]:
    notice = _notice(request, slug, notice_id)
    if not actor(request).has_perm("resolution.manage_notice_to_quit", notice):
        raise PermissionDenied("The organisation admin records a meeting's decision to reinstate.")
    meeting = Meeting.objects.filter(
        organisation=notice.organisation, pk=payload.meeting_id
    ).first()
    with _fields(meeting="meeting_id"):
        services.reinstatement_decide(
            actor=actor(request), notice=notice, meeting=meeting, reason=payload.reason
        )
    return Status(201, _notice_out(notice))


@router.post(
    "/organisations/{slug}/notices-to-quit/{notice_id}/court",
    response={200: NoticeToQuitOut, **ERRORS},
    summary="Record that the court application has begun (the organisation admin)",
    description="At the end of the Notice to Quit, for a member not reinstated (ASH-17); "
    "refused before the notice ends.",
)
def ntq_court(
    request: HttpRequest, slug: Slug, notice_id: NoticeId, payload: CourtApplicationIn
) -> NoticeToQuitOut:
    notice = _notice(request, slug, notice_id)
    if not actor(request).has_perm("resolution.manage_notice_to_quit", notice):
        raise PermissionDenied("The organisation admin records the court application.")
    services.court_application_begin(actor=actor(request), notice=notice, note=payload.note)
    return _notice_out(notice)
