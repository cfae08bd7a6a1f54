"""A peer's way into a group (PSP-1, PSP-2, PSP-3).

A `PeerJourney` is one person's way in with the organisation, from their enquiry. Where they are
is never typed in: it is read from the records.

- PSP-1: they attended a held Introduction to Group Work workshop (a `meetings.Meeting` of kind
  "workshop" whose subject is `WORKSHOP_SUBJECT`; attendance is the meetings module's);
- PSP-2 and PSP-3 are about one group: a `GroupAttempt` is the way into that group, with its
  initial conversation (a meeting of kind "initial_conversation" about the attempt), its outcome
  ("join" or "not now", never a score), the names the peer declared and the facilitators' check;
- a relationship with an existing member is a `NameCheckConflict`, which blocks that group until
  the member agrees;
- joining makes a `groups.GroupMember` and closes the attempt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.crypto import EncryptedTextField

# The subject of every Introduction to Group Work workshop (PSP-1): ("joining.workshop", org id).
WORKSHOP_SUBJECT = "joining.workshop"
ATTEMPT_SUBJECT = "joining.groupattempt"


class PeerJourney(models.Model):
    """One person's way in with one organisation, from their enquiry."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="peer_journeys"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="peer_journeys"
    )
    enquired_on = models.DateField(default=timezone.localdate)
    # How they got in touch and anything they asked for: can touch on their health, encrypted.
    enquiry_note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enquired_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="journey_once"),
        ]

    def __str__(self) -> str:
        return f"Way in of {self.person_id}"


class GroupAttempt(models.Model):
    """The way into one group: the initial conversation (PSP-2) and the name-check (PSP-3).

    "Not now" closes the attempt kindly; the peer may come back to it with a new attempt."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        CALL = "call", "Telephone call"

    class Outcome(models.TextChoices):
        JOIN = "join", "Join"
        NOT_NOW = "not_now", "Not now"

    class Closed(models.TextChoices):
        JOINED = "joined", "Joined the group"
        NOT_NOW = "not_now", "Not now"

    journey = models.ForeignKey(PeerJourney, on_delete=models.CASCADE, related_name="attempts")
    group = models.ForeignKey(
        "groups.SupportGroup", on_delete=models.PROTECT, related_name="join_attempts"
    )
    conversation = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # The facilitators' words about the conversation: about the peer's journey, encrypted.
    outcome_note = EncryptedTextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # PSP-3: the people the peer has, or had, a personal, social or business relationship with.
    declared_names = EncryptedTextField(blank=True)
    declared_on = models.DateField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_on = models.DateField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=10, choices=Closed.choices, blank=True)
    member = models.ForeignKey(
        "groups.GroupMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One open way into a group at a time; "not now" closes it and a new one may start.
            models.UniqueConstraint(
                fields=["journey", "group"],
                condition=Q(closed_on__isnull=True),
                name="attempt_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Way of {self.journey_id} into {self.group_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def organisation_id(self) -> int:
        return self.group.organisation_id


class NameCheckConflict(models.Model):
    """A relationship between the prospective peer and a current member of the group (PSP-3).

    It blocks joining that group until the member agrees; the agreement is recorded by a
    facilitator with its date. The peer never sees these rows."""

    class Source(models.TextChoices):
        DECLARED = "declared", "Declared by the peer"
        FACILITATOR = "facilitator", "Known to the facilitators"

    attempt = models.ForeignKey(GroupAttempt, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices)
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    agreed_on = models.DateField(null=True, blank=True)
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "member"], name="conflict_once"),
        ]

    def __str__(self) -> str:
        return f"Conflict {self.pk} on attempt {self.attempt_id}"

    @property
    def organisation_id(self) -> int:
        return self.attempt.group.organisation_id

    @property
    def waiting(self) -> bool:
        return self.agreed_on is None
