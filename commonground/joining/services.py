"""Every change on a peer's way into a group (PSP-1, PSP-2, PSP-3).

Each function checks the actor's permission first, validates (a refusal names the field and the
rule), and writes in one transaction with its audit entry. Joining checks every step the
organisation's adopted rules require and only then calls `groups.services.member_add`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_change
from commonground.groups import services as group_services
from commonground.groups.models import GroupMember, SupportGroup
from commonground.groups.selectors import facilitator_ids, member_ids
from commonground.joining.models import (
    ATTEMPT_SUBJECT,
    WORKSHOP_SUBJECT,
    GroupAttempt,
    NameCheckConflict,
    PeerJourney,
)
from commonground.joining.selectors import missing_steps, progress_get
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting, Participant
from commonground.meetings.services import (
    meeting_invite,
    meeting_record_attendance,
    meeting_schedule,
)
from commonground.people.models import MembershipStatus, Organisation, Person
from commonground.people.services import person_create
from commonground.policies.registry import rule
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import Duration

Action = AuditEntry.Action
NOTE_MAX = 2000


def _error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value: str, field: str, *, required: bool = False, label: str = "this") -> str:
    text = (value or "").strip()
    if required and not text:
        raise _error(field, f"Fill in {label}.", "required")
    if len(text) > NOTE_MAX:
        raise _error(field, "Keep it under %(max)s characters.", "max_length", max=NOTE_MAX)
    return text


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise _error(field, "This date is in the future; give the day it happened.", "not_future")


def _param_duration(in_force: OrganisationPolicy, rule_id: str, name: str) -> dt.timedelta:
    """A rule's length in force here (the policy's own when the rule is not adopted)."""
    value = (
        in_force.value(rule_id, name)
        if in_force.adopts(rule_id)
        else rule(rule_id).params[name].default
    )
    assert isinstance(value, Duration) and value.is_elapsed_time
    return dt.timedelta(**{value.unit: value.amount})


def workshop_length(in_force: OrganisationPolicy) -> dt.timedelta:
    return _param_duration(in_force, "PSP-1", "workshop_length")


def conversation_lengths(in_force: OrganisationPolicy) -> tuple[dt.timedelta, dt.timedelta]:
    return (
        _param_duration(in_force, "PSP-2", "usual_length_min"),
        _param_duration(in_force, "PSP-2", "usual_length_max"),
    )


def _minutes(length: dt.timedelta) -> int:
    return int(length.total_seconds() // 60)


# Enquiry --------------------------------------------------------------------------------------


def journey_enquire(
    *,
    actor: Any,
    organisation: Organisation,
    person: Person | None = None,
    full_name: str = "",
    preferred_name: str = "",
    email: str = "",
    phone: str = "",
    enquired_on: dt.date | None = None,
    note: str = "",
) -> PeerJourney:
    """Someone enquires: an existing person, or a new one added through the people services."""
    _require(
        actor,
        "joining.record_enquiry",
        organisation,
        "Only facilitators and the admin record enquiries.",
    )
    enquired_on = enquired_on or timezone.localdate()
    _not_future(enquired_on, "enquired_on")
    note = _text(note, "enquiry_note")
    full_name = (full_name or "").strip()
    if person is None and not full_name:
        raise _error(
            "full_name", "Choose someone already known, or give the new person's name.", "required"
        )
    if person is not None and full_name:
        raise _error(
            "full_name",
            "Choose someone already known or give a new name, not both.",
            "one_person",
        )
    if person is not None:
        if person.organisation_id != organisation.pk:
            raise _error("person", "Choose someone in this organisation.", "same_organisation")
        if PeerJourney.objects.filter(organisation=organisation, person=person).exists():
            raise _error(
                "person",
                "%(name)s is already on the way in; open their journey instead.",
                "journey_once",
                name=person.display_name,
            )
    with transaction.atomic():
        if person is None:
            # Enquiries reach facilitators as often as the office: the new record is added
            # through the people services, and this entry says who took the enquiry.
            by_admin = standing(actor, organisation).is_admin
            person = person_create(
                actor=actor if by_admin else None,
                organisation=organisation,
                full_name=full_name,
                preferred_name=(preferred_name or "").strip(),
                email=(email or "").strip(),
                phone=(phone or "").strip(),
                membership_status=MembershipStatus.NOT_A_MEMBER,
            )
        journey = PeerJourney.objects.create(
            organisation=organisation,
            person=person,
            enquired_on=enquired_on,
            enquiry_note=note,
            recorded_by=_user(actor),
        )
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=journey,
            action=Action.CREATE,
            changes={
                "person": [None, person.pk],
                "enquired_on": [None, enquired_on.isoformat()],
                "enquiry_note": [None, CONFIDENTIAL_MARK if note else ""],
            },
            summary="Enquiry recorded: on the way into a group",
        )
    return journey


# PSP-1: the Introduction to Group Work workshop ------------------------------------------------


def workshop_schedule(
    *,
    actor: Any,
    organisation: Organisation,
    starts_at: dt.datetime,
    facilitators: Sequence[Person],
    lead: Person | None = None,
    place: str = "",
    invite: Sequence[PeerJourney] = (),
    in_force: OrganisationPolicy | None = None,
) -> Meeting:
    """Schedule a two-hour (PSP-1's length in force) workshop; PSP-4's staffing is checked by
    the meetings module."""
    _require(
        actor,
        "joining.manage_journey",
        organisation,
        "Only facilitators and the admin schedule workshops.",
    )
    policy = in_force or organisation_policy(organisation)
    for journey in invite:
        if journey.organisation_id != organisation.pk:
            raise _error(
                "invite", "Invite people on this organisation's way in.", "same_organisation"
            )
    return meeting_schedule(
        actor=actor,
        organisation=organisation,
        kind=MeetingKind.WORKSHOP,
        starts_at=starts_at,
        duration=workshop_length(policy),
        facilitators=facilitators,
        lead=lead,
        attendees=[j.person for j in invite],
        title="Introduction to Group Work",
        place=place,
        subject=(WORKSHOP_SUBJECT, organisation.pk),
        in_force=policy,
    )


def workshop_invite(*, actor: Any, journey: PeerJourney, workshop: Meeting) -> Participant:
    _require(
        actor, "joining.manage_journey", journey, "Only facilitators and the admin invite people."
    )
    if (
        workshop.organisation_id != journey.organisation_id
        or workshop.kind != MeetingKind.WORKSHOP
        or workshop.subject_type != WORKSHOP_SUBJECT
    ):
        raise _error("workshop", "Choose one of the Introduction to Group Work workshops.", "PSP-1")
    if workshop.status != Meeting.Status.SCHEDULED or workshop.starts_at < timezone.now():
        raise _error("workshop", "Choose a workshop that has not happened yet.", "PSP-1")
    meeting_invite(actor=actor, meeting=workshop, people=[journey.person])
    return Participant.objects.get(meeting=workshop, person=journey.person)


# PSP-2: the initial conversation --------------------------------------------------------------


def _check_group(journey: PeerJourney, group: SupportGroup) -> None:
    if group.organisation_id != journey.organisation_id:
        raise _error("group", "Choose a group of this organisation.", "same_organisation")
    if not group.is_open:
        raise _error("group", "This group has closed.", "group_open")
    if journey.person_id in member_ids(group.pk):
        raise _error(
            "group",
            "%(name)s is already a member of %(group)s.",
            "group_member_once",
            name=journey.person.display_name,
            group=group.name,
        )


def conversation_warnings(length: dt.timedelta, in_force: OrganisationPolicy) -> list[str]:
    """PSP-2: usually 30 to 45 minutes. Outside that is a warning, never a refusal."""
    if not in_force.adopts("PSP-2"):
        return []
    shortest, longest = conversation_lengths(in_force)
    if shortest <= length <= longest:
        return []
    return [
        f"PSP-2: an initial conversation usually takes between {_minutes(shortest)} and "
        f"{_minutes(longest)} minutes; this one is planned for {_minutes(length)} minutes."
    ]


def conversation_arrange(
    *,
    actor: Any,
    journey: PeerJourney,
    group: SupportGroup,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    mode: str,
    facilitators: Sequence[Person],
    place: str = "",
    in_force: OrganisationPolicy | None = None,
) -> tuple[GroupAttempt, list[str]]:
    """Arrange the initial conversation with the group's facilitators (PSP-2): in person, by
    video or by telephone. Returns the attempt and any warnings for the page to show."""
    _require(
        actor,
        "groups.change_members",
        group,
        "Only the group's facilitators or the admin arrange its initial conversations.",
    )
    _check_group(journey, group)
    if mode not in GroupAttempt.Mode.values:
        raise _error("mode", "Choose in person, video call or telephone call.", "invalid_choice")
    pool = facilitator_ids(group.pk)
    outside = [p for p in facilitators if p.pk not in pool]
    if outside:
        raise _error(
            "facilitators",
            "PSP-2: the conversation is with the group's own facilitators; %(names)s %(verb)s "
            "not one of them.",
            "PSP-2",
            names=", ".join(p.display_name for p in outside),
            verb="is" if len(outside) == 1 else "are",
        )
    policy = in_force or organisation_policy(group.organisation)
    warnings = conversation_warnings(duration, policy) if isinstance(duration, dt.timedelta) else []
    with transaction.atomic():
        PeerJourney.objects.select_for_update().get(pk=journey.pk)
        attempt = GroupAttempt.objects.filter(journey=journey, group=group, closed_on=None).first()
        if (
            attempt is not None
            and attempt.conversation is not None
            and (attempt.outcome or attempt.conversation.status != Meeting.Status.CANCELLED)
        ):
            raise _error(
                "group",
                "An initial conversation with %(group)s is already arranged; record its outcome "
                "on the journey page.",
                "PSP-2",
                group=group.name,
            )
        if attempt is None:
            attempt = GroupAttempt.objects.create(
                journey=journey, group=group, mode=mode, created_by=_user(actor)
            )
        meeting = meeting_schedule(
            actor=actor,
            organisation=group.organisation,
            kind=MeetingKind.INITIAL_CONVERSATION,
            starts_at=starts_at,
            duration=duration,
            facilitators=facilitators,
            attendees=[journey.person],
            title=f"Initial conversation: {group.name}",
            place=place,
            place_confidential=True,
            subject=(ATTEMPT_SUBJECT, attempt.pk),
            in_force=policy,
        )
        attempt.conversation = meeting
        attempt.mode = mode
        attempt.save(update_fields=["conversation", "mode"])
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=attempt,
            action=Action.UPDATE,
            changes={"conversation": [None, meeting.pk], "mode": [None, mode]},
            summary=f"Initial conversation arranged ({GroupAttempt.Mode(mode).label.lower()})",
        )
    return attempt, warnings


def conversation_outcome(
    *, actor: Any, attempt: GroupAttempt, outcome: str, note: str = ""
) -> GroupAttempt:
    """PSP-2: "join" or "not now", never a score. "Not now" closes this attempt kindly."""
    _require(
        actor,
        "groups.change_members",
        attempt.group,
        "Only the group's facilitators or the admin record the conversation.",
    )
    if outcome not in GroupAttempt.Outcome.values:
        raise _error("outcome", "Choose “join” or “not now”.", "invalid_choice")
    note = _text(note, "note")
    if not attempt.is_open or attempt.outcome:
        raise _error("outcome", "The outcome of this conversation is recorded already.", "PSP-2")
    meeting = attempt.conversation
    if meeting is None or meeting.status == Meeting.Status.CANCELLED:
        raise _error("outcome", "Arrange the initial conversation first.", "PSP-2")
    if meeting.starts_at > timezone.now():
        raise _error(
            "outcome", "The outcome is recorded once the conversation has happened.", "PSP-2"
        )
    today = timezone.localdate()
    with transaction.atomic():
        locked = GroupAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.outcome:
            raise _error(
                "outcome", "The outcome of this conversation is recorded already.", "PSP-2"
            )
        if meeting.status == Meeting.Status.SCHEDULED:
            meeting_record_attendance(
                actor=actor,
                meeting=meeting,
                attendance={attempt.journey.person_id: Participant.Status.ATTENDED},
            )
        attempt.outcome = outcome
        attempt.outcome_note = note
        attempt.outcome_on = today
        attempt.outcome_by = _user(actor)
        fields = ["outcome", "outcome_note", "outcome_on", "outcome_by"]
        if outcome == GroupAttempt.Outcome.NOT_NOW:
            attempt.closed_on = today
            attempt.closed_reason = GroupAttempt.Closed.NOT_NOW
            fields += ["closed_on", "closed_reason"]
        attempt.save(update_fields=fields)
        audit_change(
            actor=actor,
            organisation=attempt.group.organisation,
            instance=attempt,
            action=Action.UPDATE,
            changes={
                "outcome": ["", outcome],
                "outcome_note": [None, CONFIDENTIAL_MARK if note else ""],
            },
            summary=f"Initial conversation: {GroupAttempt.Outcome(outcome).label.lower()}",
        )
    return attempt


# PSP-3: the name-check ------------------------------------------------------------------------


def _open(attempt: GroupAttempt, field: str) -> None:
    if not attempt.is_open:
        raise _error(field, "This way into the group has closed.", "attempt_open")


def names_declare(*, actor: Any, attempt: GroupAttempt, names: str) -> GroupAttempt:
    """The peer says whom they have, or had, a personal, social or business relationship with.
    Nothing about the group's members is shown back: "the facilitators will be in touch"."""
    _require(
        actor,
        "joining.declare_names",
        attempt.journey,
        "Only the peer or the facilitators can write this down.",
    )
    _open(attempt, "declared_names")
    names = _text(names, "declared_names")
    with transaction.atomic():
        was_checked = attempt.checked_on is not None
        attempt.declared_names = names
        attempt.declared_on = timezone.localdate()
        attempt.declared_by = _user(actor)
        # A new declaration is checked again.
        attempt.checked_on = None
        attempt.checked_by = None
        attempt.save(
            update_fields=[
                "declared_names",
                "declared_on",
                "declared_by",
                "checked_on",
                "checked_by",
            ]
        )
        audit_change(
            actor=actor,
            organisation=attempt.group.organisation,
            instance=attempt,
            action=Action.UPDATE,
            changes={
                "declared_names": [None, CONFIDENTIAL_MARK if names else "(nobody)"],
                **({"checked_on": ["checked", None]} if was_checked else {}),
            },
            summary="Name-check: relationships declared",
        )
    return attempt


def _check_permission(actor: Any, attempt: GroupAttempt) -> None:
    _require(
        actor,
        "groups.change_members",
        attempt.group,
        "Only the group's facilitators or the admin do its name-check.",
    )


def conflict_record(
    *, actor: Any, attempt: GroupAttempt, member: Person, source: str, note: str = ""
) -> NameCheckConflict:
    """A relationship with a current member (declared, or known to the facilitators): it blocks
    joining this group until that member agrees (PSP-3)."""
    _check_permission(actor, attempt)
    _open(attempt, "member")
    if source not in NameCheckConflict.Source.values:
        raise _error("source", "Choose declared by the peer or known to you.", "invalid_choice")
    note = _text(note, "note")
    if member.organisation_id != attempt.group.organisation_id or member.pk not in member_ids(
        attempt.group_id
    ):
        raise _error("member", "Choose a current member of the group.", "PSP-3")
    if attempt.conflicts.filter(member=member).exists():
        raise _error(
            "member", "A relationship with this member is recorded already.", "conflict_once"
        )
    with transaction.atomic():
        conflict = NameCheckConflict.objects.create(
            attempt=attempt, member=member, source=source, note=note, recorded_by=_user(actor)
        )
        attempt.checked_on = timezone.localdate()
        attempt.checked_by = _user(actor)
        attempt.save(update_fields=["checked_on", "checked_by"])
        audit_change(
            actor=actor,
            organisation=attempt.group.organisation,
            instance=attempt,
            action=Action.UPDATE,
            changes={
                f"conflict:{member.pk}": [None, source],
                "note": [None, CONFIDENTIAL_MARK if note else ""],
            },
            summary="Name-check: a relationship with a member recorded",
        )
    return conflict


def name_check_clear(*, actor: Any, attempt: GroupAttempt) -> GroupAttempt:
    """The facilitators checked the declaration and found no conflict (PSP-3)."""
    _check_permission(actor, attempt)
    _open(attempt, "name_check")
    if attempt.declared_on is None:
        raise _error(
            "name_check",
            "PSP-3: the peer has not yet said whom they know; check once they have.",
            "PSP-3",
        )
    if attempt.conflicts.filter(agreed_on=None).exists():
        raise _error(
            "name_check",
            "PSP-3: a relationship with a member waits on that member's agreement; record it "
            "when they agree.",
            "PSP-3",
        )
    with transaction.atomic():
        attempt.checked_on = timezone.localdate()
        attempt.checked_by = _user(actor)
        attempt.save(update_fields=["checked_on", "checked_by"])
        audit_change(
            actor=actor,
            organisation=attempt.group.organisation,
            instance=attempt,
            action=Action.UPDATE,
            changes={"checked_on": [None, attempt.checked_on.isoformat()]},
            summary="Name-check: no conflict",
        )
    return attempt


def conflict_agree(
    *, actor: Any, conflict: NameCheckConflict, agreed_on: dt.date | None = None
) -> NameCheckConflict:
    """The existing member agrees to the peer joining (PSP-3: the group knowingly accepts it)."""
    attempt = conflict.attempt
    _check_permission(actor, attempt)
    _open(attempt, "agreed_on")
    agreed_on = agreed_on or timezone.localdate()
    _not_future(agreed_on, "agreed_on")
    if not conflict.waiting:
        raise _error("agreed_on", "The member's agreement is recorded already.", "PSP-3")
    with transaction.atomic():
        conflict.agreed_on = agreed_on
        conflict.agreement_recorded_by = _user(actor)
        conflict.save(update_fields=["agreed_on", "agreement_recorded_by"])
        audit_change(
            actor=actor,
            organisation=attempt.group.organisation,
            instance=attempt,
            action=Action.UPDATE,
            changes={f"conflict:{conflict.member_id}": ["waiting", f"agreed {agreed_on}"]},
            summary="Name-check: the member agreed",
        )
    return conflict


# Joining --------------------------------------------------------------------------------------


def peer_join(
    *,
    actor: Any,
    journey: PeerJourney,
    group: SupportGroup,
    in_force: OrganisationPolicy | None = None,
) -> GroupMember:
    """Join the group, once every step the organisation's adopted rules require is done.

    Refused with one message per missing step (field and rule). Two facilitators pressing join
    at once make one membership: the journey is locked, and the second is told they joined."""
    _require(
        actor,
        "groups.change_members",
        group,
        "Only the group's facilitators or the admin can add someone to it.",
    )
    if group.organisation_id != journey.organisation_id:
        raise _error("group", "Choose a group of this organisation.", "same_organisation")
    policy = in_force or organisation_policy(group.organisation)
    with transaction.atomic():
        PeerJourney.objects.select_for_update().get(pk=journey.pk)
        _check_group(journey, group)
        progress = progress_get(
            PeerJourney.objects.select_related("person").get(pk=journey.pk), policy
        )
        attempt = next((a for a in progress.open_attempts if a.group_id == group.pk), None)
        missing = missing_steps(progress, group, attempt)
        if missing:
            errors: dict[str, list[ValidationError]] = {}
            for step in missing:
                errors.setdefault(step.field, []).append(
                    ValidationError(step.message, code=step.rule_id)
                )
            raise ValidationError(errors)
        if attempt is None:
            attempt = GroupAttempt.objects.create(
                journey=journey, group=group, created_by=_user(actor)
            )
        member = group_services.member_add(actor=actor, group=group, person=journey.person)
        attempt.closed_on = member.starts_on
        attempt.closed_reason = GroupAttempt.Closed.JOINED
        attempt.member = member
        attempt.save(update_fields=["closed_on", "closed_reason", "member"])
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=attempt,
            action=Action.UPDATE,
            changes={"closed_reason": ["", "joined"], "member": [None, member.pk]},
            summary=f"Joined {group.name} after the way in",
        )
    return member
