"""Making, moving, meeting and waiving obligations. Module services call these when events happen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_change
from commonground.obligations.models import Obligation
from commonground.obligations.signals import obligation_reminder_due
from commonground.people.models import Organisation, Person
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import LONDON, Duration

Subject = models.Model | tuple[str, Any]


def subject_key(subject: Subject) -> tuple[str, str]:
    if isinstance(subject, tuple):
        return subject[0], str(subject[1])
    return subject._meta.label_lower, str(subject.pk)


def as_moment(when: dt.date | dt.datetime) -> dt.datetime:
    """An aware datetime: a date alone means the start of that day in London."""
    if isinstance(when, dt.datetime):
        if timezone.is_naive(when):
            raise ValueError("Obligation triggers must be aware datetimes.")
        return when
    return dt.datetime.combine(when, dt.time(0, 0), tzinfo=LONDON)


def compute_due(
    in_force: OrganisationPolicy,
    rule_id: str,
    param: str,
    trigger_at: dt.datetime,
    scale: float = 1.0,
    counts: str = Obligation.Counts.AFTER,
) -> dt.date:
    """The due date: the rule's length of time after the trigger, or before it."""
    duration = in_force.value(rule_id, param)
    if not isinstance(duration, Duration):
        raise TypeError(f"{rule_id} {param} is not a duration.")
    if scale != 1.0:
        duration = duration.scaled(scale)
    if counts == Obligation.Counts.BEFORE:
        moment = duration.before(trigger_at)
    else:
        moment = duration.after(trigger_at)
    return moment.astimezone(LONDON).date() if isinstance(moment, dt.datetime) else moment


def next_reminder(obligation: Obligation) -> dt.date | None:
    """When the sweep should next look at it: the start of "due soon", then the first overdue day."""
    if obligation.state != Obligation.State.OPEN or obligation.direction != Obligation.Direction.BY:
        return None
    if obligation.reminder_stage == Obligation.Stage.NONE:
        return obligation.due_on - dt.timedelta(days=settings.OBLIGATION_DUE_SOON_DAYS)
    if obligation.reminder_stage == Obligation.Stage.DUE_SOON:
        return obligation.due_on + dt.timedelta(days=1)
    return None


def obligation_schedule(
    *,
    organisation: Organisation,
    rule_id: str,
    param: str,
    subject: Subject,
    title: str,
    trigger_event: str,
    trigger_at: dt.date | dt.datetime,
    key: str = "",
    direction: str = Obligation.Direction.BY,
    assignees: Iterable[Person] = (),
    oversight_role: str = "",
    scale: float = 1.0,
    actor: Any = None,
    in_force: OrganisationPolicy | None = None,
    due_on: dt.date | None = None,
    counts: str = Obligation.Counts.AFTER,
) -> Obligation:
    """Make the obligation, or move it if it exists and is still open (same subject, rule, key).

    The due date is the rule's number in force for `organisation` after `trigger_at`; `scale`
    stretches it (pro rata for part-time staff, WCC-1). Where the rule gives no length of time
    (a housekeeping action a group agreed for a date, PSP-8; news sought by the next session,
    PSP-10), pass the date as `due_on`: the "why" then says it is the date set at the trigger,
    and a change of the organisation's numbers leaves it alone. `counts=Obligation.Counts.BEFORE`
    counts the rule's length of time back from the trigger instead ("a week before the Notice
    to Quit ends", ASH-15), and the "why" says so."""
    subject_type, subject_id = subject_key(subject)
    moment = as_moment(trigger_at)
    if due_on is None:
        policy = in_force or organisation_policy(organisation)
        due_on = compute_due(policy, rule_id, param, moment, scale, counts)
    with transaction.atomic():
        obligation = (
            Obligation.objects.select_for_update()
            .filter(subject_type=subject_type, subject_id=subject_id, rule_id=rule_id, key=key)
            .first()
        )
        if obligation is None:
            obligation = Obligation(
                organisation=organisation,
                rule_id=rule_id,
                param=param,
                subject_type=subject_type,
                subject_id=subject_id,
                key=key,
                title=title,
                trigger_event=trigger_event,
                trigger_at=moment,
                direction=direction,
                counts=counts,
                due_on=due_on,
                oversight_role=oversight_role,
            )
            obligation.next_reminder_on = next_reminder(obligation)
            obligation.save()
            audit_change(
                actor=actor,
                organisation=organisation,
                instance=obligation,
                action=AuditEntry.Action.CREATE,
                changes={
                    "rule_id": [None, rule_id],
                    "due_on": [None, due_on],
                    "trigger_event": [None, trigger_event],
                },
                summary=f"{rule_id}: {title} due {due_on:%d %b %Y}",
            )
        elif obligation.state == Obligation.State.OPEN:
            old_due = obligation.due_on
            obligation.title, obligation.trigger_event, obligation.trigger_at = (
                title,
                trigger_event,
                moment,
            )
            obligation.param, obligation.direction, obligation.due_on = param, direction, due_on
            obligation.counts = counts
            obligation.oversight_role = oversight_role or obligation.oversight_role
            if old_due != due_on:
                obligation.reminder_stage = Obligation.Stage.NONE
            obligation.next_reminder_on = next_reminder(obligation)
            obligation.save()
            if old_due != due_on:
                audit_change(
                    actor=actor,
                    organisation=organisation,
                    instance=obligation,
                    action=AuditEntry.Action.UPDATE,
                    changes={"due_on": [old_due, due_on], "trigger_at": ["(moved)", moment]},
                    summary=f"{rule_id}: {title} moved to {due_on:%d %b %Y}",
                )
        assignee_list = list(assignees)
        if assignee_list:
            obligation.assignees.set(assignee_list)
    return obligation


def _find(subject: Subject, rule_id: str, key: str) -> Obligation | None:
    subject_type, subject_id = subject_key(subject)
    return (
        Obligation.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id, rule_id=rule_id, key=key)
        .first()
    )


def obligation_meet(
    *,
    subject: Subject,
    rule_id: str,
    event: str,
    key: str = "",
    at: dt.datetime | None = None,
    actor: Any = None,
) -> Obligation | None:
    """Mark the obligation met by `event`. Idempotent; returns None if there was none."""
    with transaction.atomic():
        obligation = _find(subject, rule_id, key)
        if obligation is None or obligation.state != Obligation.State.OPEN:
            return obligation
        obligation.state = Obligation.State.MET
        obligation.met_at = at or timezone.now()
        obligation.met_by_event = event
        obligation.next_reminder_on = None
        obligation.save(
            update_fields=["state", "met_at", "met_by_event", "next_reminder_on", "updated_at"]
        )
        audit_change(
            actor=actor,
            organisation=obligation.organisation,
            instance=obligation,
            action=AuditEntry.Action.UPDATE,
            changes={"state": ["open", "met"], "met_by_event": [None, event]},
            summary=f"{rule_id}: {obligation.title} met",
        )
    return obligation


def obligation_cancel(
    *, subject: Subject, rule_id: str, key: str = "", reason: str, actor: Any = None
) -> Obligation | None:
    """The obligation no longer applies (the case closed, the meeting was called off)."""
    with transaction.atomic():
        obligation = _find(subject, rule_id, key)
        if obligation is None or obligation.state != Obligation.State.OPEN:
            return obligation
        obligation.state = Obligation.State.CANCELLED
        obligation.next_reminder_on = None
        obligation.waived_reason = reason
        obligation.save(update_fields=["state", "next_reminder_on", "waived_reason", "updated_at"])
        audit_change(
            actor=actor,
            organisation=obligation.organisation,
            instance=obligation,
            action=AuditEntry.Action.UPDATE,
            changes={"state": ["open", "cancelled"]},
            summary=f"{rule_id}: {obligation.title} no longer needed",
            reason=reason,
        )
    return obligation


def obligation_waive(*, actor: Any, obligation: Obligation, reason: str) -> Obligation:
    if not actor.has_perm("obligations.waive_obligation", obligation):
        raise PermissionDenied(
            "Only the organisation's admin, or those who oversee this, can waive it."
        )
    if not (reason or "").strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    "Say why the deadline is waived; it stays on the record.",
                    code="obligation_waive_reason",
                )
            }
        )
    with transaction.atomic():
        obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if obligation.state != Obligation.State.OPEN:
            raise ValidationError(
                {
                    "state": ValidationError(
                        "This is %(state)s already.",
                        code="obligation_open",
                        params={"state": obligation.get_state_display().lower()},
                    )
                }
            )
        obligation.state = Obligation.State.WAIVED
        obligation.waived_reason = reason.strip()
        obligation.waived_by = actor
        obligation.waived_at = timezone.now()
        obligation.next_reminder_on = None
        obligation.save()
        audit_change(
            actor=actor,
            organisation=obligation.organisation,
            instance=obligation,
            action=AuditEntry.Action.UPDATE,
            changes={"state": ["open", "waived"]},
            summary=f"{obligation.rule_id}: {obligation.title} waived",
            reason=reason.strip(),
        )
    return obligation


def obligations_recompute(*, organisation: Organisation, rule_id: str, actor: Any = None) -> int:
    """Recompute every open obligation of `rule_id` after the organisation changed its number.

    Only obligations whose number is a length of time move: one counted from something else (a
    "seek news" action due by the group's next session, its number a count of absences) keeps
    the date its module gave it."""
    in_force = organisation_policy(organisation)
    moved = 0
    with transaction.atomic():
        for obligation in Obligation.objects.select_for_update().filter(
            organisation=organisation, rule_id=rule_id, state=Obligation.State.OPEN
        ):
            if not obligation.param or not isinstance(
                in_force.value(rule_id, obligation.param), Duration
            ):
                continue
            due_on = compute_due(
                in_force,
                rule_id,
                obligation.param,
                obligation.trigger_at,
                counts=obligation.counts,
            )
            if due_on == obligation.due_on:
                continue
            old = obligation.due_on
            obligation.due_on = due_on
            obligation.reminder_stage = Obligation.Stage.NONE
            obligation.next_reminder_on = next_reminder(obligation)
            obligation.save(
                update_fields=["due_on", "reminder_stage", "next_reminder_on", "updated_at"]
            )
            audit_change(
                actor=actor,
                organisation=organisation,
                instance=obligation,
                action=AuditEntry.Action.UPDATE,
                changes={"due_on": [old, due_on]},
                summary=f"{rule_id}: {obligation.title} moved to {due_on:%d %b %Y} (the organisation's number changed)",
            )
            moved += 1
    return moved


def obligations_sweep(*, today: dt.date | None = None, batch: int = 50) -> int:
    """Send the reminders that are due now: each obligation moves on one stage, once.

    Looks only at obligations whose next reminder date has come (an index on it), so the
    work is proportional to what is due, not to the size of the table. Each batch is its own
    short transaction, so on SQLite the pages are never kept waiting for the write lock long."""
    day = today or timezone.localdate()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                Obligation.objects.select_for_update(skip_locked=True)
                .filter(state=Obligation.State.OPEN, next_reminder_on__lte=day)
                .order_by("next_reminder_on", "pk")[:batch]
            )
            for obligation in due:
                stage = (
                    Obligation.Stage.OVERDUE
                    if obligation.due_on < day
                    else Obligation.Stage.DUE_SOON
                )
                obligation.reminder_stage = stage
                obligation.next_reminder_on = next_reminder(obligation)
                obligation.save(update_fields=["reminder_stage", "next_reminder_on", "updated_at"])
                # Receivers (notifications) write their outbox rows in this same transaction.
                obligation_reminder_due.send(sender=Obligation, obligation=obligation, stage=stage)
                sent += 1
        if len(due) < batch:
            return sent
