"""Agreements signed by the people they bind: Shared Agreements (ASH-5), Action Plans (ASH-13),
supervision contracts (WCC-4), buddy contracts (BUD-4) and group guidelines (PSP-5).

An agreement has parties and numbered versions of its terms. It is agreed only when every party
who must sign has signed the current version; changing the terms of an agreed agreement makes a
new version, which everyone signs again (the old signatures stay with the old version).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.agreements.kinds import Kind, KindSpec, PartyRole, kind_spec
from commonground.crypto import EncryptedTextField


class Agreement(models.Model):
    Kind = Kind

    class State(models.TextChoices):
        DRAFT = "draft", "Draft, waiting for signatures"
        AGREED = "agreed", "Agreed"
        UNDER_REVIEW = "under_review", "Under review"
        SUPERSEDED = "superseded", "Replaced by a newer agreement"
        ENDED = "ended", "Ended"
        BROKEN = "broken", "Broken"

    # States in which nothing more can change.
    CLOSED_STATES = frozenset({State.SUPERSEDED, State.ENDED, State.BROKEN})

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    # The record a module attaches it to ("casework.case", "buddying.pair"); blank if none.
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    current_version = models.ForeignKey(
        "agreements.AgreementVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The current version's dates, kept here for lists and queries.
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # A review date chosen by hand, for an agreement without a review rule. With a rule, the
    # review obligation holds the date (and moves it when the organisation changes its number).
    review_on = models.DateField(null=True, blank=True)
    # The rule that schedules the review (ASH-6, WCC-5, PSP-5); blank if none.
    review_rule_id = models.CharField(max_length=20, blank=True)
    review_param = models.CharField(max_length=60, blank=True)
    reviews_held = models.PositiveSmallIntegerField(default=0)
    # The version number in force when the current review began.
    review_from_version = models.PositiveIntegerField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Why it ended early (BUD-8) or was replaced: can name people and situations.
    end_reason = EncryptedTextField(blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"], name="agreement_org_state"),
            models.Index(fields=["subject_type", "subject_id"], name="agreement_subject"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def spec(self) -> KindSpec:
        return kind_spec(self.kind)

    @property
    def is_closed(self) -> bool:
        return self.state in self.CLOSED_STATES

    @property
    def review_repeats(self) -> bool:
        """A cycle ("review_every") schedules the next review after each one; a one-off
        deadline ("after", ASH-6) schedules only the first."""
        return "every" in self.review_param

    @property
    def review_key(self) -> str:
        """The obligation key of the review that is due next."""
        return f"review:{self.reviews_held + 1}"


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="agreement_parties"
    )
    role = models.CharField(max_length=20, choices=PartyRole.choices, default=PartyRole.PARTY)
    must_sign = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "person"], name="agreement_party_once"),
            models.CheckConstraint(
                condition=~Q(role="supporter") | Q(must_sign=False),
                name="agreement_supporter_does_not_sign",
            ),
        ]
        indexes = [models.Index(fields=["person", "agreement"], name="agreement_party_person")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # The sections of the terms as JSON ({"aim": "...", ...}), encrypted: the terms of an
    # agreement made in a conflict are confidential.
    terms = EncryptedTextField()
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    change_note = EncryptedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_once"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number}"

    def sections(self) -> dict[str, str]:
        loaded: Any = json.loads(self.terms) if self.terms else {}
        return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}

    def labelled_sections(self) -> list[tuple[str, str]]:
        """(label, text) in the kind's order; sections left empty are left out."""
        values = self.sections()
        return [
            (s.label, values[s.key])
            for s in kind_spec(self.agreement.kind).sections
            if values.get(s.key)
        ]


class Signature(models.Model):
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    party = models.ForeignKey(AgreementParty, on_delete=models.PROTECT, related_name="signatures")
    # Always the party's own login: nobody signs for someone else.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="signature_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.party} signed {self.version}"


class Disagreement(models.Model):
    """WCC-7: a party's disagreement with a version, noted and initialled by that party."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="disagreements"
    )
    party = models.ForeignKey(
        AgreementParty, on_delete=models.PROTECT, related_name="disagreements"
    )
    text = EncryptedTextField()
    initials = models.CharField(max_length=10)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    noted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["noted_at", "pk"]

    def __str__(self) -> str:
        return f"Disagreement by {self.initials}"


class Breach(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="breaches")
    version = models.ForeignKey(
        AgreementVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The party who broke it, where one did.
    by_party = models.ForeignKey(
        AgreementParty, null=True, blank=True, on_delete=models.PROTECT, related_name="breaches"
    )
    occurred_on = models.DateField()
    description = EncryptedTextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"Breach on {self.occurred_on}"


class AgreementReview(models.Model):
    class Outcome(models.TextChoices):
        KEPT = "kept", "Kept as it is"
        UPGRADED = "upgraded", "Upgraded (new terms agreed)"
        BROKEN = "broken", "Broken"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Review: {self.get_outcome_display()}"
