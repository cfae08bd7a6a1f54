"""Meetings of every kind: when and where, who facilitates and who attends, notes on a template.

A module attaches a meeting to its own record through `subject_type`/`subject_id` (like
obligations), and may name the obligation the meeting meets when it is held.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.crypto import EncryptedTextField
from commonground.meetings.kinds import MeetingKind


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="meetings"
    )
    # Stable identity for calendars: the .ics UID never changes, the SEQUENCE counts changes.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, choices=MeetingKind.choices)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    duration = models.DurationField()
    # A place can be someone's home: encrypted, and shown only to those taking part if confidential.
    place = EncryptedTextField(blank=True)
    place_confidential = models.BooleanField(default=False)
    # What the meeting is about: a module's record ("casework.case", "42"); empty if nothing.
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    # The obligation this meeting meets when it is held (rule and key on the same subject).
    meets_rule_id = models.CharField(max_length=20, blank=True)
    meets_key = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_reason = models.TextField(blank=True)
    # Notes on the kind's template: a JSON object of section -> text, encrypted at rest.
    notes = EncryptedTextField(blank=True)
    notes_updated_at = models.DateTimeField(null=True, blank=True)
    notes_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gt=dt.timedelta(0)), name="meeting_duration_positive"
            ),
        ]
        indexes = [
            # The staffing recheck: scheduled meetings in the next few days, nothing else.
            models.Index(
                fields=["starts_at"],
                name="meeting_upcoming",
                condition=Q(status="scheduled"),
            ),
            models.Index(fields=["organisation", "status", "starts_at"], name="meeting_org_when"),
            models.Index(fields=["subject_type", "subject_id"], name="meeting_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y %H:%M})"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + self.duration

    @property
    def local_day(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()

    def notes_sections(self) -> dict[str, str]:
        if not self.notes:
            return {}
        try:
            data = json.loads(self.notes)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)


class Participant(models.Model):
    """One person at one meeting: a facilitator (lead or co) or an attendee, with their status."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead facilitator"
        CO = "co", "Co-facilitator"
        ATTENDEE = "attendee", "Attendee"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ATTENDING = "attending", "Coming"
        APOLOGIES = "apologies", "Sent apologies"
        ATTENDED = "attended", "Attended"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="meeting_participations"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    # Why they cannot come may be about their health: encrypted.
    apologies_reason = EncryptedTextField(blank=True)
    # PSP-10: apologies may come by text message or phone and be recorded by a facilitator.
    apologies_received_by = models.CharField(max_length=100, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    FACILITATOR_ROLES = frozenset({Role.LEAD, Role.CO})
    # Those who have said they will not be there, or were not, do not count towards staffing.
    NOT_THERE = frozenset({Status.APOLOGIES, Status.ABSENT})

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="participant_once"),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(role="lead"), name="meeting_one_lead"
            ),
        ]
        indexes = [models.Index(fields=["person", "meeting"], name="participant_person")]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.meeting_id} ({self.role}, {self.status})"

    @property
    def is_facilitator(self) -> bool:
        return self.role in self.FACILITATOR_ROLES


class MeetingOutcome(models.Model):
    """Something the meeting decided, optionally linked to the agreement it made or changed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    text = EncryptedTextField()
    # A generic reference to the agreement ("agreements.agreement", "12"), if there is one.
    agreement_type = models.CharField(max_length=100, blank=True)
    agreement_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Outcome {self.pk} of meeting {self.meeting_id}"


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeedToken(models.Model):
    """A private calendar feed address for one person. Only the token's hash is kept."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "revoked_at"], name="feed_person_live")]

    def __str__(self) -> str:
        return f"Calendar feed {self.pk} for {self.person_id}"

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
