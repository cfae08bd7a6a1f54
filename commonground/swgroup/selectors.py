"""Reads of the S&W group's records. Every page is for the group's members and the admin; the
views check `swgroup.view_group` before calling these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.meetings.models import Meeting, Participant
from commonground.obligations.models import Obligation
from commonground.people.models import Organisation, Person
from commonground.policies.models import PolicyAdoption
from commonground.policies.registry import policies
from commonground.policies.selectors import OrganisationPolicy
from commonground.swgroup.health import sw_members
from commonground.swgroup.models import (
    GROUP_SUBJECT,
    Budget,
    LedgerEntry,
    SpendingApproval,
    SpendingRequest,
)
from commonground.swgroup.services import categories, category_label, spent_by_category

# ASH-21: what counts as missing a meeting. Apologies are a miss too: the policy asks whether
# someone takes part, not whether they said so in advance; the flag only suggests a conversation.
MISSED = frozenset({Participant.Status.ABSENT, Participant.Status.APOLOGIES})


def group_require(actor: Any, organisation: Organisation) -> None:
    if not actor.has_perm("swgroup.view_group", organisation):
        raise PermissionDenied(
            "The S&W group's pages are for its members and the organisation admin."
        )


# ASH-23 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryBalance:
    category: str
    label: str
    allocated: int
    spent: int

    @property
    def balance(self) -> int:
        return self.allocated - self.spent


@dataclass(frozen=True)
class BudgetSummary:
    budget: Budget
    lines: list[CategoryBalance]

    @property
    def allocated(self) -> int:
        return sum(line.allocated for line in self.lines)

    @property
    def spent(self) -> int:
        return sum(line.spent for line in self.lines)

    @property
    def balance(self) -> int:
        return self.allocated - self.spent


def budgets(organisation: Organisation) -> list[Budget]:
    return list(Budget.objects.filter(organisation=organisation))


def budget_current(organisation: Organisation, on: dt.date | None = None) -> Budget | None:
    day = on or timezone.localdate()
    return Budget.objects.filter(
        organisation=organisation, starts_on__lte=day, ends_on__gte=day
    ).first()


def budget_summary(budget: Budget, in_force: OrganisationPolicy) -> BudgetSummary:
    allocated = {line.category: line.allocated_pence for line in budget.lines.all()}
    spent = spent_by_category(budget)
    names = list(categories(in_force))
    names += [n for n in allocated if n not in names]  # a category the policy has since dropped
    return BudgetSummary(
        budget=budget,
        lines=[
            CategoryBalance(
                category=name,
                label=category_label(name),
                allocated=allocated.get(name, 0),
                spent=spent.get(name, 0),
            )
            for name in names
        ],
    )


def ledger(budget: Budget) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(budget=budget).select_related(
        "request__requested_by", "request__case"
    )


# ASH-22 ------------------------------------------------------------------------------------------


def spending_requests(organisation: Organisation) -> QuerySet[SpendingRequest]:
    return (
        SpendingRequest.objects.filter(organisation=organisation)
        .select_related("requested_by", "case", "organisation")
        .annotate(approval_count=Count("approvals"))
        .order_by("-created_at", "-pk")
    )


def spending_request_get(*, actor: Any, organisation: Organisation, pk: int) -> SpendingRequest:
    group_require(actor, organisation)
    found = (
        SpendingRequest.objects.filter(organisation=organisation, pk=pk)
        .select_related("requested_by", "case", "organisation", "budget")
        .prefetch_related(
            Prefetch(
                "approvals",
                queryset=SpendingApproval.objects.select_related("approver"),
            )
        )
        .first()
    )
    if found is None:
        raise Http404("No such spending request.")
    return found


# ASH-21 ------------------------------------------------------------------------------------------


def group_meetings(organisation: Organisation) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        organisation=organisation, subject_type=GROUP_SUBJECT, subject_id=str(organisation.pk)
    ).order_by("-starts_at", "-pk")


@dataclass
class MemberAttendance:
    person: Person
    # The member's run of misses, most recent first, up to the last meeting they came to.
    misses: list[Meeting] = field(default_factory=list)
    flagged: bool = False


def attendance(
    organisation: Organisation, in_force: OrganisationPolicy, on: dt.date | None = None
) -> list[MemberAttendance]:
    """ASH-21: each current member's latest run of missed group meetings, flagged "may be
    asked to step back" once it reaches `consecutive_misses`. Nothing happens automatically."""
    threshold = in_force.value("ASH-21", "consecutive_misses").value
    members = sw_members(organisation, on)
    rows = (
        Participant.objects.filter(
            person__in=[m.pk for m in members],
            meeting__organisation=organisation,
            meeting__subject_type=GROUP_SUBJECT,
            meeting__subject_id=str(organisation.pk),
            meeting__status=Meeting.Status.HELD,
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at", "-meeting__pk")
    )
    by_person: dict[int, list[Participant]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(row)
    result = []
    for member in members:
        misses = []
        for row in by_person.get(member.pk, []):
            if row.status not in MISSED:
                break
            misses.append(row.meeting)
        result.append(
            MemberAttendance(
                person=member, misses=misses, flagged=bool(threshold) and len(misses) >= threshold
            )
        )
    return result


# ASH-27 ------------------------------------------------------------------------------------------


def review_obligation(organisation: Organisation, policy: str = "ASH") -> Obligation | None:
    """The open review of the policy (its review cycle, ASH-27), if the organisation adopted it."""
    adoption = PolicyAdoption.objects.filter(organisation=organisation, policy=policy).first()
    found = policies().get(policy)
    if adoption is None or found is None or not found.review_rule:
        return None
    return (
        Obligation.objects.filter(
            subject_type="policies.policyadoption",
            subject_id=str(adoption.pk),
            rule_id=found.review_rule,
            state=Obligation.State.OPEN,
        )
        .select_related("organisation")
        .order_by("due_on", "pk")
        .first()
    )


def last_review(organisation: Organisation, policy: str = "ASH") -> Obligation | None:
    adoption = PolicyAdoption.objects.filter(organisation=organisation, policy=policy).first()
    found = policies().get(policy)
    if adoption is None or found is None or not found.review_rule:
        return None
    return (
        Obligation.objects.filter(
            subject_type="policies.policyadoption",
            subject_id=str(adoption.pk),
            rule_id=found.review_rule,
            state=Obligation.State.MET,
        )
        .order_by("-met_at", "-pk")
        .first()
    )
