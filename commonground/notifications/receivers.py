"""Reminders for obligations: the sweep says one is due soon or overdue, we queue the messages."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from commonground.notifications.services import obligation_reminder_notify
from commonground.obligations.signals import obligation_reminder_due


@receiver(obligation_reminder_due, dispatch_uid="notifications-obligation-reminder")
def queue_obligation_reminder(sender: Any, obligation: Any, stage: int, **kwargs: Any) -> None:
    # Runs inside the sweep's transaction: the stage moves on and the rows are written together.
    obligation_reminder_notify(obligation=obligation, stage=stage)
