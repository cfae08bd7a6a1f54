"""Every change to the S&W group's own records: its budget, spending requests and approvals,
its meetings, and the role changes that alter its composition.

Each function checks the actor's permission, validates against the numbers in force, writes in
one transaction with its audit entry, and queues notifications in that transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_change, creation_changes
from commonground.casework.models import Case
from commonground.casework.selectors_core import current_supporter_ids
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_schedule
from commonground.notifications.services import notify
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.people.services import role_assign, role_end
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.swgroup.health import GroupHealth, sw_group_health, sw_member_ids
from commonground.swgroup.models import (
    GROUP_SUBJECT,
    Budget,
    BudgetLine,
    LedgerEntry,
    SpendingApproval,
    SpendingRequest,
)
from commonground.swgroup.money import pounds

__all__ = [
    "GroupHealth",
    "budget_set",
    "category_label",
    "group_meeting_schedule",
    "spending_approve",
    "spending_request_create",
    "spending_withdraw",
    "sw_group_health",
    "sw_role_end",
    "sw_role_give",
]

Action = AuditEntry.Action
REASON_MAX = 2000

# How the policy's category names read on a page.
CATEGORY_LABELS = {
    "meeting_spaces": "Meeting spaces",
    "external_facilitators": "External facilitators",
    "training": "Training and support for the group",
    "support_to_move_on": "Support-to-move-on pot",
    "temporary_accommodation": "Temporary accommodation",
}


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


def categories(in_force: OrganisationPolicy) -> tuple[str, ...]:
    # ASH-23: the budget's categories are the policy's, not a list written here.
    items: tuple[str, ...] = in_force.value("ASH-23", "categories").items
    return items


def _error(field: str | None, message: str, code: str, **params: Any) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _own_person(actor: Any, organisation: Organisation) -> Person:
    person = standing(actor, organisation).person
    if person is None:  # pragma: no cover - the permission check already needs one
        raise PermissionDenied("You are not in this organisation.")
    return person


# ASH-18: giving and ending S&W roles ---------------------------------------------------------


def sw_role_give(
    *,
    actor: Any,
    organisation: Organisation,
    person: Person,
    starts_on: dt.date,
    note: str = "",
    confirmed: bool = False,
) -> RoleAssignment:
    """Give the S&W member role. If the group would then break ASH-18, the caller must have shown
    the warning and had it confirmed; otherwise it is refused with the warning as the message."""
    _require(
        actor,
        "swgroup.change_membership",
        organisation,
        "Only the organisation admin can change who is in the S&W group.",
    )
    if person.organisation_id != organisation.pk:
        raise _error("person", "Choose someone in %(org)s.", "same_organisation", org=organisation)
    after = sw_group_health(organisation, adding=person, on=starts_on)
    _confirmed_or_refused(after, confirmed)
    return role_assign(
        actor=actor, person=person, role=Role.SW_MEMBER, starts_on=starts_on, note=note
    )


def sw_role_end(
    *,
    actor: Any,
    organisation: Organisation,
    assignment: RoleAssignment,
    ends_on: dt.date,
    reason: str = "",
    confirmed: bool = False,
) -> RoleAssignment:
    """End someone's S&W member role, warned first if the group would then break ASH-18."""
    _require(
        actor,
        "swgroup.change_membership",
        organisation,
        "Only the organisation admin can change who is in the S&W group.",
    )
    if assignment.organisation_id != organisation.pk or assignment.role != Role.SW_MEMBER:
        raise _error("role", "This is not an S&W member role here.", "sw_role")
    after = sw_group_health(
        organisation, without=assignment.person, on=ends_on + dt.timedelta(days=1)
    )
    _confirmed_or_refused(after, confirmed)
    return role_end(actor=actor, assignment=assignment, ends_on=ends_on, reason=reason)


def _confirmed_or_refused(after: GroupHealth, confirmed: bool) -> None:
    if after.healthy or confirmed:
        return
    raise _error(
        "confirm",
        "After this change: %(problems)s Confirm that you want to go ahead.",
        "ASH-18",
        problems=" ".join(after.problems),
    )


# ASH-21: the group's own meetings -------------------------------------------------------------


def group_meeting_schedule(
    *,
    actor: Any,
    organisation: Organisation,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    convenor: Person,
    place: str = "",
    title: str = "",
) -> Meeting:
    """Schedule a meeting of the S&W group: every current member is invited, one convenes."""
    _require(
        actor,
        "swgroup.schedule_meeting",
        organisation,
        "Only S&W group members or the admin can schedule the group's meetings.",
    )
    day = timezone.localtime(starts_at).date() if isinstance(starts_at, dt.datetime) else None
    members = sw_member_ids(organisation, day)
    if convenor.organisation_id != organisation.pk or convenor.pk not in members:
        raise _error("convenor", "The convenor must be a member of the S&W group.", "sw_member")
    attendees = list(Person.objects.filter(pk__in=members - {convenor.pk}))
    return meeting_schedule(
        actor=actor,
        organisation=organisation,
        kind=MeetingKind.OTHER,
        starts_at=starts_at,
        duration=duration,
        facilitators=[convenor],
        attendees=attendees,
        title=title or "S&W group meeting",
        place=place,
        subject=(GROUP_SUBJECT, organisation.pk),
    )


# ASH-23: the annual budget ---------------------------------------------------------------------


def budget_period_end(in_force: OrganisationPolicy, starts_on: dt.date) -> dt.date:
    period = in_force.value("ASH-23", "budget_period")
    end = period.after(starts_on)
    assert isinstance(end, dt.date)
    return end - dt.timedelta(days=1)


def spent_by_category(budget: Budget) -> dict[str, int]:
    rows = (
        LedgerEntry.objects.filter(budget=budget)
        .values("category")
        .annotate(total=Sum("amount_pence"))
        .order_by()
    )
    return {row["category"]: int(row["total"] or 0) for row in rows}


def budget_set(
    *,
    actor: Any,
    organisation: Organisation,
    starts_on: dt.date,
    amounts: Mapping[str, int],
    in_force: OrganisationPolicy | None = None,
) -> Budget:
    """Set the budget for the period starting `starts_on` (one `budget_period` long): an amount
    in pence for each of ASH-23's categories. Setting it again changes the amounts."""
    _require(
        actor,
        "swgroup.set_budget",
        organisation,
        "Only the organisation admin allocates the S&W group's budget.",
    )
    policy = in_force or organisation_policy(organisation)
    names = categories(policy)
    unknown = set(amounts) - set(names)
    if unknown:
        raise _error(
            None,
            "%(names)s is not a budget category in the policy.",
            "ASH-23",
            names=", ".join(sorted(unknown)),
        )
    for name in names:
        value = amounts.get(name, 0)
        if not isinstance(value, int) or value < 0:
            raise _error(name, "Give an amount of zero or more.", "ASH-23")
    ends_on = budget_period_end(policy, starts_on)
    with transaction.atomic():
        overlapping = (
            Budget.objects.select_for_update()
            .filter(organisation=organisation, starts_on__lte=ends_on, ends_on__gte=starts_on)
            .exclude(starts_on=starts_on)
        )
        other = overlapping.first()
        if other is not None:
            raise _error(
                "starts_on",
                "The budget from %(start)s to %(end)s covers part of this period already.",
                "sw_budget_no_overlap",
                start=other.starts_on.strftime("%-d %B %Y"),
                end=other.ends_on.strftime("%-d %B %Y"),
            )
        budget, created = Budget.objects.select_for_update().get_or_create(
            organisation=organisation,
            starts_on=starts_on,
            defaults={"ends_on": ends_on, "created_by": _user(actor)},
        )
        spent = spent_by_category(budget)
        lines = {line.category: line for line in budget.lines.all()}
        changes: dict[str, list[Any]] = {}
        for name in names:
            value = amounts.get(name, 0)
            if value < spent.get(name, 0):
                raise _error(
                    name,
                    "%(category)s has spent %(spent)s already; allocate at least that.",
                    "ASH-23",
                    category=category_label(name),
                    spent=pounds(spent.get(name, 0)),
                )
            line = lines.get(name)
            if line is None:
                BudgetLine.objects.create(budget=budget, category=name, allocated_pence=value)
                changes[name] = [None, value]
            elif line.allocated_pence != value:
                changes[name] = [line.allocated_pence, value]
                line.allocated_pence = value
                line.save(update_fields=["allocated_pence"])
        if created:
            changes = {"starts_on": [None, starts_on], "ends_on": [None, ends_on], **changes}
        if changes:
            audit_change(
                actor=actor,
                organisation=organisation,
                instance=budget,
                action=Action.CREATE if created else Action.UPDATE,
                changes=changes,
                summary="S&W budget set" if created else "S&W budget changed",
            )
    return budget


def budget_for(organisation: Organisation, on: dt.date | None = None) -> Budget | None:
    day = on or timezone.localdate()
    return Budget.objects.filter(
        organisation=organisation, starts_on__lte=day, ends_on__gte=day
    ).first()


def _balance(budget: Budget, category: str) -> int:
    line = BudgetLine.objects.filter(budget=budget, category=category).first()
    allocated = line.allocated_pence if line else 0
    return allocated - spent_by_category(budget).get(category, 0)


# ASH-22: spending requests and approvals --------------------------------------------------------


def spending_request_create(
    *,
    actor: Any,
    organisation: Organisation,
    category: str,
    amount_pence: int,
    reason: str,
    case: Case | None = None,
    emergency: bool = False,
    in_force: OrganisationPolicy | None = None,
) -> SpendingRequest:
    """Ask the group for money from one category. Asking is not agreeing: the requester, like
    every member, agrees (or not) with their own approval."""
    _require(
        actor,
        "swgroup.request_spending",
        organisation,
        "Only members of the S&W group can ask for the group's money.",
    )
    policy = in_force or organisation_policy(organisation)
    me = _own_person(actor, organisation)
    if category not in categories(policy):
        raise _error("category", "Choose one of the budget's categories.", "ASH-23")
    if not isinstance(amount_pence, int) or amount_pence <= 0:
        raise _error("amount", "Give an amount of more than £0.00.", "sw_spending_amount")
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "Say what the money is for.", "required")
    if len(reason) > REASON_MAX:
        raise _error(
            "reason", "Keep the reason under %(max)s characters.", "max_length", max=REASON_MAX
        )
    if case is not None and case.organisation_id != organisation.pk:
        raise _error("case", "Choose a case in %(org)s.", "same_organisation", org=organisation)
    budget = budget_for(organisation)
    if budget is None:
        raise _error(
            None,
            "There is no S&W budget for this period yet; the organisation admin sets it.",
            "ASH-23",
        )
    balance = _balance(budget, category)
    if amount_pence > balance:
        raise _overspend(category, balance, amount_pence)
    with transaction.atomic():
        request = SpendingRequest.objects.create(
            organisation=organisation,
            budget=budget,
            category=category,
            amount_pence=amount_pence,
            case=case,
            reason=reason,
            emergency=bool(emergency),
            requested_by=me,
        )
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=request,
            action=Action.CREATE,
            changes=creation_changes(
                request, ("category", "amount_pence", "case_id", "emergency", "requested_by_id")
            ),
            summary="S&W spending requested" + (" (emergency)" if emergency else ""),
            reason=reason,
        )
        others = Person.objects.filter(pk__in=sw_member_ids(organisation) - {me.pk})
        notify(
            organisation=organisation,
            recipients=others,
            kind="swgroup.spending_requested",
            dedupe_key=f"swgroup:spending:{request.pk}:requested",
            subject=("Emergency: " if emergency else "") + "S&W spending needs your agreement",
            body=(
                f"{me.display_name} asks for {pounds(amount_pence)} from "
                f"{category_label(category)}. Open the request to agree to it."
            ),
            link=_request_link(request),
        )
    return request


def _request_link(request: SpendingRequest) -> str:
    return reverse(
        "swgroup:spending_detail", kwargs={"org": request.organisation.slug, "pk": request.pk}
    )


def _overspend(category: str, balance: int, amount: int) -> ValidationError:
    # ASH-23: a category is never taken below zero.
    return _error(
        "amount",
        "%(category)s has %(balance)s left, so %(amount)s cannot be spent from it.",
        "sw_overspend",
        category=category_label(category),
        balance=pounds(balance),
        amount=pounds(amount),
    )


def approvals_needed(in_force: OrganisationPolicy) -> tuple[int, int]:
    """ASH-22: (members who must agree, of whom at least this many outside the case)."""
    return (
        in_force.value("ASH-22", "approvers_min").value,
        in_force.value("ASH-22", "approvers_outside_case_min").value,
    )


def spending_approve(
    *,
    actor: Any,
    request: SpendingRequest,
    in_force: OrganisationPolicy | None = None,
) -> SpendingRequest:
    """The actor agrees, for themselves, to a spending request. With enough agreement (ASH-22)
    the money is spent against the category in the same transaction; an approval that would
    take the category below zero is refused and nothing is written."""
    organisation = request.organisation
    _require(
        actor,
        "swgroup.approve_spending",
        organisation,
        "Only members of the S&W group can agree to spending; each member agrees for themselves.",
    )
    policy = in_force or organisation_policy(organisation)
    needed, outside_needed = approvals_needed(policy)
    me = _own_person(actor, organisation)
    with transaction.atomic():
        # Approvals of one request queue here, so the count below sees every earlier one.
        locked = _locked_pending(request)
        supporters = current_supporter_ids(locked.case_id) if locked.case_id else set()
        try:
            with transaction.atomic():
                approval = SpendingApproval.objects.create(
                    request=locked, approver=me, on_the_case=me.pk in supporters
                )
        except IntegrityError as exc:
            raise _error(
                None,
                "You have agreed to this request already; each member's agreement counts once.",
                "sw_approval_once",
            ) from exc
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=approval,
            action=Action.CREATE,
            changes=creation_changes(approval, ("request_id", "approver_id", "on_the_case")),
            summary="S&W spending agreed by a member",
        )
        members = sw_member_ids(organisation)
        counted = [
            a.approver_id
            for a in SpendingApproval.objects.filter(request=locked)
            if a.approver_id in members
        ]
        outside = [pid for pid in counted if pid not in supporters]
        # ASH-22: at least `approvers_min` members, at least `approvers_outside_case_min` of
        # them not assigned to the case the money supports.
        if len(counted) >= needed and len(outside) >= outside_needed:
            _spend(actor, locked, len(counted), len(outside))
    return locked


def _locked_pending(request: SpendingRequest) -> SpendingRequest:
    """The request under its row lock, refused unless it still waits for agreement (ASH-22)."""
    locked = (
        SpendingRequest.objects.select_for_update()
        .select_related("organisation", "budget", "requested_by")
        .get(pk=request.pk)
    )
    if locked.status != SpendingRequest.Status.PENDING:
        raise _error(
            None,
            "This request is %(status)s already.",
            "sw_spending_pending",
            status=locked.get_status_display().lower(),
        )
    return locked


def _spend(actor: Any, request: SpendingRequest, counted: int, outside: int) -> None:
    line = (
        BudgetLine.objects.select_for_update()
        .filter(budget=request.budget, category=request.category)
        .first()
    )
    allocated = line.allocated_pence if line else 0
    balance = allocated - spent_by_category(request.budget).get(request.category, 0)
    if request.amount_pence > balance:
        raise _overspend(request.category, balance, request.amount_pence)
    now = timezone.now()
    LedgerEntry.objects.create(
        budget=request.budget,
        category=request.category,
        amount_pence=request.amount_pence,
        description=request.reason[:300],
        spent_on=timezone.localdate(),
        request=request,
    )
    request.status = SpendingRequest.Status.APPROVED
    request.decided_at = now
    request.save(update_fields=["status", "decided_at"])
    audit_change(
        actor=actor,
        organisation=request.organisation,
        instance=request,
        action=Action.UPDATE,
        changes={"status": [SpendingRequest.Status.PENDING, request.status]},
        summary=(
            f"S&W spending approved by {counted} members, {outside} outside the case; "
            f"{pounds(request.amount_pence)} spent from {category_label(request.category)}"
        ),
    )
    notify(
        organisation=request.organisation,
        recipients=[request.requested_by],
        kind="swgroup.spending_approved",
        dedupe_key=f"swgroup:spending:{request.pk}:approved",
        subject="S&W spending approved",
        body=(
            f"{pounds(request.amount_pence)} from {category_label(request.category)} is approved "
            "and recorded in the ledger."
        ),
        link=_request_link(request),
    )


def spending_withdraw(*, actor: Any, request: SpendingRequest, reason: str) -> SpendingRequest:
    """Withdraw a pending request (whoever asked, or an S&W member), saying why: it can no
    longer be approved (ASH-22) and nothing is spent."""
    _require(
        actor,
        "swgroup.withdraw_spending",
        request,
        "Only whoever asked, or a member of the S&W group, can withdraw this request.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "Say why the request is withdrawn.", "required")
    if len(reason) > REASON_MAX:
        raise _error(
            "reason", "Keep the reason under %(max)s characters.", "max_length", max=REASON_MAX
        )
    with transaction.atomic():
        # Under the same lock as approvals: a withdrawn request is never then approved.
        locked = _locked_pending(request)
        locked.status = SpendingRequest.Status.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        audit_change(
            actor=actor,
            organisation=locked.organisation,
            instance=locked,
            action=Action.UPDATE,
            changes={"status": [SpendingRequest.Status.PENDING, locked.status]},
            summary="S&W spending request withdrawn",
            reason=reason,
        )
    return locked
