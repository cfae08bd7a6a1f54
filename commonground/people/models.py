"""Organisations and the people in them: membership history, roles and qualifications."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.crypto import EncryptedTextField
from commonground.people.roles import Role


class Organisation(models.Model):
    class Kind(models.TextChoices):
        HOUSING_COOP = "housing_coop", "Housing co-operative"
        CHARITY = "charity", "Charity"
        COMMUNITY_COUNCIL = "community_council", "Community council"
        CIC = "cic", "Community interest company"
        BUDDY_SCHEME = "buddy_scheme", "Buddy scheme"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    contact_email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    PHONE = "phone", "Phone call"
    POST = "post", "Letter by post"


ELECTRONIC_CHANNELS = frozenset({ContactChannel.EMAIL, ContactChannel.SMS})


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    HIATUS = "hiatus", "On hiatus"
    REMOVED = "removed", "Membership removed"
    REINSTATED = "reinstated", "Reinstated"
    LEFT = "left", "Left"
    NOT_A_MEMBER = "not_a_member", "Not a member"


# Statuses in which a person takes part in the organisation's work.
PARTICIPATING_STATUSES = frozenset(
    {MembershipStatus.ACTIVE, MembershipStatus.REINSTATED, MembershipStatus.NOT_A_MEMBER}
)


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    SELF_DESCRIBED = "self_described", "In another way"
    NOT_SAID = "prefer_not_to_say", "Prefer not to say"


class PersonQuerySet(models.QuerySet["Person"]):
    def in_organisation(self, organisation: Organisation) -> PersonQuerySet:
        return self.filter(organisation=organisation)


class Person(models.Model):
    """Someone in an organisation. Many have no login; they are recorded all the same."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    full_name = models.CharField(max_length=200)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What they like to be called, if not their full name."
    )
    pronouns = models.CharField(
        max_length=40, blank=True, help_text="For example she/her, they/them."
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    # Channels in order of preference. A person with neither email nor text message uses no
    # electronic communication and is kept in the loop by phone or letter.
    contact_channels = models.JSONField(default=list, blank=True)
    # Sensitive attributes, recorded only where a rule needs them (ASH-18 counts women).
    gender = EncryptedTextField(blank=True, choices=Gender.choices)
    # Health, access or other support needs: confidential, encrypted, every read audited.
    support_needs = EncryptedTextField(blank=True)
    membership_status = models.CharField(
        max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    membership_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(user__isnull=False),
                name="person_one_per_user_per_org",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "full_name"], name="person_org_name"),
            models.Index(fields=["organisation", "membership_status"], name="person_org_status"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name

    @property
    def uses_electronic_communication(self) -> bool:
        return any(channel in ELECTRONIC_CHANNELS for channel in self.contact_channels)

    def channel_labels(self) -> list[str]:
        labels = dict(ContactChannel.choices)
        return [labels.get(c, c) for c in self.contact_channels]


class MembershipChange(models.Model):
    """One step in a person's membership history. The newest by date is their status."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="membership_changes")
    status = models.CharField(max_length=20, choices=MembershipStatus.choices)
    effective_on = models.DateField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_on", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["person", "-effective_on"], name="membership_person_date")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.effective_on}"


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def current(self, on: dt.date | None = None) -> RoleAssignmentQuerySet:
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class RoleAssignment(models.Model):
    """A role held from one date to another (open-ended if no end)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["role", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "role", "ends_on"], name="role_org_role_end"),
            models.Index(fields=["person", "role"], name="role_person_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.starts_on} – {self.ends_on or 'open'})"

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class QualificationKind(models.TextChoices):
    # ASH-20: only those who attended it may facilitate conflict work.
    CONFLICT_FACILITATION_INTRO = (
        "conflict_facilitation_intro",
        "Introductory course on conflict facilitation",
    )
    # PSP-4: sessions are co-facilitated by two appropriately trained facilitators.
    FACILITATOR_TRAINING = "facilitator_training", "Facilitator training"
    # IMHP-1: every session has at least one trained team member.
    TEAM_MEMBER_TRAINING = "team_member_training", "Team member training"
    # IMHP-2: individual support only by a DBS-checked team member.
    DBS_CHECK = "dbs_check", "DBS check"
    SAFEGUARDING_TRAINING = "safeguarding_training", "Safeguarding training"
    # BUD-9: buddies get an induction.
    BUDDY_INDUCTION = "buddy_induction", "Buddy induction"
    SUPERVISION_TRAINING = "supervision_training", "Supervision training"
    OTHER = "other", "Other"


class QualificationQuerySet(models.QuerySet["Qualification"]):
    def current(self, on: dt.date | None = None) -> QualificationQuerySet:
        day = on or timezone.localdate()
        return self.filter(obtained_on__lte=day).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )


class Qualification(models.Model):
    """A course attended or a check passed, with the date it was obtained and any expiry."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(max_length=40, choices=QualificationKind.choices)
    title = models.CharField(
        max_length=200, blank=True, help_text="The course or check's own name, if it has one."
    )
    obtained_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    # A DBS certificate number and the like: confidential.
    reference = EncryptedTextField(blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = QualificationQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-obtained_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("obtained_on")),
                name="qualification_expires_after_obtained",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "kind", "expires_on"], name="qual_org_kind_expiry"
            ),
            models.Index(fields=["person", "kind"], name="qual_person_kind"),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.obtained_on <= day and (self.expires_on is None or self.expires_on >= day)
