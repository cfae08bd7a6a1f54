"""Reading groups: who facilitates and who belongs, today, in one query each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.access.policy import standing
from commonground.groups.models import SUBJECT_TYPE, GroupFacilitator, GroupMember, SupportGroup
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting
from commonground.people.models import Organisation, Person


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
