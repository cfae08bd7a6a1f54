"""Reading a running session: its structure (PSP-6), who is here, the Take Time list with last
week's guarantees first, each round's shares (PSP-7), the group's actions (PSP-8) and the
safeguarding concerns one may read (PSP-9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.services import audit_read
from commonground.groups.models import SUBJECT_TYPE, GroupMember, SupportGroup
from commonground.groupsessions import timer
from commonground.groupsessions.models import (
    HousekeepingAction,
    Round,
    SafeguardingConcern,
    TakeTime,
    Turn,
)
from commonground.meetings.kinds import PSP6_LABELS, MeetingKind
from commonground.meetings.models import Meeting, Participant
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.selectors import OrganisationPolicy

DEFAULT_STRUCTURE = tuple(PSP6_LABELS)
CONCERN_FIELDS = ("concern", "reason", "third_party_detail")


def structure(in_force: OrganisationPolicy) -> tuple[str, ...]:
    """The organisation's PSP-6 session structure, or the policy's own where PSP-6 is not in
    force (a session still has a shape)."""
    if in_force.adopts("PSP-6"):
        items: tuple[str, ...] = in_force.value("PSP-6", "session_structure").items
        return items
    return DEFAULT_STRUCTURE


def step_label(key: str) -> str:
    return PSP6_LABELS.get(key) or key.replace("_", " ").capitalize()


def slot_keys(keys: list[str] | tuple[str, ...]) -> list[str]:
    return [k for k in keys if k.startswith("taking_time")]


def round_keys(keys: list[str] | tuple[str, ...]) -> list[str]:
    """Steps with a round: the rounds themselves and each Taking Time slot's round of sharing."""
    return [k for k in keys if k.startswith("round_") or k.startswith("taking_time")]


def offer_keys(keys: list[str] | tuple[str, ...]) -> list[str]:
    return [k for k in keys if "offers" in k]


def session_group(meeting: Meeting) -> SupportGroup:
    """The group a weekly session is of; 404 for any other meeting."""
    if meeting.kind != MeetingKind.WEEKLY_SESSION or meeting.subject_type != SUBJECT_TYPE:
        raise Http404("No such session.")
    group = SupportGroup.objects.filter(
        organisation_id=meeting.organisation_id, pk=meeting.subject_id
    ).first()
    if group is None:
        raise Http404("No such session.")
    return group


def session_get(*, actor: Any, organisation: Organisation, pk: int) -> tuple[Meeting, SupportGroup]:
    """A session to run: 404 if the actor may not know the group, 403 if they may not run it."""
    meeting = (
        Meeting.objects.filter(organisation=organisation, pk=pk, kind=MeetingKind.WEEKLY_SESSION)
        .select_related("organisation")
        .first()
    )
    if meeting is None:
        raise Http404("No such session.")
    group = session_group(meeting)
    if not actor.has_perm("groups.view_group", group):
        raise Http404("No such session.")
    if not actor.has_perm("groups.run_session", group):
        raise PermissionDenied("Only the group's facilitators or the admin run its sessions.")
    return meeting, group


def group_for_actions(*, actor: Any, organisation: Organisation, pk: int) -> SupportGroup:
    group = SupportGroup.objects.filter(organisation=organisation, pk=pk).first()
    if group is None or not actor.has_perm("groups.view_group", group):
        raise Http404("No such group.")
    return group


def group_member_ids(group: SupportGroup) -> frozenset[int]:
    return frozenset(
        GroupMember.objects.current().filter(group=group).values_list("person_id", flat=True)
    )


def participants(meeting: Meeting) -> list[Participant]:
    rows = meeting.participants.select_related("person")
    return sorted(rows, key=lambda p: (not p.is_facilitator, p.person.display_name.casefold()))


def present_ids(meeting: Meeting) -> frozenset[int]:
    return frozenset(
        meeting.participants.filter(status=Participant.Status.ATTENDED).values_list(
            "person_id", flat=True
        )
    )


def session_people_ids(meeting: Meeting) -> frozenset[int]:
    return frozenset(meeting.participants.values_list("person_id", flat=True))


def walk_in_candidates(meeting: Meeting, group: SupportGroup) -> list[Person]:
    """Members of the group not invited to this session (they may turn up)."""
    there = session_people_ids(meeting)
    rows = GroupMember.objects.current().filter(group=group).select_related("person")
    return sorted(
        (m.person for m in rows if m.person_id not in there),
        key=lambda p: p.display_name.casefold(),
    )


def next_session(group: SupportGroup, meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            organisation_id=group.organisation_id,
            kind=MeetingKind.WEEKLY_SESSION,
            subject_type=SUBJECT_TYPE,
            subject_id=str(group.pk),
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=meeting.starts_at,
        )
        .order_by("starts_at")
        .first()
    )


def guarantees_due(group: SupportGroup, meeting: Meeting) -> list[HousekeepingAction]:
    """PSP-8 guarantees to Take Time made at earlier sessions of the group and not yet met."""
    return list(
        HousekeepingAction.objects.filter(
            group=group,
            kind=HousekeepingAction.Kind.GUARANTEE,
            meeting__starts_at__lt=meeting.starts_at,
            done_at__isnull=True,
        ).select_related("about")
    )


def take_time_list(meeting: Meeting) -> list[TakeTime]:
    """Who would like to Take Time today: guarantees first, then in the order offered."""
    return list(TakeTime.objects.filter(meeting=meeting).select_related("person"))


def round_speakers(meeting: Meeting, step: str) -> list[Person]:
    """Everyone present, in the order they sit on the page; in a Taking Time slot's round of
    sharing, everyone but the peer who took time (they reflect on it afterwards)."""
    taker = (
        TakeTime.objects.filter(meeting=meeting, slot=step).values_list("person_id", flat=True)
    ).first()
    return [
        p.person
        for p in participants(meeting)
        if p.status == Participant.Status.ATTENDED and p.person_id != taker
    ]


@dataclass(frozen=True)
class RoundState:
    round: Round
    turns: list[Turn]
    shares: list[int]
    current: Turn | None
    current_started_at: dt.datetime | None
    current_elapsed: int
    seconds_left: int

    @property
    def rows(self) -> list[tuple[Turn, int]]:
        return list(zip(self.turns, self.shares, strict=True))

    @property
    def current_share(self) -> int:
        if self.current is None:
            return 0
        return self.shares[self.turns.index(self.current)]


def round_state(found: Round, now: dt.datetime | None = None) -> RoundState:
    """Each peer's share of the round now (PSP-7): those finished keep what they used, those
    still to speak share the rest equally; who speaks now, and for how long so far."""
    now = now or timezone.now()
    turns = list(found.turns.select_related("person").order_by("position", "pk"))
    used = [t.used_seconds if t.state != Turn.State.WAITING else None for t in turns]
    parts = timer.shares(found.total_seconds, len(turns), used)
    current = None
    if found.finished_at is None:
        current = next((t for t in turns if t.state == Turn.State.WAITING), None)
    started = None
    elapsed = 0
    if current is not None:
        before = [t.finished_at for t in turns if t.position < current.position and t.finished_at]
        started = max([found.started_at, *before])
        elapsed = max(0, int((now - started).total_seconds()))
    left = max(0, int((found.ends_at - now).total_seconds()))
    return RoundState(found, turns, parts, current, started, elapsed, left)


def rounds_of(meeting: Meeting) -> dict[str, Round]:
    return {r.step: r for r in Round.objects.filter(meeting=meeting)}


def group_actions(group: SupportGroup) -> QuerySet[HousekeepingAction]:
    return HousekeepingAction.objects.filter(group=group).select_related(
        "owner", "about", "meeting", "next_meeting", "done_by"
    )


def action_get(*, actor: Any, organisation: Organisation, pk: int) -> HousekeepingAction:
    action = (
        HousekeepingAction.objects.filter(group__organisation=organisation, pk=pk)
        .select_related("group", "group__organisation", "owner")
        .first()
    )
    if action is None or not actor.has_perm("groups.view_group", action.group):
        raise Http404("No such action.")
    return action


def safeguarding_leads(organisation: Organisation) -> list[Person]:
    ids = (
        RoleAssignment.objects.current()
        .filter(organisation=organisation, role=Role.SAFEGUARDING_LEAD)
        .values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=ids))


def concerns_visible(*, actor: Any, organisation: Organisation) -> QuerySet[SafeguardingConcern]:
    """The safeguarding lead: every concern; anyone else: those they recorded themselves."""
    mine = standing(actor, organisation)
    rows = SafeguardingConcern.objects.filter(organisation=organisation).select_related(
        "about", "recorded_by", "meeting"
    )
    if mine.has(Role.SAFEGUARDING_LEAD):
        return rows
    if mine.person is None:
        return rows.none()
    return rows.filter(recorded_by=mine.person)


def concern_get(*, actor: Any, organisation: Organisation, pk: int) -> SafeguardingConcern:
    """One concern, for the safeguarding lead or its recorder (404 for anyone else); the read
    is audited."""
    found = concerns_visible(actor=actor, organisation=organisation).filter(pk=pk).first()
    if found is None:
        raise Http404("No such concern.")
    audit_read(actor=actor, organisation=organisation, instance=found, fields=CONCERN_FIELDS)
    return found
