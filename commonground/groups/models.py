"""Peer support groups (PSP): the group, its weekly slot and venue, its pool of facilitators
(who are peers too) and its members.

A session of a group is a `meetings.Meeting` of kind "weekly_session" whose subject is the group
("groups.supportgroup", id); staffing (PSP-4, IMHP-1) is checked by the meetings module. What
happens on the way in (PSP-1..3), in a session (PSP-6..9) and in keeping in touch (PSP-10) is
kept by the modules built on these records.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.crypto import EncryptedTextField

SUBJECT_TYPE = "groups.supportgroup"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class SupportGroup(models.Model):
    """A weekly support group: when and where it meets, and whether it is running."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="support_groups"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    duration = models.DurationField(default=dt.timedelta(hours=2))
    # The venue is where peers go each week: shown to the group's members and facilitators only.
    venue = models.CharField(max_length=300, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="group_name_once"),
            models.CheckConstraint(
                condition=Q(duration__gt=dt.timedelta(0)), name="group_duration_positive"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "closed_on"], name="group_org_open")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_on is None or self.closed_on > timezone.localdate()

    @property
    def schedule_text(self) -> str:
        end = (dt.datetime.combine(dt.date(2000, 1, 3), self.start_time) + self.duration).time()
        return f"{self.get_weekday_display()}s, {self.start_time:%H:%M}\N{EN DASH}{end:%H:%M}"


class CurrentQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> CurrentQuerySet:
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))


class GroupFacilitator(models.Model):
    """A peer in the group's pool of facilitators, from one date until (not including) another."""

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="facilitators")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="group_facilitations"
    )
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(ends_on__isnull=True),
                name="group_facilitator_once",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="group_facilitator_dates",
            ),
        ]
        indexes = [models.Index(fields=["person", "group"], name="group_facilitator_person")]

    def __str__(self) -> str:
        return f"{self.person_id} facilitates {self.group_id}"


class GroupMember(models.Model):
    """A peer's membership of one group: open-ended while they stay eligible (PSP-11).

    `starts_on` is when they joined (after the way in, PSP-1..3); `ends_on` the day they left and
    `end_reason` why ("moving on", "stopped coming" ...; encrypted, it can be about their health).
    """

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="group_memberships"
    )
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    end_reason = EncryptedTextField(blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(ends_on__isnull=True),
                name="group_member_once",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="group_member_dates",
            ),
        ]
        indexes = [models.Index(fields=["person", "group"], name="group_member_person")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id}"
