"""Reads of cases, already filtered by what the actor may see.

`case_get` answers 404 for anyone without need to know. `case_view` then says how much of the
case the actor sees: everything but the notes (party: only their own part), or, for another
S&W member, only that it exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.access.policy import standing
from commonground.agreements.models import Agreement
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_read
from commonground.casework.models import (
    Case,
    CaseParty,
    CaseSupporter,
    ConfidentialNote,
    SupportOffer,
)
from commonground.casework.services import (
    PARTY_EVENTS,
    SUBJECT,
    conflicted_ids,
    facilitator_qualification,
    missing_individual_conversations,
    pair_size,
)
from commonground.meetings.models import Meeting
from commonground.obligations.models import Obligation
from commonground.people.models import Organisation, Person, Qualification, RoleAssignment
from commonground.people.roles import Role


def _current_supporters() -> Prefetch[Any]:
    today = timezone.localdate()
    return Prefetch(
        "supporters",
        queryset=CaseSupporter.objects.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("person")
        .order_by("role", "pk"),
        to_attr="current_supporters",
    )


def _with_people(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.prefetch_related(
        _current_supporters(), Prefetch("parties", queryset=CaseParty.objects.order_by("alias"))
    )


def my_cases(*, actor: Any, organisation: Organisation) -> QuerySet[Case]:
    """Cases the actor is in or currently supports, newest first."""
    own = standing(actor, organisation).person
    if own is None:
        return Case.objects.none()
    today = timezone.localdate()
    supporting = CaseSupporter.objects.filter(person=own, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    cases = Case.objects.filter(organisation=organisation).filter(
        Q(parties__person=own) | Q(pk__in=supporting.values("case_id"))
    )
    return _with_people(cases.distinct().order_by("-received_at", "-pk"))


def group_cases(*, actor: Any, organisation: Organisation, stage: str = "") -> QuerySet[Case]:
    """Every case, for the S&W group and the admin: reference, stage and pair."""
    if not actor.has_perm("casework.view_case_list", organisation):
        return Case.objects.none()
    cases = Case.objects.filter(organisation=organisation)
    if stage:
        cases = cases.filter(stage=stage)
    return _with_people(cases.order_by("-received_at", "-pk"))


def case_get(*, actor: Any, organisation: Organisation, pk: int) -> Case:
    case = (
        Case.objects.filter(organisation=organisation, pk=pk).select_related("organisation").first()
    )
    if case is None or not actor.has_perm("casework.know_case", case):
        raise Http404("No such case.")
    return case


def current_supporter_get(*, case: Case, pk: int) -> CaseSupporter:
    """One of the case's current supporters; 404 for anyone else (ended, or on another case)."""
    row = CaseSupporter.objects.filter(case=case, pk=pk).select_related("person", "case").first()
    if row is None or not row.is_current():
        raise Http404("Nobody supports this case with that id.")
    return row


def case_for_work(*, actor: Any, organisation: Organisation, pk: int) -> Case:
    """The case for someone who may see it in full (party, supporter, admin), else 404."""
    case = case_get(actor=actor, organisation=organisation, pk=pk)
    if not actor.has_perm("casework.view_case", case):
        raise Http404("No such case.")
    return case


@dataclass
class TimelineItem:
    at: dt.datetime
    text: str
    who: str = ""


@dataclass
class CaseView:
    case: Case
    level: str  # "full", "party" or "exists"
    parties: list[CaseParty] = field(default_factory=list)
    supporters: list[CaseSupporter] = field(default_factory=list)
    own_party: CaseParty | None = None
    meetings: list[Meeting] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    offers: list[SupportOffer] = field(default_factory=list)
    timeline: list[TimelineItem] = field(default_factory=list)
    missing_conversations: list[CaseParty] = field(default_factory=list)
    pair_needed: int = 0
    pair_count: int = 0

    @property
    def pair_short(self) -> bool:
        return self.pair_count < self.pair_needed


def case_view(*, actor: Any, case: Case) -> CaseView:
    own = standing(actor, case.organisation).person
    supporters = list(
        CaseSupporter.objects.filter(case=case)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))
        .select_related("person")
        .order_by("role", "pk")
    )
    pair = [s for s in supporters if s.role == CaseSupporter.Role.FACILITATOR and s.is_current()]
    needed = pair_size(case.organisation)
    if not actor.has_perm("casework.view_case", case):
        return CaseView(
            case=case, level="exists", supporters=pair, pair_needed=needed, pair_count=len(pair)
        )
    parties = list(case.parties.select_related("person"))
    own_party = next((p for p in parties if own is not None and p.person_id == own.pk), None)
    full = actor.has_perm("casework.manage_case", case)
    meetings = Meeting.objects.filter(
        subject_type=SUBJECT, subject_id=str(case.pk)
    ).prefetch_related("participants__person")
    if not full:
        # A party sees the meetings they take part in, never another party's conversation.
        meetings = meetings.filter(participants__person=own).distinct()
    view = CaseView(
        case=case,
        level="full" if full else "party",
        parties=parties,
        supporters=supporters,
        own_party=own_party,
        meetings=list(meetings.order_by("starts_at", "pk")),
        obligations=list(
            Obligation.objects.filter(subject_type=SUBJECT, subject_id=str(case.pk))
            .select_related("organisation")
            .order_by("due_on", "pk")
        ),
        agreements=list(
            Agreement.objects.filter(subject_type=SUBJECT, subject_id=str(case.pk)).order_by(
                "created_at", "pk"
            )
        ),
        pair_needed=needed,
        pair_count=len(pair),
    )
    agreement_ids = [str(a.pk) for a in view.agreements]
    if agreement_ids:
        view.obligations += list(
            Obligation.objects.filter(
                subject_type="agreements.agreement", subject_id__in=agreement_ids
            )
            .select_related("organisation")
            .order_by("due_on", "pk")
        )
    offers = case.offers.select_related("party", "extension_approved_by")
    if not full:
        offers = offers.filter(Q(party__isnull=True) | Q(party=own_party))
    view.offers = list(offers)
    if full:
        view.missing_conversations = missing_individual_conversations(case)
    view.timeline = _timeline(case, full=full, meetings=view.meetings)
    return view


def _timeline(case: Case, *, full: bool, meetings: list[Meeting]) -> list[TimelineItem]:
    items: list[TimelineItem] = []
    for entry in AuditEntry.objects.filter(object_type=SUBJECT, object_id=str(case.pk)).order_by(
        "seq"
    ):
        event = (entry.changes.get("event") or [None, ""])[1]
        if not full and event not in PARTY_EVENTS:
            continue
        who = entry.actor_label if full else ""
        items.append(TimelineItem(at=entry.created_at, text=entry.summary, who=who))
    for meeting in meetings:
        verb = {"held": "held", "scheduled": "scheduled for", "cancelled": "cancelled"}[
            meeting.status
        ]
        items.append(
            TimelineItem(
                at=meeting.starts_at,
                text=f"{meeting.title}: {verb} {timezone.localtime(meeting.starts_at):%d %b %Y %H:%M}",
            )
        )
    items.sort(key=lambda item: item.at)
    return items


# The pair (ASH-19, ASH-20) -------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    person: Person
    open_cases: int
    reason: str


def pair_suggestions(*, case: Case, limit: int = 5) -> list[Suggestion]:
    """Who could facilitate: current S&W members with the course (ASH-20), never a party or
    anyone who declared a close relationship, fewest open cases first, so the load spreads."""
    organisation = case.organisation
    today = timezone.localdate()
    members = RoleAssignment.objects.current(today).filter(
        organisation=organisation, role=Role.SW_MEMBER
    )
    trained = Qualification.objects.current(today).filter(
        organisation=organisation, kind=facilitator_qualification(organisation)
    )
    current = CaseSupporter.objects.filter(starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    on_case = current.filter(case=case).values_list("person_id", flat=True)
    excluded = conflicted_ids(case) | set(on_case)
    open_load = Count(
        "case_supports",
        filter=Q(case_supports__in=current.exclude(case__stage=Case.Stage.CLOSED)),
        distinct=True,
    )
    people = (
        Person.objects.filter(pk__in=members.values("person_id"))
        .filter(pk__in=trained.values("person_id"))
        .exclude(pk__in=excluded)
        .annotate(open_cases=open_load)
        .order_by("open_cases", "full_name", "pk")[:limit]
    )
    return [
        Suggestion(
            person=p,
            open_cases=p.open_cases,  # type: ignore[attr-defined]
            reason=f"Has the course; supporting {p.open_cases} open case"  # type: ignore[attr-defined]
            + ("" if p.open_cases == 1 else "s")  # type: ignore[attr-defined]
            + "; not in this conflict.",
        )
        for p in people
    ]


def assignable_people(*, case: Case) -> QuerySet[Person]:
    """Everyone who might be put on the case (the service checks the rules for the role)."""
    return (
        Person.objects.filter(organisation=case.organisation)
        .exclude(pk__in=conflicted_ids(case))
        .order_by("full_name", "pk")
    )


# Confidential notes (ASH-12) ------------------------------------------------------------------


def case_notes(*, actor: Any, case: Case) -> list[ConfidentialNote]:
    """The case's confidential notes, for its current supporters only; every read is audited."""
    if not actor.has_perm("casework.view_notes", case):
        raise Http404("No such case.")
    notes = list(case.confidential_notes.select_related("about", "written_by"))
    audit_read(
        actor=actor,
        organisation=case.organisation,
        instance=case,
        fields=("confidential_notes", "summary"),
    )
    return notes
