"""Obligations: deadlines computed from an event by a policy rule.

"The Group Meeting is due within 3 weeks of the initial conversation" is an Obligation with
rule ASH-4, trigger "initial conversation held" at its time, and a due date the rule computes.
Move the trigger, or change the organisation's number, and the due date moves.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Obligation(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        WAIVED = "waived", "Waived"
        CANCELLED = "cancelled", "No longer needed"

    class Direction(models.TextChoices):
        # Do something by the due date ("within 3 days of").
        BY = "by", "Due by"
        # Something may not happen before the date ("at least one month's notice").
        NOT_BEFORE = "not_before", "Not before"

    class Counts(models.TextChoices):
        # The rule's length of time after the trigger ("within 3 days of the request").
        AFTER = "after", "After the trigger"
        # The rule's length of time before it ("a week before the Notice to Quit ends").
        BEFORE = "before", "Before the trigger"

    class Stage(models.IntegerChoices):
        NONE = 0, "No reminder yet"
        DUE_SOON = 1, "Due-soon reminder sent"
        OVERDUE = 2, "Overdue notice sent"

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="obligations"
    )
    rule_id = models.CharField(max_length=20)
    param = models.CharField(max_length=60)
    # What the obligation is about: a record of a module ("people.organisation", "casework.case").
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    # Tells apart several obligations of one rule on one subject ("check_in:2").
    key = models.CharField(max_length=100, default="", blank=True)
    title = models.CharField(max_length=200)
    trigger_event = models.CharField(max_length=200)
    trigger_at = models.DateTimeField()
    direction = models.CharField(max_length=12, choices=Direction.choices, default=Direction.BY)
    counts = models.CharField(max_length=6, choices=Counts.choices, default=Counts.AFTER)
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    assignees = models.ManyToManyField("people.Person", blank=True, related_name="obligations")
    # Holders of this role see the obligation on the organisation's overdue list.
    oversight_role = models.CharField(max_length=30, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    met_by_event = models.CharField(max_length=200, blank=True)
    waived_reason = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    reminder_stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.NONE)
    # When the sweep should next look at this obligation; NULL once nothing more is to be sent.
    next_reminder_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "rule_id", "key"],
                name="one_obligation_per_subject_rule_key",
            ),
        ]
        indexes = [
            # The sweep: open obligations whose next reminder is due, nothing else.
            models.Index(
                fields=["next_reminder_on"],
                name="obligation_sweep",
                condition=Q(state="open", next_reminder_on__isnull=False),
            ),
            models.Index(fields=["organisation", "state", "due_on"], name="obligation_org_open"),
            # "Deadlines I oversee" for someone who oversees by role (the S&W group, say).
            models.Index(
                fields=["organisation", "oversight_role", "due_on"],
                name="obligation_org_oversight_open",
                condition=Q(state="open"),
            ),
            models.Index(fields=["subject_type", "subject_id"], name="obligation_subject"),
            models.Index(fields=["organisation", "rule_id", "state"], name="obligation_org_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.title} ({self.due_on})"

    def status(self, today: dt.date | None = None) -> str:
        """upcoming, due_soon, overdue, met, waived or cancelled."""
        if self.state != self.State.OPEN:
            return str(self.state)
        day = today or timezone.localdate()
        if self.direction == self.Direction.NOT_BEFORE:
            return "waiting" if self.due_on > day else "open_now"
        if self.due_on < day:
            return "overdue"
        if self.due_on <= day + dt.timedelta(days=settings.OBLIGATION_DUE_SOON_DAYS):
            return "due_soon"
        return "upcoming"

    STATUS_LABELS = {
        "upcoming": "Upcoming",
        "due_soon": "Due soon",
        "overdue": "Overdue",
        "met": "Met",
        "waived": "Waived",
        "cancelled": "No longer needed",
        "waiting": "Not yet",
        "open_now": "Can happen now",
    }

    def status_label(self) -> str:
        return self.STATUS_LABELS[self.status()]
