"""Conflict-resolution casework under the ASH Support and Wellbeing Policy: the core records.

A Case is one request for help with a conflict. Its parties are the members in the conflict; its
supporters are the S&W pair (ASH-19) and anyone helping with admin, or an external facilitator for
a limited time. Everything else (meetings, agreements, deadlines, offers, the CRM) hangs off it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.crypto import EncryptedTextField


class Case(models.Model):
    class ReceivedVia(models.TextChoices):
        MEMBER = "member", "From the member"
        OFFICE = "office", "Through the office"

    class Stage(models.TextChoices):
        REQUESTED = "requested", "Request received"
        INITIAL_CONVERSATION = "initial_conversation", "Initial conversation held"
        SELF_MANAGED = "self_managed", "Member addressing it themselves"
        INDIVIDUAL_CONVERSATIONS = "individual_conversations", "Individual conversations"
        GROUP_MEETING = "group_meeting", "Group Meeting held"
        REVIEW = "review", "Review held"
        CRM = "crm", "Community Resolution Meeting"
        AFTER_CRM = "after_crm", "Action Plans in progress"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    # Short and non-identifying, e.g. "Noise between flats"; shown to parties and supporters.
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=120)
    # What the request says: confidential.
    summary = EncryptedTextField(blank=True)
    requested_by = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_requested",
    )
    received_via = models.CharField(
        max_length=10, choices=ReceivedVia.choices, default=ReceivedVia.MEMBER
    )
    # ASH-1: the initial conversation is due within 3 days of S&W receiving the request.
    received_at = models.DateTimeField(default=timezone.now)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.REQUESTED)
    # ASH-25: violence, threats or crime are outside internal support.
    outside_internal_support = models.BooleanField(default=False)
    external_route = models.TextField(blank=True)
    authorities_contacted = models.BooleanField(default=False)
    authorities_contacted_by = models.CharField(max_length=200, blank=True)
    external_investigation = models.BooleanField(default=False)
    screened_at = models.DateTimeField(null=True, blank=True)
    # ASH-4: the Group Meeting is due within 3 weeks of the initial conversation.
    initial_conversation_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_reference_per_org"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "stage", "-received_at"], name="case_org_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.CLOSED


class CaseParty(models.Model):
    """A member in the conflict. `alias` is how they appear in anonymous CRM agendas (ASH-10)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="case_parties"
    )
    alias = models.CharField(max_length=20, help_text="Member A, Member B, … in anonymous agendas.")
    engaging = models.BooleanField(
        default=True, help_text="False when the party does not engage (ASH-7)."
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["alias", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="case_party_once"),
            models.UniqueConstraint(fields=["case", "alias"], name="case_party_alias_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alias} in {self.case_id}"


class CaseSupporter(models.Model):
    """Who supports the case: the S&W pair who facilitate (ASH-19, ASH-20), S&W members who help
    with admin, or an external facilitator who sees only this case until `ends_on`."""

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", "Facilitator (S&W pair)"
        ADMIN = "admin", "Admin help"
        EXTERNAL = "external", "External facilitator"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supporters")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="case_supports"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    starts_on = models.DateField(default=timezone.localdate)
    # Ends a supporter's access; required for external facilitators.
    ends_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="case_supporter_once"),
            models.CheckConstraint(
                condition=~Q(role="external") | Q(ends_on__isnull=False),
                name="external_supporter_has_end",
            ),
        ]
        indexes = [models.Index(fields=["person", "ends_on"], name="case_supporter_person")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.case_id}"

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class RelationshipDeclaration(models.Model):
    """An S&W member declares a close relationship with a party: they cannot support the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="declarations")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="declaration_once")]

    def __str__(self) -> str:
        return f"{self.person_id} declared on {self.case_id}"


class SupportOffer(models.Model):
    """A tool offered to a party or to everyone in the case (ASH-26). Off-site temporary
    accommodation runs for at most the policy's number of weeks unless an extension is approved
    with a reason (ASH-24)."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="offers")
    # One of ASH-26's `tools`, read from the organisation's policy.
    kind = models.CharField(max_length=40)
    party = models.ForeignKey(
        CaseParty, null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    offsite = models.BooleanField(default=False)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    extension_reason = models.TextField(blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    extension_approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="offer_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ").capitalize()


class ConfidentialNote(models.Model):
    """What S&W holds about a member's needs (health, for example) and does not disclose to the
    community (ASH-12): encrypted, for the case's current supporters only, every read audited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="confidential_notes")
    about = models.ForeignKey(
        CaseParty, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = EncryptedTextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self) -> str:
        return f"Confidential note on {self.case_id}"
