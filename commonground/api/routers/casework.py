"""Casework under the Support and Wellbeing Policy: my cases and the S&W group's list, a request
for help, one case as the caller may see it, assigning the pair, and choosing the path.

Every read goes through the casework selectors and every change through its services, so the
access rules and the ASH rules are the ones the pages use. A case the caller has no need to know
about is a 404, like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from commonground.api.pagination import paginate
from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import (
    LONG_TEXT,
    MAX_ID,
    Date,
    Input,
    ObligationOut,
    PageOut,
    PageQuery,
)
from commonground.casework import selectors, services
from commonground.casework.models import Case, CaseSupporter
from commonground.obligations.models import Obligation
from commonground.obligations.selectors import explain
from commonground.people.models import Organisation, Person
from commonground.policies.selectors import organisation_policy

router = Router()

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The case's id.")]
# A person's id in a body: a whole number, never a string, a fraction or true/false.
PersonRef = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


# Schemas


class CaseQuery(PageQuery):
    show: str = Field(
        "mine",
        pattern="^(mine|all)$",
        description="mine: cases you are in or support; all: the S&W group's list of every case "
        "(S&W members and the admin).",
    )


class CaseSummaryOut(Schema):
    id: int
    case_reference: str = Field(description="Short and non-identifying, such as C-2026-004.")
    stage: Case.Stage
    stage_label: str
    received_at: dt.datetime
    pair: list[str] = Field(description="The display names of the S&W pair (ASH-19).")


class CasePageOut(PageOut):
    items: list[CaseSummaryOut]


class CaseRequestIn(Input):
    title: str = Field(
        max_length=services.TITLE_MAX,
        description="Shown to everyone in the case; keep names out, such as “Noise between flats”.",
    )
    summary: str = Field(
        "", max_length=LONG_TEXT, description="What is happening: confidential, never returned."
    )
    parties: list[PersonRef] = Field(
        max_length=100,
        description="The ids of everyone else in the conflict (the person asking is included).",
    )
    on_behalf_of: PersonRef | None = Field(
        None,
        description="The id of the person asking, when the office or S&W records the request "
        "for them; leave out to ask for yourself.",
    )


class CasePartyOut(Schema):
    alias: str = Field(description="Member A, Member B, …: how they appear in anonymous agendas.")
    display_name: str
    you: bool


class CaseSupporterOut(Schema):
    person_id: int
    display_name: str
    role: CaseSupporter.Role
    role_label: str
    starts_on: dt.date
    ends_on: dt.date | None = Field(description="The last day of their access, if it ends.")


class CaseOut(Schema):
    id: int
    case_reference: str
    access: str = Field(
        description="full: you run the case; party: you are in it; exists: you are in the S&W "
        "group and see only its stage and pair."
    )
    title: str | None = Field(description="Null when you see only that the case exists.")
    stage: Case.Stage
    stage_label: str
    received_at: dt.datetime
    initial_conversation_at: dt.datetime | None
    closed_at: dt.datetime | None
    parties: list[CasePartyOut]
    supporters: list[CaseSupporterOut] = Field(
        description="The case's current supporters; the pair only, unless you run the case."
    )
    pair_needed: int = Field(description="How many facilitators the policy asks for (ASH-19).")
    pair_count: int
    obligations: list[ObligationOut] = Field(
        description="The case's deadlines, each with the sentence that explains its date."
    )


class SupporterAssignIn(Input):
    person_id: PersonRef
    role: CaseSupporter.Role = Field(
        description="facilitator (the S&W pair; needs the introductory course, ASH-20), admin "
        "(an S&W member helping with admin) or external (until ends_on)."
    )
    ends_on: Date | None = Field(
        None, description="When their access ends; needed for an external facilitator."
    )


class CasePathIn(Input):
    path: Literal["self_managed", "facilitated"] = Field(
        description="After the initial conversation: self_managed (the member addresses it "
        "themselves, ASH-2) or facilitated (individual conversations, then the Group Meeting "
        "within 3 weeks, ASH-3 and ASH-4)."
    )


# Helpers


@contextmanager
def _fields(**names: str) -> Iterator[None]:
    """A service names its own arguments in a refusal; the answer names the request's fields."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): items for field, items in exc.error_dict.items()}
        ) from exc


def _people(org: Organisation, ids: Iterable[int], field: str) -> list[Person]:
    wanted = list(dict.fromkeys(ids))
    found = {p.pk: p for p in Person.objects.filter(organisation=org, pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {
                field: ValidationError(
                    "Nobody in this organisation has the id %(id)s.",
                    code="not_found",
                    params={"id": missing[0]},
                )
            }
        )
    return [found[pk] for pk in wanted]


def _summary_out(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        id=case.pk,
        case_reference=case.reference,
        stage=Case.Stage(case.stage),
        stage_label=case.get_stage_display(),
        received_at=case.received_at,
        pair=[
            s.person.display_name
            for s in case.current_supporters  # type: ignore[attr-defined]
            if s.role == CaseSupporter.Role.FACILITATOR
        ],
    )


def _supporter_out(row: CaseSupporter) -> CaseSupporterOut:
    return CaseSupporterOut(
        person_id=row.person_id,
        display_name=row.person.display_name,
        role=CaseSupporter.Role(row.role),
        role_label=row.get_role_display(),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
    )


def _obligations_out(org: Organisation, obligations: list[Obligation]) -> list[ObligationOut]:
    if not obligations:
        return []
    in_force = organisation_policy(org)
    return [
        ObligationOut(
            id=o.pk,
            rule_id=o.rule_id,
            title=o.title,
            direction=o.direction,
            due_on=o.due_on,
            status=o.status(),
            trigger_event=o.trigger_event,
            trigger_at=o.trigger_at,
            why=explain(o, in_force)["sentence"],
            subject_type=o.subject_type,
            subject_id=o.subject_id,
        )
        for o in obligations
    ]


def _case_out(request: HttpRequest, case: Case) -> CaseOut:
    view = selectors.case_view(actor=actor(request), case=case)
    sees = view.level != "exists"
    supporters = view.supporters
    if view.level != "full":
        supporters = [s for s in supporters if s.role == CaseSupporter.Role.FACILITATOR]
    own = view.own_party.pk if view.own_party is not None else None
    return CaseOut(
        id=case.pk,
        case_reference=case.reference,
        access=view.level,
        title=case.title if sees else None,
        stage=Case.Stage(case.stage),
        stage_label=case.get_stage_display(),
        received_at=case.received_at,
        initial_conversation_at=case.initial_conversation_at if sees else None,
        closed_at=case.closed_at if sees else None,
        parties=[
            CasePartyOut(alias=p.alias, display_name=p.person.display_name, you=p.pk == own)
            for p in view.parties
        ],
        supporters=[_supporter_out(s) for s in supporters],
        pair_needed=view.pair_needed,
        pair_count=view.pair_count,
        obligations=_obligations_out(case.organisation, view.obligations),
    )


def _case(request: HttpRequest, slug: str, case_id: int) -> Case:
    """The case for anyone with need to know of it (the S&W group sees that it exists)."""
    return selectors.case_get(
        actor=actor(request), organisation=organisation(request, slug), pk=case_id
    )


# Endpoints


@router.get(
    "/organisations/{slug}/cases",
    response={200: CasePageOut, **ERRORS},
    summary="Cases: mine, or the S&W group's list of every case",
    description="Newest first. show=all is for S&W members and the admin.",
)
def case_list(request: HttpRequest, slug: Slug, filters: Query[CaseQuery]) -> dict[str, Any]:
    user = actor(request)
    org = organisation(request, slug)
    if filters.show == "all":
        if not user.has_perm("casework.view_case_list", org):
            raise PermissionDenied(
                "Only the Support & Wellbeing group and the admin see every case."
            )
        cases = selectors.group_cases(actor=user, organisation=org)
    else:
        cases = selectors.my_cases(actor=user, organisation=org)
    page = paginate(cases, filters)
    page["items"] = [_summary_out(case) for case in page["items"]]
    return page


@router.post(
    "/organisations/{slug}/cases",
    response={201: CaseOut, **ERRORS},
    summary="Ask for help with a conflict",
    description="Any member, for themselves; the office or S&W on someone's behalf. The initial "
    "conversation is then due within 3 days (ASH-1).",
)
def case_request(request: HttpRequest, slug: Slug, payload: CaseRequestIn) -> Status[CaseOut]:
    user = actor(request)
    org = organisation(request, slug)
    parties = _people(org, payload.parties, "parties")
    requested_by = None
    if payload.on_behalf_of is not None:
        requested_by = _people(org, [payload.on_behalf_of], "on_behalf_of")[0]
    case = services.case_request(
        actor=user,
        organisation=org,
        title=payload.title,
        summary=payload.summary,
        parties=parties,
        requested_by=requested_by,
    )
    return Status(201, _case_out(request, case))


@router.get(
    "/organisations/{slug}/cases/{case_id}",
    response={200: CaseOut, **ERRORS},
    summary="A case, as much of it as you may see",
    description="The parties and the case's supporters see its stage, dates, who is involved and "
    "its deadlines; another S&W member sees only its stage and pair. Never the request's summary "
    "nor S&W's confidential notes.",
)
def case_detail(request: HttpRequest, slug: Slug, case_id: CaseId) -> CaseOut:
    return _case_out(request, _case(request, slug, case_id))


@router.post(
    "/organisations/{slug}/cases/{case_id}/supporters",
    response={201: CaseSupporterOut, **ERRORS},
    summary="Assign someone to support a case (S&W or the admin)",
    description="A facilitator of the pair (ASH-19) must be a current S&W member who attended "
    "the introductory course (ASH-20); nobody in the conflict or close to it can be assigned.",
)
def supporter_assign(
    request: HttpRequest, slug: Slug, case_id: CaseId, payload: SupporterAssignIn
) -> Status[CaseSupporterOut]:
    user = actor(request)
    case = _case(request, slug, case_id)
    if not user.has_perm("casework.assign_supporter", case):
        raise PermissionDenied(
            "Only the Support & Wellbeing group or the admin can assign supporters."
        )
    person = _people(case.organisation, [payload.person_id], "person_id")[0]
    with _fields(person="person_id"):
        row = services.supporter_assign(
            actor=user,
            case=case,
            person=person,
            role=payload.role,
            ends_on=payload.ends_on,
        )
    return Status(201, _supporter_out(row))


@router.post(
    "/organisations/{slug}/cases/{case_id}/path",
    response={200: CaseOut, **ERRORS},
    summary="Choose the path after the initial conversation (the case's supporters or the admin)",
)
def case_path(request: HttpRequest, slug: Slug, case_id: CaseId, payload: CasePathIn) -> CaseOut:
    case = selectors.case_for_work(
        actor=actor(request), organisation=organisation(request, slug), pk=case_id
    )
    services.path_choose(actor=actor(request), case=case, path=payload.path)
    case.refresh_from_db()
    return _case_out(request, case)


SupporterId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The person id of one of the case's current supporters.")
]


class SupporterEndIn(Input):
    reason: str = Field(
        max_length=services.REASON_MAX,
        description="Why their support ends early; kept in the case's history.",
    )


@router.post(
    "/organisations/{slug}/cases/{case_id}/supporters/{supporter_id}/end",
    response={200: CaseSupporterOut, **ERRORS},
    summary="End someone's support of a case early (S&W or the admin)",
    description="Their access ends from today and the case's deadlines go to the rest of the "
    "pair (ASH-19). The reason is needed and kept in the case's history.",
)
def supporter_end(
    request: HttpRequest,
    slug: Slug,
    case_id: CaseId,
    supporter_id: SupporterId,
    payload: SupporterEndIn,
) -> CaseSupporterOut:
    user = actor(request)
    case = _case(request, slug, case_id)
    if not user.has_perm("casework.assign_supporter", case):
        raise PermissionDenied(
            "Only the Support & Wellbeing group or the admin can change supporters."
        )
    found = case.supporters.filter(person_id=supporter_id).values_list("pk", flat=True).first()
    if found is None:
        raise Http404("Nobody supports this case with that id.")
    row = selectors.current_supporter_get(case=case, pk=found)
    row = services.supporter_end(actor=user, supporter=row, reason=payload.reason)
    return _supporter_out(row)
