"""Every change to a group, its pool of facilitators, its members and its weekly sessions.

Each function checks the actor's permission, validates, writes in one transaction with its audit
entry. Becoming a member is not here for pages to call directly: the way in (PSP-1..3, the
`joining` module) checks every step and then calls `member_add`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_change, creation_changes
from commonground.groups.models import SUBJECT_TYPE, GroupFacilitator, GroupMember, SupportGroup
from commonground.groups.selectors import current_members, facilitator_ids, last_scheduled_start
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_schedule
from commonground.meetings.staffing import StaffingProblem, refusals, staffing_check, warnings
from commonground.people.models import Organisation, Person
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import LONDON

Action = AuditEntry.Action
NAME_MAX = 120
TEXT_MAX = 2000
VENUE_MAX = 300
# How many weekly sessions may be scheduled in one go.
WEEKS_MAX = 12


def _error(field: str | None, message: str, code: str, **params: Any) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _clean_fields(
    *,
    name: str,
    description: str,
    weekday: int,
    start_time: dt.time,
    duration: dt.timedelta,
    venue: str,
) -> dict[str, Any]:
    name = (name or "").strip()
    if not name:
        raise _error("name", "Give the group a name.", "required")
    if len(name) > NAME_MAX:
        raise _error("name", "Keep the name under %(max)s characters.", "max_length", max=NAME_MAX)
    if len(description or "") > TEXT_MAX:
        raise _error(
            "description",
            "Keep the description under %(max)s characters.",
            "max_length",
            max=TEXT_MAX,
        )
    if len(venue or "") > VENUE_MAX:
        raise _error(
            "venue", "Keep the venue under %(max)s characters.", "max_length", max=VENUE_MAX
        )
    if weekday not in range(7):
        raise _error("weekday", "Choose a day of the week.", "invalid_choice")
    if not isinstance(start_time, dt.time):
        raise _error("start_time", "Give the time the group starts.", "required")
    if not isinstance(duration, dt.timedelta) or not (
        dt.timedelta(minutes=15) <= duration <= dt.timedelta(hours=8)
    ):
        raise _error(
            "duration", "A session lasts between 15 minutes and 8 hours.", "session_length"
        )
    return {
        "name": name,
        "description": (description or "").strip(),
        "weekday": weekday,
        "start_time": start_time,
        "duration": duration,
        "venue": (venue or "").strip(),
    }


def group_create(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    weekday: int,
    start_time: dt.time,
    duration: dt.timedelta = dt.timedelta(hours=2),
    venue: str = "",
    description: str = "",
) -> SupportGroup:
    _require(actor, "groups.add_group", organisation, "Only the admin can set up a group.")
    fields = _clean_fields(
        name=name,
        description=description,
        weekday=weekday,
        start_time=start_time,
        duration=duration,
        venue=venue,
    )
    try:
        with transaction.atomic():
            group = SupportGroup.objects.create(
                organisation=organisation,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                **fields,
            )
            audit_change(
                actor=actor,
                organisation=organisation,
                instance=group,
                action=Action.CREATE,
                changes=creation_changes(group, list(fields)),
                summary="Group set up",
            )
    except IntegrityError as exc:
        raise _error(
            "name", "There is already a group called %(name)s.", "unique", name=fields["name"]
        ) from exc
    return group


def group_update(
    *,
    actor: Any,
    group: SupportGroup,
    name: str,
    weekday: int,
    start_time: dt.time,
    duration: dt.timedelta,
    venue: str = "",
    description: str = "",
) -> SupportGroup:
    _require(actor, "groups.change_group", group, "Only the admin can change a group.")
    fields = _clean_fields(
        name=name,
        description=description,
        weekday=weekday,
        start_time=start_time,
        duration=duration,
        venue=venue,
    )
    changes = {
        k: [str(getattr(group, k)), str(v)] for k, v in fields.items() if getattr(group, k) != v
    }
    if not changes:
        return group
    try:
        with transaction.atomic():
            SupportGroup.objects.filter(pk=group.pk).update(updated_at=timezone.now(), **fields)
            audit_change(
                actor=actor,
                organisation=group.organisation,
                instance=group,
                action=Action.UPDATE,
                changes=changes,
                summary="Group changed",
            )
    except IntegrityError as exc:
        raise _error(
            "name", "There is already a group called %(name)s.", "unique", name=fields["name"]
        ) from exc
    group.refresh_from_db()
    return group


def group_close(
    *, actor: Any, group: SupportGroup, closed_on: dt.date, reason: str
) -> SupportGroup:
    _require(actor, "groups.change_group", group, "Only the admin can close a group.")
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "Say why the group is closing.", "required")
    if group.closed_on is not None:
        raise _error("closed_on", "This group is already closed.", "group_open")
    with transaction.atomic():
        group.closed_on = closed_on
        group.save(update_fields=["closed_on", "updated_at"])
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=group,
            action=Action.UPDATE,
            changes={"closed_on": [None, closed_on.isoformat()]},
            summary="Group closed",
            reason=reason,
        )
    return group


def _same_organisation(group: SupportGroup, person: Person, field: str) -> None:
    if person.organisation_id != group.organisation_id:
        raise _error(field, "Choose someone in this organisation.", "same_organisation")


def facilitator_add(
    *, actor: Any, group: SupportGroup, person: Person, starts_on: dt.date | None = None
) -> GroupFacilitator:
    """Add a peer to the group's pool of facilitators (PSP-4 counts the trained ones)."""
    _require(
        actor,
        "groups.change_facilitators",
        group,
        "Only the admin can change a group's facilitators.",
    )
    _same_organisation(group, person, "person")
    if person.pk in facilitator_ids(group.pk):
        raise _error(
            "person",
            "%(name)s already facilitates this group.",
            "group_facilitator_once",
            name=person.display_name,
        )
    try:
        with transaction.atomic():
            row = GroupFacilitator.objects.create(
                group=group, person=person, starts_on=starts_on or timezone.localdate()
            )
            audit_change(
                actor=actor,
                organisation=group.organisation,
                instance=group,
                action=Action.UPDATE,
                changes={f"facilitator:{person.pk}": [None, row.starts_on.isoformat()]},
                summary=f"{person.display_name} joined the pool of facilitators",
            )
    except IntegrityError as exc:
        raise _error(
            "person", "They already facilitate this group.", "group_facilitator_once"
        ) from exc
    return row


def facilitator_end(
    *, actor: Any, facilitator: GroupFacilitator, ends_on: dt.date | None = None, reason: str = ""
) -> GroupFacilitator:
    group = facilitator.group
    _require(
        actor,
        "groups.change_facilitators",
        group,
        "Only the admin can change a group's facilitators.",
    )
    ends_on = ends_on or timezone.localdate()
    if facilitator.ends_on is not None:
        raise _error(
            "ends_on", "They have already stopped facilitating.", "group_facilitator_current"
        )
    if ends_on < facilitator.starts_on:
        raise _error("ends_on", "The end cannot come before the start.", "dates_in_order")
    with transaction.atomic():
        facilitator.ends_on = ends_on
        facilitator.save(update_fields=["ends_on"])
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=group,
            action=Action.UPDATE,
            changes={f"facilitator:{facilitator.person_id}": [None, f"ends {ends_on.isoformat()}"]},
            summary=f"{facilitator.person.display_name} left the pool of facilitators",
            reason=(reason or "").strip(),
        )
    return facilitator


def member_add(
    *, actor: Any, group: SupportGroup, person: Person, starts_on: dt.date | None = None
) -> GroupMember:
    """Make `person` a member of `group`. Only the way in calls this, after checking every step
    (PSP-1 workshop, PSP-2 initial conversation, PSP-3 name-check)."""
    _require(
        actor, "groups.change_members", group, "Only the group's facilitators can add members."
    )
    _same_organisation(group, person, "person")
    if not group.is_open:
        raise _error("group", "This group has closed.", "group_open")
    try:
        with transaction.atomic():
            member = GroupMember.objects.create(
                group=group, person=person, starts_on=starts_on or timezone.localdate()
            )
            audit_change(
                actor=actor,
                organisation=group.organisation,
                instance=group,
                action=Action.UPDATE,
                changes={f"member:{person.pk}": [None, member.starts_on.isoformat()]},
                summary="A peer joined the group",
            )
    except IntegrityError as exc:
        raise _error(
            "person",
            "%(name)s is already a member of this group.",
            "group_member_once",
            name=person.display_name,
        ) from exc
    return member


def member_leave(
    *, actor: Any, member: GroupMember, ends_on: dt.date | None = None, reason: str = ""
) -> GroupMember:
    """A peer leaves the group (PSP-10): by themselves, or recorded by a facilitator."""
    group = member.group
    own = getattr(actor, "is_authenticated", False) and member.person.user_id == actor.pk
    if not own:
        _require(
            actor,
            "groups.change_members",
            group,
            "Only the peer themselves or the group's facilitators can record leaving.",
        )
    ends_on = ends_on or timezone.localdate()
    reason = (reason or "").strip()
    if len(reason) > TEXT_MAX:
        raise _error("reason", "Keep it under %(max)s characters.", "max_length", max=TEXT_MAX)
    if member.ends_on is not None:
        raise _error("ends_on", "They have already left this group.", "group_member_current")
    if ends_on < member.starts_on:
        raise _error("ends_on", "Leaving cannot come before joining.", "dates_in_order")
    with transaction.atomic():
        member.ends_on = ends_on
        member.end_reason = reason
        member.save(update_fields=["ends_on", "end_reason"])
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=group,
            action=Action.UPDATE,
            changes={
                f"member:{member.person_id}": [None, f"left {ends_on.isoformat()}"],
                "end_reason": [None, CONFIDENTIAL_MARK if reason else ""],
            },
            summary="A peer left the group",
        )
    return member


def next_session_start(group: SupportGroup, after: dt.datetime | None = None) -> dt.datetime:
    """The next start of the group's weekly slot after `after` (Europe/London wall time)."""
    now = timezone.localtime(after or timezone.now(), LONDON)
    day = now.date() + dt.timedelta(days=(group.weekday - now.weekday()) % 7)
    start = dt.datetime.combine(day, group.start_time, tzinfo=LONDON)
    if start <= now:
        start = dt.datetime.combine(day + dt.timedelta(days=7), group.start_time, tzinfo=LONDON)
    return start


def session_schedule(
    *,
    actor: Any,
    group: SupportGroup,
    facilitators: Sequence[Person],
    starts_at: dt.datetime | None = None,
    lead: Person | None = None,
    in_force: OrganisationPolicy | None = None,
) -> Meeting:
    """Schedule one session of the group, every current member invited. Staffing is checked by
    the meetings module from the organisation's rules (PSP-4, IMHP-1): refused where a rule
    refuses, warnings left for the page to show; rechecked before the day."""
    _require(
        actor,
        "groups.schedule_session",
        group,
        "Only the group's facilitators or the admin can schedule its sessions.",
    )
    if not group.is_open:
        raise _error("group", "This group has closed.", "group_open")
    pool = facilitator_ids(group.pk)
    outside = [p for p in facilitators if p.pk not in pool]
    if outside:
        raise _error(
            "facilitators",
            "%(names)s %(verb)s not in this group's pool of facilitators.",
            "group_facilitator",
            names=", ".join(p.display_name for p in outside),
            verb="is" if len(outside) == 1 else "are",
        )
    starts_at = starts_at or next_session_start(group)
    facilitator_pks = {p.pk for p in facilitators}
    attendees = [m.person for m in current_members(group) if m.person_id not in facilitator_pks]
    return meeting_schedule(
        actor=actor,
        organisation=group.organisation,
        kind=MeetingKind.WEEKLY_SESSION,
        starts_at=starts_at,
        duration=group.duration,
        facilitators=facilitators,
        lead=lead,
        attendees=attendees,
        title=f"{group.name}: weekly session",
        place=group.venue,
        subject=(SUBJECT_TYPE, group.pk),
        in_force=in_force or organisation_policy(group.organisation),
    )


def session_starts(group: SupportGroup, weeks: int = 1) -> list[dt.datetime]:
    """The starts of the group's next `weeks` sessions after the last one already scheduled
    (or after now), each on the group's weekday and time (Europe/London wall time)."""
    now = timezone.now()
    latest = last_scheduled_start(group)
    first = next_session_start(group, max(now, latest) if latest else now)
    day = first.date()
    return [
        dt.datetime.combine(day + dt.timedelta(weeks=n), group.start_time, tzinfo=LONDON)
        for n in range(weeks)
    ]


def sessions_check(
    *,
    group: SupportGroup,
    facilitators: Sequence[Person],
    starts: Sequence[dt.datetime],
    in_force: OrganisationPolicy | None = None,
) -> list[tuple[dt.datetime, list[StaffingProblem]]]:
    """The meetings staffing check (PSP-4, IMHP-1 where adopted) for each session's own day."""
    policy = in_force or organisation_policy(group.organisation)
    return [
        (
            start,
            staffing_check(
                in_force=policy,
                kind=MeetingKind.WEEKLY_SESSION,
                on=timezone.localtime(start, LONDON).date(),
                facilitators=facilitators,
            ),
        )
        for start in starts
    ]


def _day_text(start: dt.datetime) -> str:
    local = timezone.localtime(start, LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}"


def sessions_schedule(
    *,
    actor: Any,
    group: SupportGroup,
    facilitators: Sequence[Person],
    weeks: int = 1,
    lead: Person | None = None,
    confirmed: bool = False,
    in_force: OrganisationPolicy | None = None,
) -> list[Meeting]:
    """Schedule the group's next `weeks` sessions with the same facilitators, all or none.

    Every date is checked first (PSP-4, IMHP-1 as the organisation adopts them): a rule that
    refuses refuses the whole request, naming the rule and the day; a warning needs `confirmed`
    (field "confirm", code the rule id)."""
    _require(
        actor,
        "groups.schedule_session",
        group,
        "Only the group's facilitators or the admin can schedule its sessions.",
    )
    if not isinstance(weeks, int) or isinstance(weeks, bool) or not 1 <= weeks <= WEEKS_MAX:
        raise _error(
            "weeks", "Schedule between 1 and %(max)s weeks at a time.", "weeks_range", max=WEEKS_MAX
        )
    if not group.is_open:
        raise _error("group", "This group has closed.", "group_open")
    policy = in_force or organisation_policy(group.organisation)
    starts = session_starts(group, weeks)
    checked = sessions_check(group=group, facilitators=facilitators, starts=starts, in_force=policy)
    refused = [
        ValidationError(
            "%(rule)s on %(day)s: %(message)s",
            code=p.rule_id,
            params={"rule": p.rule_id, "day": _day_text(start), "message": p.message},
        )
        for start, problems in checked
        for p in refusals(problems)
    ]
    if refused:
        raise ValidationError({"facilitators": refused})
    warned = [(start, p) for start, problems in checked for p in warnings(problems)]
    if warned and not confirmed:
        raise ValidationError(
            {
                "confirm": [
                    ValidationError(
                        "%(rule)s on %(day)s: %(message)s Confirm to schedule anyway.",
                        code=p.rule_id,
                        params={"rule": p.rule_id, "day": _day_text(start), "message": p.message},
                    )
                    for start, p in warned
                ]
            }
        )
    with transaction.atomic():
        return [
            session_schedule(
                actor=actor,
                group=group,
                facilitators=facilitators,
                starts_at=start,
                lead=lead,
                in_force=policy,
            )
            for start in starts
        ]
