"""The durable outbox: every reminder and notice is a row, written in the same transaction as
the event that causes it, and delivered by the worker afterwards."""

from __future__ import annotations

from django.conf import settings
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
        # An email held for the person's daily digest and handed over to it (see `digest`).
        IN_DIGEST = "in_digest", "Sent in the daily digest"

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
    # Which claim holds the row: only that worker may mark it sent or failed.
    claim_token = models.CharField(max_length=32, blank=True)
    # The Message-ID or the text-message provider's id of the delivery.
    provider_message_id = models.CharField(max_length=200, blank=True)
    # For an email that went out in a daily digest: the digest that carried it.
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="included"
    )
    # Letters: when the printed letter was posted, and by whom.
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """How a person with a login likes their email notifications: one by one, or once a day."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(
        default=False,
        help_text="One email a day listing everything, instead of an email for each reminder.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person_id}: {'daily digest' if self.daily_digest else 'each email'}"
