"""The durable outbox: every reminder and notice is a row, written in the same transaction as
the event that causes it, and delivered by the worker afterwards."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.crypto import EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    IN_APP = "in_app", "In the app"
    # People who use no electronic communication get a printed letter (IMHP-12, ASH-8).
    LETTER = "letter", "Printed letter"


class Notification(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed for good"
        CANCELLED = "cancelled", "Cancelled"

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="notifications"
    )
    recipient = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # What it is about, e.g. "obligation.due_soon"; and the key that makes it unique per event,
    # e.g. "obligation:42:1". One row per (key, recipient, channel): never sent twice.
    kind = models.CharField(max_length=60)
    dedupe_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    # Bodies can name people and situations: encrypted at rest.
    body = EncryptedTextField()
    link = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker holds the row until this time; if it dies, another may take it after.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "recipient", "channel"], name="notification_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=Q(state__in=["pending", "sending"]),
            ),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox"),
            models.Index(
                fields=["organisation", "channel", "state"], name="notification_org_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} by {self.channel} ({self.state})"
