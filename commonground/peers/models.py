"""Guidelines (PSP-5), keeping in touch (PSP-10), eligibility (PSP-11), charity membership and
donations (PSP-12) for peer support groups.

- `BehaviourGuidelines`: the organisation's Guidelines for Behaviour, one numbered version after
  another; the highest number is the text in force, shown to every member.
- `GroupGuideline`: an additional guideline a group member proposes; a facilitator of the group
  records the group's decision (agreed or not, when, at which session, how the group decided).
  Agreed guidelines come up for review on the policy's cycle (an obligation, rule PSP-5) and each
  review (`GuidelineReview`) keeps, changes or retires them. Why this is not an agreements
  record: docs/decisions/0011-group-guidelines.md.
- `NewsRecord`: a facilitator's note that news of an absent peer came in (PSP-10). Only the
  outcome is kept, never what the news was (PSP-9's spirit).
- `EligibilityCheck`: a peer confirmed eligible under the charity's objects, or found no longer
  eligible (PSP-11). Nothing expires by itself.
- `CharityMember`: someone who supports the objects became a member of the charity (PSP-12).
  There is no fee: the policy's fee (£0) is shown, never charged.
- `Donation`: a voluntary donation (PSP-12); it changes nothing else anywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.crypto import EncryptedTextField


class BehaviourGuidelines(models.Model):
    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="behaviour_guidelines"
    )
    number = models.PositiveIntegerField()
    text = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="behaviour_guidelines_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"Guidelines for Behaviour, version {self.number}"


class Topic(models.TextChoices):
    DISABILITIES = "disabilities", "Disabilities and access"
    LIGHTING = "lighting", "Room lighting"
    PHONES = "phones", "Mobile phones"
    EATING_DRINKING = "eating_drinking", "Eating and drinking"
    TIMEKEEPING = "timekeeping", "Timekeeping"
    OTHER = "other", "Something else"


class GroupGuideline(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed, waiting for the group"
        AGREED = "agreed", "Agreed by the group"
        NOT_AGREED = "not_agreed", "Not agreed"
        RETIRED = "retired", "Retired at a review"

    group = models.ForeignKey(
        "groups.SupportGroup", on_delete=models.CASCADE, related_name="guidelines"
    )
    topic = models.CharField(max_length=30, choices=Topic.choices)
    # Shown to the whole group: a guideline is written for everyone in the room, not about anyone.
    text = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROPOSED)
    # Shown only to the group's facilitators and the admin.
    proposed_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_on = models.DateField(null=True, blank=True)
    decided_at_session = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    how_decided = models.CharField(max_length=300, blank=True)
    decision_recorded_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviews_held = models.PositiveSmallIntegerField(default=0)
    last_reviewed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="proposed") | Q(decided_on__isnull=False),
                name="group_guideline_decided_has_date",
            )
        ]
        indexes = [models.Index(fields=["group", "state"], name="group_guideline_state")]

    def __str__(self) -> str:
        return f"{self.get_topic_display()}: {self.text[:40]}"

    @property
    def review_key(self) -> str:
        return f"guideline:{self.pk}:review:{self.reviews_held + 1}"


class GuidelineReview(models.Model):
    class Outcome(models.TextChoices):
        KEPT = "kept", "Kept as it is"
        CHANGED = "changed", "Changed"
        RETIRED = "retired", "Retired"

    guideline = models.ForeignKey(GroupGuideline, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reviewed_on = models.DateField()
    session = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_text = models.TextField(blank=True)
    how_decided = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.guideline_id}: {self.outcome}"


class NewsRecord(models.Model):
    class Outcome(models.TextChoices):
        NEWS_RECEIVED = "news_received", "News received"
        LEAVING = "leaving", "The peer is leaving the group"
        COULD_NOT_REACH = "could_not_reach", "Could not reach them"

    group = models.ForeignKey("groups.SupportGroup", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    recorded_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["group", "person"], name="news_record_group_person")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.outcome}"


class EligibilityCheck(models.Model):
    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    eligible = models.BooleanField()
    checked_on = models.DateField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Why they are no longer eligible: may be about their health, so encrypted.
    reason = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        indexes = [models.Index(fields=["person", "checked_on"], name="eligibility_person")]

    def __str__(self) -> str:
        return f"{self.person_id} eligible={self.eligible} on {self.checked_on}"


class CharityMember(models.Model):
    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    supports_objects = models.BooleanField()
    joined_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="charity_member_once"),
            models.CheckConstraint(
                condition=Q(supports_objects=True), name="charity_member_supports_objects"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} member since {self.joined_on}"


class Donation(models.Model):
    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    amount_pence = models.PositiveBigIntegerField()
    received_on = models.DateField()
    # From whom: blank when anonymous.
    donor_name = models.CharField(max_length=200, blank=True)
    anonymous = models.BooleanField(default=False)
    gift_aid = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="donation_positive"),
            models.CheckConstraint(
                condition=Q(anonymous=False) | (Q(donor_name="") & Q(gift_aid=False)),
                name="donation_anonymous_has_no_name",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "received_on"], name="donation_org_day")]

    def __str__(self) -> str:
        return f"{self.pounds} on {self.received_on}"

    @property
    def pounds(self) -> str:
        return f"£{self.amount_pence // 100:,}.{self.amount_pence % 100:02d}"
