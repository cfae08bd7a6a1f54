"""Reading groups: who facilitates and who belongs, today, in one query each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.access.policy import standing
from commonground.groups.models import SUBJECT_TYPE, GroupFacilitator, GroupMember, SupportGroup
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting, Participant
from commonground.people.models import Organisation, Person, Qualification
from commonground.policies.selectors import OrganisationPolicy
from commonground.policies.values import QualificationRequirement


def facilitator_ids(group_id: int, *, organisation_id: int | None = None) -> frozenset[int]:
    rows = GroupFacilitator.objects.current().filter(group_id=group_id)
    if organisation_id is not None:
        rows = rows.filter(group__organisation_id=organisation_id)
    return frozenset(rows.values_list("person_id", flat=True))


def member_ids(group_id: int, on: dt.date | None = None) -> frozenset[int]:
    return frozenset(
        GroupMember.objects.current(on)
        .filter(group_id=group_id)
        .values_list("person_id", flat=True)
    )


def facilitated_group_ids(person_id: int, *, organisation_id: int) -> list[int]:
    return list(
        GroupFacilitator.objects.current()
        .filter(person_id=person_id, group__organisation_id=organisation_id)
        .values_list("group_id", flat=True)
    )


def member_group_ids(person_id: int, *, organisation_id: int) -> list[int]:
    return list(
        GroupMember.objects.current()
        .filter(person_id=person_id, group__organisation_id=organisation_id)
        .values_list("group_id", flat=True)
    )


def is_facilitator(person: Person | None, group: SupportGroup) -> bool:
    return person is not None and person.pk in facilitator_ids(group.pk)


def is_member(person: Person | None, group: SupportGroup) -> bool:
    return person is not None and person.pk in member_ids(group.pk)


def current_facilitators(group: SupportGroup) -> list[Person]:
    rows = GroupFacilitator.objects.current().filter(group=group).select_related("person")
    return sorted((r.person for r in rows), key=lambda p: p.display_name.casefold())


def current_members(group: SupportGroup) -> list[GroupMember]:
    rows = GroupMember.objects.current().filter(group=group).select_related("person")
    return sorted(rows, key=lambda m: m.person.display_name.casefold())


def visible_groups(*, actor: Any, organisation: Organisation) -> QuerySet[SupportGroup]:
    """The groups `actor` may know about: all for the admin and facilitators of any group,
    otherwise only the groups they belong to or facilitate."""
    mine = standing(actor, organisation)
    groups = SupportGroup.objects.filter(organisation=organisation)
    if not actor.has_perm("groups.view_all_groups", organisation):
        person_id = mine.person.pk if mine.person is not None else None
        groups = groups.filter(pk__in=_own_group_ids(person_id, organisation.pk))
    today = timezone.localdate()
    return groups.prefetch_related(
        Prefetch(
            "facilitators",
            queryset=GroupFacilitator.objects.current(today).select_related("person"),
            to_attr="current_facilitators",
        ),
        Prefetch(
            "members",
            queryset=GroupMember.objects.current(today).only("id", "group_id", "person_id"),
            to_attr="current_members",
        ),
    )


def _own_group_ids(person_id: int | None, organisation_id: int) -> set[int]:
    if person_id is None:
        return set()
    return set(member_group_ids(person_id, organisation_id=organisation_id)) | set(
        facilitated_group_ids(person_id, organisation_id=organisation_id)
    )


def group_get(*, actor: Any, organisation: Organisation, pk: int) -> SupportGroup:
    """The group, if `actor` may know about it; otherwise 404, exactly as a missing one."""
    group = SupportGroup.objects.filter(organisation=organisation, pk=pk).first()
    if group is None or not actor.has_perm("groups.view_group", group):
        raise Http404("No such group.")
    return group


def group_sessions(group: SupportGroup) -> QuerySet[Meeting]:
    """The group's weekly sessions (meetings of kind "weekly_session" about the group)."""
    return Meeting.objects.filter(
        organisation_id=group.organisation_id,
        subject_type=SUBJECT_TYPE,
        subject_id=str(group.pk),
        kind=MeetingKind.WEEKLY_SESSION,
    )


def upcoming_sessions(group: SupportGroup) -> QuerySet[Meeting]:
    """The group's scheduled sessions from now on, soonest first, participants prefetched."""
    return (
        group_sessions(group)
        .filter(status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("person").order_by("role", "pk"),
            )
        )
        .order_by("starts_at", "pk")
    )


def next_sessions(groups: Iterable[SupportGroup]) -> dict[int, Meeting]:
    """Each group's next scheduled session, for many groups in one query."""
    by_id = {str(g.pk): g for g in groups}
    if not by_id:
        return {}
    organisation_ids = {g.organisation_id for g in by_id.values()}
    rows = (
        Meeting.objects.filter(
            organisation_id__in=organisation_ids,
            subject_type=SUBJECT_TYPE,
            subject_id__in=list(by_id),
            kind=MeetingKind.WEEKLY_SESSION,
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .order_by("starts_at", "pk")
        .only("id", "subject_id", "starts_at", "duration", "organisation_id")
    )
    found: dict[int, Meeting] = {}
    for meeting in rows:
        found.setdefault(int(meeting.subject_id), meeting)
    return found


def last_scheduled_start(group: SupportGroup) -> dt.datetime | None:
    """When the group's latest scheduled session starts (to schedule the ones after it)."""
    latest = (
        group_sessions(group)
        .filter(status=Meeting.Status.SCHEDULED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return latest


@dataclass(frozen=True)
class PoolMember:
    """A facilitator in the group's pool, and the training each staffing rule asks for."""

    row: GroupFacilitator
    person: Person
    # (rule id, qualification label, held today, expires on) for each rule the organisation adopts.
    training: tuple[tuple[str, str, bool, dt.date | None], ...]

    @property
    def trained(self) -> bool:
        return all(held for _, _, held, _ in self.training)


def staffing_qualifications(in_force: OrganisationPolicy) -> list[tuple[str, str]]:
    """(rule id, qualification code) for each session staffing rule the organisation adopts."""
    wanted = []
    if in_force.adopts("PSP-4"):
        wanted.append(("PSP-4", in_force.value("PSP-4", "facilitator_qualification").code))
    if in_force.adopts("IMHP-1"):
        wanted.append(("IMHP-1", in_force.value("IMHP-1", "trained_qualification").code))
    return wanted


def facilitator_pool(group: SupportGroup, in_force: OrganisationPolicy) -> list[PoolMember]:
    """The current pool with whether each holds the training PSP-4 (and IMHP-1) names, today."""
    today = timezone.localdate()
    rows = list(
        GroupFacilitator.objects.current(today).filter(group=group).select_related("person")
    )
    wanted = staffing_qualifications(in_force)
    codes = {code for _, code in wanted}
    held: dict[tuple[int, str], dt.date | None] = {}
    if rows and codes:
        for person_id, kind, expires_on in (
            Qualification.objects.current(on=today)
            .filter(person__in=[r.person_id for r in rows], kind__in=sorted(codes))
            .order_by("expires_on")
            .values_list("person_id", "kind", "expires_on")
        ):
            # The longest-lasting current one counts (None: does not expire).
            key = (person_id, kind)
            if key not in held or expires_on is None or (held[key] or dt.date.max) < expires_on:
                held[key] = expires_on
    pool = [
        PoolMember(
            row=r,
            person=r.person,
            training=tuple(
                (
                    rule_id,
                    str(QualificationRequirement(code)),
                    (r.person_id, code) in held,
                    held.get((r.person_id, code)),
                )
                for rule_id, code in wanted
            ),
        )
        for r in rows
    ]
    return sorted(pool, key=lambda m: m.person.display_name.casefold())
