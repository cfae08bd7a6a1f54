"""Reads for the peers module. Callers have checked access to the group or organisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from commonground.groups.models import GroupMember, SupportGroup
from commonground.groups.selectors import group_sessions
from commonground.meetings.models import Meeting, Participant
from commonground.peers.models import (
    BehaviourGuidelines,
    CharityMember,
    Donation,
    EligibilityCheck,
    GroupGuideline,
)
from commonground.people.models import Organisation, Person

# How many of a member's latest sessions the absences page shows.
RECENT_SESSIONS = 6
MARKED = frozenset(
    {Participant.Status.ATTENDED, Participant.Status.ABSENT, Participant.Status.APOLOGIES}
)


def behaviour_guidelines_current(organisation: Organisation) -> BehaviourGuidelines | None:
    return (
        BehaviourGuidelines.objects.filter(organisation=organisation)
        .order_by("-number")
        .select_related("created_by")
        .first()
    )


def behaviour_guidelines_history(organisation: Organisation) -> QuerySet[BehaviourGuidelines]:
    return BehaviourGuidelines.objects.filter(organisation=organisation).order_by("-number")


def guidelines_for(group: SupportGroup) -> QuerySet[GroupGuideline]:
    return (
        GroupGuideline.objects.filter(group=group)
        .select_related("proposed_by", "decided_at_session", "decision_recorded_by")
        .order_by("state", "proposed_at", "pk")
    )


def guideline_get(group: SupportGroup, pk: int) -> GroupGuideline:
    found = GroupGuideline.objects.filter(group=group, pk=pk).select_related("group").first()
    if found is None:
        raise Http404("No such guideline.")
    return found


@dataclass
class Mark:
    meeting_id: int
    starts_at: dt.datetime
    status: str

    @property
    def label(self) -> str:
        return str(Participant.Status(self.status).label)


@dataclass
class AbsenceRow:
    person: Person
    member: GroupMember
    # Held sessions the member was marked at, most recent first.
    recent: list[Mark] = field(default_factory=list)
    # The current run of absences without news, most recent first.
    run: list[Mark] = field(default_factory=list)


def absences(group: SupportGroup) -> list[AbsenceRow]:
    """Each current member's recent held sessions (attended, apologies, absent) and their current
    run of absences without news. Apologies are news (PSP-10): they end a run. A session whose
    attendance was not marked for them is left out. Two queries, however many members."""
    members = {
        m.person_id: m
        for m in GroupMember.objects.current().filter(group=group).select_related("person")
    }
    held = group_sessions(group).filter(status=Meeting.Status.HELD)
    marks: dict[int, list[Mark]] = defaultdict(list)
    for person_id, meeting_id, starts_at, status in (
        Participant.objects.filter(
            meeting__in=held, person_id__in=list(members), status__in=list(MARKED)
        )
        .order_by("person_id", "-meeting__starts_at", "-meeting_id")
        .values_list("person_id", "meeting_id", "meeting__starts_at", "status")
    ):
        marks[person_id].append(Mark(meeting_id, starts_at, status))
    rows = []
    for person_id, member in members.items():
        history = marks.get(person_id, [])
        run = []
        for mark in history:
            if mark.status != Participant.Status.ABSENT:
                break
            run.append(mark)
        rows.append(
            AbsenceRow(
                person=member.person, member=member, recent=history[:RECENT_SESSIONS], run=run
            )
        )
    return sorted(rows, key=lambda r: (-len(r.run), r.person.display_name.casefold()))


def seek_news_open(group: SupportGroup) -> list[tuple[Person, Any]]:
    """The group's open "seek news" actions (PSP-10), each with the peer it is about."""
    from commonground.groups.models import SUBJECT_TYPE
    from commonground.obligations.models import Obligation

    found = list(
        Obligation.objects.filter(
            subject_type=SUBJECT_TYPE,
            subject_id=str(group.pk),
            rule_id="PSP-10",
            key__startswith="seek_news:",
            state=Obligation.State.OPEN,
        ).order_by("due_on", "pk")
    )
    ids = {int(o.key.split(":")[1]) for o in found}
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    return [
        (people[int(o.key.split(":")[1])], o) for o in found if int(o.key.split(":")[1]) in people
    ]


def upcoming_sessions(group: SupportGroup, *, limit: int = 4) -> list[Meeting]:
    from django.utils import timezone

    return list(
        group_sessions(group)
        .filter(status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now())
        .order_by("starts_at")[:limit]
    )


def latest_eligibility(organisation: Organisation, person_ids: list[int]) -> dict[int, Any]:
    latest: dict[int, EligibilityCheck] = {}
    for check in (
        EligibilityCheck.objects.filter(organisation=organisation, person_id__in=person_ids)
        .select_related("checked_by")
        .order_by("person_id", "-checked_on", "-pk")
    ):
        latest.setdefault(check.person_id, check)
    return latest


def charity_member(organisation: Organisation, person: Person | None) -> CharityMember | None:
    if person is None:
        return None
    return CharityMember.objects.filter(organisation=organisation, person=person).first()


def charity_members(organisation: Organisation) -> QuerySet[CharityMember]:
    return CharityMember.objects.filter(organisation=organisation).select_related("person")


def donations(organisation: Organisation) -> QuerySet[Donation]:
    return Donation.objects.filter(organisation=organisation).order_by("-received_on", "-pk")


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date
    total_pence: int
    count: int
    gift_aid_pence: int

    @property
    def total(self) -> str:
        return pounds(self.total_pence)

    @property
    def gift_aid(self) -> str:
        return pounds(self.gift_aid_pence)


def donations_by_month(organisation: Organisation) -> list[MonthTotal]:
    rows = (
        Donation.objects.filter(organisation=organisation)
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(total=Sum("amount_pence"), count=Count("pk"))
        .order_by("-month")
    )
    gift = dict(
        Donation.objects.filter(organisation=organisation, gift_aid=True)
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(total=Sum("amount_pence"))
        .values_list("month", "total")
    )
    return [
        MonthTotal(
            month=_as_date(r["month"]),
            total_pence=int(r["total"] or 0),
            count=int(r["count"]),
            gift_aid_pence=int(gift.get(r["month"]) or 0),
        )
        for r in rows
    ]


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"
