"""Running a weekly session of a peer support group (PSP-6..9).

What is kept is the structure, never what anyone said (PSP-9): which step the session is at and
when each step started and ended (PSP-6), who offered and who took time in which slot, each
round's length and who spoke or passed with how long they used (PSP-7), and the housekeeping
actions with owner and date (PSP-8). Attendance is the meeting's own Participant rows. A
safeguarding concern is kept apart, encrypted, for the safeguarding lead and the person who
recorded it.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.crypto import EncryptedTextField


class SessionRun(models.Model):
    """One weekly session as it runs: the step it is at (an index into the organisation's PSP-6
    structure, copied here when the session starts so a later policy change does not move it)."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="session_run"
    )
    structure = models.JSONField(default=list)
    current = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Session run of meeting {self.meeting_id}"

    @property
    def current_key(self) -> str:
        return str(self.structure[self.current]) if self.structure else ""

    @property
    def is_running(self) -> bool:
        return self.ended_at is None


class SessionStep(models.Model):
    """When one step of the structure started and ended (a step gone back to starts again)."""

    run = models.ForeignKey(SessionRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.key} of run {self.run_id}"


class TakeTime(models.Model):
    """A peer who would like to Take Time today, and the slot they took (PSP-6), if any.

    `guaranteed` marks an offer carried from last week's PSP-8 guarantee. Nothing of what they
    said is kept (PSP-9)."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="take_time"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    guaranteed = models.BooleanField(default=False)
    offered_at = models.DateTimeField(default=timezone.now)
    slot = models.CharField(max_length=60, blank=True)
    took_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-guaranteed", "offered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="take_time_once"),
            models.UniqueConstraint(
                fields=["meeting", "slot"], condition=~Q(slot=""), name="take_time_slot_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.meeting_id}"


class Round(models.Model):
    """A round (PSP-7): its length, and when it must end so the session keeps to its end time."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="rounds")
    step = models.CharField(max_length=60)
    total_seconds = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "step"], name="round_once_per_step"),
            models.CheckConstraint(condition=Q(total_seconds__gt=0), name="round_has_time"),
        ]

    def __str__(self) -> str:
        return f"Round {self.step} of {self.meeting_id}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.started_at + dt.timedelta(seconds=self.total_seconds)


class Turn(models.Model):
    """One peer's turn in a round: waiting, spoke (for how long) or passed."""

    class State(models.TextChoices):
        WAITING = "waiting", "Still to speak"
        SPOKE = "spoke", "Spoke"
        PASSED = "passed", "Passed"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="turns")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    used_seconds = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="turn_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in round {self.round_id}"


class HousekeepingAction(models.Model):
    """A PSP-8 housekeeping action with its owner and date; it is an obligation too."""

    class Kind(models.TextChoices):
        NEXT_MEETING = "next_meeting", "Next meeting: date, time and venue"
        GUARANTEE = "guarantee", "Guarantee to Take Time next meeting"
        HANDOUT = "handout", "Promise: a handout"
        NEWS = "news", "Promise: news of an absent peer"
        OTHER = "other", "Promise: other"

    group = models.ForeignKey(
        "groups.SupportGroup", on_delete=models.CASCADE, related_name="housekeeping_actions"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="housekeeping_actions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # The peer a guarantee is for, or the absent peer news is sought of.
    about = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    # A short title only ("grounding techniques handout"): never what anyone shared (PSP-9).
    title = models.CharField(max_length=200, blank=True)
    next_meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    obligation = models.ForeignKey(
        "obligations.Obligation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["group", "due_on"], name="housekeeping_group_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class SafeguardingConcern(models.Model):
    """A concern passed on under the Safeguarding Policy (PSP-9): kept apart from the session,
    encrypted, seen only by the safeguarding lead and the person who recorded it."""

    class ThirdParty(models.TextChoices):
        CRISIS_TEAM = "crisis_team", "Mental health crisis team"
        POLICE = "police", "Police"
        OTHER = "other", "Other"
        NOBODY_YET = "nobody_yet", "Nobody yet"

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="safeguarding_concerns"
    )
    about = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    concern = EncryptedTextField()
    reason = EncryptedTextField()
    third_party = models.CharField(max_length=20, choices=ThirdParty.choices)
    third_party_detail = EncryptedTextField(blank=True)
    told_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="safeguarding_org")]

    def __str__(self) -> str:
        return f"Safeguarding concern {self.pk}"
