"""The Support & Wellbeing group's own records: its annual budget, the ledger of what it spent,
and spending requests with the members' approvals (ASH-22, ASH-23).

Who is in the group is not stored here: it is the people holding a current S&W member role
(people.RoleAssignment). The group's meetings are meetings.Meeting records about the subject
("swgroup.group", organisation id). Money is in pence, as whole numbers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# The subject of the group's own meetings (meetings.Meeting.subject_type).
GROUP_SUBJECT = "swgroup.group"


class Budget(models.Model):
    """ASH-23: the annual budget allocated to the group, for one budget period."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="sw_budgets"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "starts_on"], name="sw_budget_one_per_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="sw_budget_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Budget {self.starts_on} – {self.ends_on}"


class BudgetLine(models.Model):
    """The amount allocated to one category of the budget (ASH-23's categories)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=60)
    allocated_pence = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "category"], name="sw_budget_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.allocated_pence}p"


class SpendingRequest(models.Model):
    """ASH-22: money asked for, approved only by enough members, one outside the case."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approvals"
        APPROVED = "approved", "Approved and spent"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="sw_spending_requests"
    )
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="requests")
    category = models.CharField(max_length=60)
    amount_pence = models.PositiveBigIntegerField()
    case = models.ForeignKey(
        "casework.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sw_spending_requests",
    )
    reason = models.TextField()
    emergency = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="sw_spending_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pence__gt=0), name="sw_spending_amount_positive"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "status", "-created_at"], name="sw_spending_org_status"
            ),
        ]

    def __str__(self) -> str:
        return f"Spending request {self.pk}"


class SpendingApproval(models.Model):
    """One member's own agreement to a spending request; at most one per member."""

    request = models.ForeignKey(SpendingRequest, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="sw_spending_approvals"
    )
    # Whether the approver was assigned to the request's case when they approved.
    on_the_case = models.BooleanField(default=False)
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["approved_at", "pk"]
        constraints = [
            # ASH-22: an approval counts once, however many times it is sent.
            models.UniqueConstraint(fields=["request", "approver"], name="sw_approval_once"),
        ]

    def __str__(self) -> str:
        return f"Approval of {self.request_id} by {self.approver_id}"


class LedgerEntry(models.Model):
    """Money spent against one category of a budget; an approved request writes exactly one."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="entries")
    category = models.CharField(max_length=60)
    amount_pence = models.PositiveBigIntegerField()
    description = models.CharField(max_length=300)
    spent_on = models.DateField()
    request = models.OneToOneField(
        SpendingRequest, on_delete=models.PROTECT, related_name="ledger_entry"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        indexes = [models.Index(fields=["budget", "category"], name="sw_ledger_budget_cat")]

    def __str__(self) -> str:
        return f"{self.category}: {self.amount_pence}p on {self.spent_on}"
