"""Every change to a meeting goes through one of these functions.

Each checks the actor's permission and the organisation's staffing rules, writes in one
transaction with its audit entry (old and new values; confidential ones masked), and queues
notifications in that same transaction. Bad input raises ValidationError naming the field and
the rule or code; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_change, creation_changes, diff
from commonground.meetings.kinds import MeetingKind, kind_spec
from commonground.meetings.models import (
    CalendarFeedToken,
    Meeting,
    MeetingOutcome,
    Participant,
    hash_feed_token,
)
from commonground.meetings.rules import participation
from commonground.meetings.selectors import notes_template
from commonground.meetings.signals import attendance_recorded
from commonground.meetings.staffing import (
    StaffingProblem,
    counted_facilitators,
    meeting_staffing,
    raise_if_refused,
    refusals,
    staffing_check,
)
from commonground.notifications.services import notify
from commonground.obligations.services import obligation_meet
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import LONDON

Action = AuditEntry.Action
Subject = models.Model | tuple[str, Any]

MAX_DURATION = dt.timedelta(hours=12)
TITLE_MAX = 200
TEXT_MAX = 20_000
REASON_MAX = 2000
# How many days ahead the staffing recheck looks (the worker runs it daily).
RECHECK_DAYS = int(getattr(settings, "MEETINGS_RECHECK_DAYS", 7))
NOT_THERE = Participant.NOT_THERE


def _error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _link(meeting: Meeting) -> str:
    return reverse(
        "meetings:meeting_detail", kwargs={"org": meeting.organisation.slug, "pk": meeting.pk}
    )


def when_text(meeting: Meeting) -> str:
    local = timezone.localtime(meeting.starts_at, LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"


def _check_when(starts_at: Any, duration: Any) -> None:
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise _error(
            "starts_at", "Give the date and time the meeting starts.", "meeting_time_aware"
        )
    if not isinstance(duration, dt.timedelta) or not (dt.timedelta(0) < duration <= MAX_DURATION):
        raise _error(
            "duration",
            "A meeting lasts more than no time and at most %(hours)s hours.",
            "meeting_duration",
            hours=int(MAX_DURATION.total_seconds() // 3600),
        )


def _clean_title(title: str, kind: str) -> str:
    title = (title or "").strip() or str(MeetingKind(kind).label)
    if len(title) > TITLE_MAX:
        raise _error(
            "title", "Keep the title under %(max)s characters.", "max_length", max=TITLE_MAX
        )
    return title


def _people(organisation: Organisation, people: Iterable[Person], field: str) -> list[Person]:
    """The people in order, once each, all from `organisation`."""
    seen: dict[int, Person] = {}
    for person in people:
        if person.organisation_id != organisation.pk:
            raise _error(
                field,
                "Everyone at a meeting must be in %(org)s.",
                "meeting_person_in_organisation",
                org=organisation.name,
            )
        seen.setdefault(person.pk, person)
    return list(seen.values())


def _lead(facilitators: Sequence[Person], lead: Person | None) -> Person:
    if not facilitators:
        raise _error(
            "facilitators", "Choose who facilitates the meeting.", "meeting_needs_a_facilitator"
        )
    if lead is None:
        return facilitators[0]
    if lead.pk not in {p.pk for p in facilitators}:
        raise _error(
            "lead", "The lead facilitator must be one of the facilitators.", "meeting_lead"
        )
    return lead


def _not_overlapping(facilitators: Sequence[Person], attendees: Sequence[Person]) -> None:
    both = {p.pk for p in facilitators} & {p.pk for p in attendees}
    if both:
        raise _error(
            "attendees",
            "Someone cannot both facilitate and attend; choose one for each person.",
            "meeting_attendee_not_facilitator",
        )


def _must_be_scheduled(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.SCHEDULED:
        raise _error(
            "status",
            "This meeting is %(status)s already.",
            "meeting_scheduled",
            status=meeting.get_status_display().lower(),
        )


def _place_text(meeting: Meeting) -> str:
    if not meeting.place:
        return "Place: not set yet."
    if meeting.place_confidential:
        # Messages travel by email and text: a confidential place stays on the meeting page.
        return "Place: shown on the meeting page to those taking part."
    return f"Place: {meeting.place}."


def _notify_participants(
    meeting: Meeting, people: Iterable[Person], *, kind: str, key: str, subject: str, lead: str
) -> None:
    recipients = list(people)
    if not recipients:
        return
    notify(
        organisation=meeting.organisation,
        recipients=recipients,
        kind=kind,
        dedupe_key=f"meeting:{meeting.pk}:{key}",
        subject=subject,
        body=f"{lead}\n\n{meeting.title}\n{when_text(meeting)}\n{_place_text(meeting)}",
        link=_link(meeting),
    )


def _others(people: Iterable[Person], actor: Any) -> list[Person]:
    user = _user(actor)
    return [p for p in people if user is None or p.user_id != user.pk]


def _organisers(meeting: Meeting) -> list[Person]:
    """Who hears about a staffing problem: the facilitators still expected, and the admins."""
    people = {p.pk: p for p in counted_facilitators(meeting)}
    for admin in (
        Person.objects.filter(
            organisation=meeting.organisation,
            roles__in=RoleAssignment.objects.current().filter(role=Role.ORG_ADMIN),
        )
        .distinct()
        .order_by("pk")
    ):
        people.setdefault(admin.pk, admin)
    return list(people.values())


def _alert_staffing(meeting: Meeting, problems: Iterable[StaffingProblem]) -> int:
    """One alert per meeting and problem: the dedupe key names both, so re-runs add nothing."""
    refused = refusals(problems)
    if not refused:
        return 0
    organisers = _organisers(meeting)
    day = meeting.local_day
    for problem in refused:
        notify(
            organisation=meeting.organisation,
            recipients=organisers,
            kind="meeting.staffing",
            dedupe_key=(
                f"meeting:{meeting.pk}:staffing:{meeting.sequence}:{problem.rule_id}:{problem.code}"
            ),
            subject=f"{problem.rule_id}: {meeting.title} on {day.day} {day:%B} needs staffing",
            body=(
                f"{meeting.title}, {when_text(meeting)}, is not staffed as the policy says.\n\n"
                f"{problem.rule_id}: {problem.message}\n\n"
                "Change the facilitators, or move or cancel the meeting."
            ),
            link=_link(meeting),
        )
    return len(refused)


# Scheduling and changing ----------------------------------------------------------------------


def meeting_schedule(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    facilitators: Sequence[Person],
    lead: Person | None = None,
    attendees: Sequence[Person] = (),
    title: str = "",
    place: str = "",
    place_confidential: bool = False,
    subject: Subject | None = None,
    meets_rule_id: str = "",
    meets_key: str = "",
    in_force: OrganisationPolicy | None = None,
) -> Meeting:
    """Schedule a meeting. Refused (field "facilitators", code the rule id) if the staffing
    breaks a rule the organisation adopts; warnings are left for the page to show."""
    _require(
        actor,
        "meetings.add_meeting",
        organisation,
        "Only those who coordinate the organisation's work can schedule meetings.",
    )
    if kind not in MeetingKind.values:
        raise _error("kind", "Choose a listed kind of meeting.", "invalid_choice")
    title = _clean_title(title, kind)
    _check_when(starts_at, duration)
    place = (place or "").strip()
    if len(place) > REASON_MAX:
        raise _error(
            "place", "Keep the place under %(max)s characters.", "max_length", max=REASON_MAX
        )
    facilitator_list = _people(organisation, facilitators, "facilitators")
    lead = _lead(facilitator_list, lead)
    attendee_list = _people(organisation, attendees, "attendees")
    _not_overlapping(facilitator_list, attendee_list)
    subject_type, subject_id = ("", "")
    if subject is not None:
        subject_type, subject_id = (
            (subject[0], str(subject[1]))
            if isinstance(subject, tuple)
            else (subject._meta.label_lower, str(subject.pk))
        )
    if meets_rule_id and not subject_type:
        raise _error(
            "meets_rule_id",
            "A meeting meets an obligation on the record it is about; give that record.",
            "meeting_subject_needed",
        )
    policy = in_force or organisation_policy(organisation)
    day = timezone.localtime(starts_at, LONDON).date()
    problems = staffing_check(in_force=policy, kind=kind, on=day, facilitators=facilitator_list)
    raise_if_refused(problems)
    with transaction.atomic():
        meeting = Meeting(
            organisation=organisation,
            kind=kind,
            title=title,
            starts_at=starts_at,
            duration=duration,
            place=place,
            place_confidential=bool(place_confidential),
            subject_type=subject_type,
            subject_id=subject_id,
            meets_rule_id=meets_rule_id,
            meets_key=meets_key,
            created_by=_user(actor),
        )
        meeting.full_clean()
        meeting.save()
        Participant.objects.bulk_create(
            [
                Participant(
                    meeting=meeting,
                    person=person,
                    role=Participant.Role.LEAD if person.pk == lead.pk else Participant.Role.CO,
                )
                for person in facilitator_list
            ]
            + [
                Participant(meeting=meeting, person=person, role=Participant.Role.ATTENDEE)
                for person in attendee_list
            ]
        )
        changes = creation_changes(
            meeting,
            (
                "kind",
                "title",
                "starts_at",
                "duration",
                "place",
                "place_confidential",
                "subject_type",
                "subject_id",
                "meets_rule_id",
            ),
        )
        changes["facilitators"] = [None, [p.pk for p in facilitator_list]]
        changes["lead"] = [None, lead.pk]
        changes["attendees"] = [None, [p.pk for p in attendee_list]]
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=meeting,
            action=Action.CREATE,
            changes=changes,
            summary=f"Meeting scheduled: {meeting.get_kind_display()}",
        )
        _notify_participants(
            meeting,
            _others([*facilitator_list, *attendee_list], actor),
            kind="meeting.invitation",
            key="invited:0",
            subject=f"Invitation: {meeting.title}",
            lead="You are invited to a meeting.",
        )
    return meeting


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("organisation").get(pk=meeting.pk)


def meeting_reschedule(
    *,
    actor: Any,
    meeting: Meeting,
    starts_at: dt.datetime | None = None,
    duration: dt.timedelta | None = None,
    title: str | None = None,
    place: str | None = None,
    place_confidential: bool | None = None,
    reason: str = "",
) -> Meeting:
    """Move the meeting or change its details. A new date is checked against the staffing
    rules again (qualifications must be current on the new day)."""
    _require(
        actor,
        "meetings.manage_meeting",
        meeting,
        "Only its facilitators or the admin can change it.",
    )
    if (place is not None or place_confidential is not None) and not actor.has_perm(
        "meetings.view_place", meeting
    ):
        raise PermissionDenied("The place is confidential to those taking part.")
    _must_be_scheduled(meeting)
    values: dict[str, Any] = {}
    if starts_at is not None:
        values["starts_at"] = starts_at
    if duration is not None:
        values["duration"] = duration
    if title is not None:
        values["title"] = _clean_title(title, meeting.kind)
    if place is not None:
        values["place"] = place.strip()
    if place_confidential is not None:
        values["place_confidential"] = bool(place_confidential)
    _check_when(
        values.get("starts_at", meeting.starts_at), values.get("duration", meeting.duration)
    )
    with transaction.atomic():
        meeting = _locked(meeting)
        _must_be_scheduled(meeting)
        before = {name: getattr(meeting, name) for name in values}
        for name, value in values.items():
            setattr(meeting, name, value)
        changes = diff(meeting, before)
        if not changes:
            return meeting
        if "starts_at" in changes:
            raise_if_refused(
                meeting_staffing(
                    meeting=meeting, in_force=organisation_policy(meeting.organisation)
                )
            )
        meeting.sequence += 1
        meeting.full_clean()
        meeting.save(update_fields=[*changes, "sequence", "updated_at"])
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=meeting,
            action=Action.UPDATE,
            changes=changes,
            summary="Meeting changed",
            reason=reason.strip(),
        )
        if {"starts_at", "duration", "place", "place_confidential"} & set(changes):
            _notify_participants(
                meeting,
                _others((p.person for p in meeting.participants.select_related("person")), actor),
                kind="meeting.changed",
                key=f"changed:{meeting.sequence}",
                subject=f"Changed: {meeting.title}",
                lead="A meeting you are part of has changed.",
            )
    return meeting


def meeting_set_facilitators(
    *,
    actor: Any,
    meeting: Meeting,
    facilitators: Sequence[Person],
    lead: Person | None = None,
    reason: str = "",
) -> Meeting:
    """Replace who facilitates. Refused if the new team breaks an adopted staffing rule."""
    _require(
        actor,
        "meetings.manage_meeting",
        meeting,
        "Only its facilitators or the admin can change who facilitates.",
    )
    _must_be_scheduled(meeting)
    organisation = meeting.organisation
    facilitator_list = _people(organisation, facilitators, "facilitators")
    lead = _lead(facilitator_list, lead)
    with transaction.atomic():
        meeting = _locked(meeting)
        current = {p.person_id: p for p in meeting.participants.select_related("person")}
        attendees = [p.person for p in current.values() if not p.is_facilitator]
        _not_overlapping(facilitator_list, attendees)
        # Those who have sent apologies stay out of the count until they say otherwise.
        expected = [
            p
            for p in facilitator_list
            if p.pk not in current or current[p.pk].status not in NOT_THERE
        ]
        raise_if_refused(
            staffing_check(
                in_force=organisation_policy(organisation),
                kind=meeting.kind,
                on=meeting.local_day,
                facilitators=expected,
            )
        )
        old = [pid for pid, p in current.items() if p.is_facilitator]
        old_lead = next(
            (pid for pid, p in current.items() if p.role == Participant.Role.LEAD), None
        )
        new = [p.pk for p in facilitator_list]
        if sorted(old) == sorted(new) and old_lead == lead.pk:
            return meeting
        Participant.objects.filter(meeting=meeting, person_id__in=set(old) - set(new)).delete()
        Participant.objects.filter(meeting=meeting, person_id__in=new).update(
            role=Participant.Role.CO
        )
        added = [p for p in facilitator_list if p.pk not in current]
        Participant.objects.bulk_create(
            [Participant(meeting=meeting, person=p, role=Participant.Role.CO) for p in added]
        )
        Participant.objects.filter(meeting=meeting, person=lead).update(role=Participant.Role.LEAD)
        meeting.sequence += 1
        meeting.save(update_fields=["sequence", "updated_at"])
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=meeting,
            action=Action.UPDATE,
            changes={"facilitators": [sorted(old), sorted(new)], "lead": [old_lead, lead.pk]},
            summary="Facilitators changed",
            reason=reason.strip(),
        )
        _notify_participants(
            meeting,
            _others(added, actor),
            kind="meeting.invitation",
            key=f"invited:{meeting.sequence}",
            subject=f"You are facilitating: {meeting.title}",
            lead="You have been asked to facilitate a meeting.",
        )
    return meeting


def meeting_invite(*, actor: Any, meeting: Meeting, people: Sequence[Person]) -> list[Participant]:
    """Invite attendees. Those invited already are left as they are."""
    _require(
        actor, "meetings.manage_meeting", meeting, "Only its facilitators or the admin can invite."
    )
    _must_be_scheduled(meeting)
    invitees = _people(meeting.organisation, people, "people")
    if not invitees:
        raise _error("people", "Choose who to invite.", "required")
    with transaction.atomic():
        meeting = _locked(meeting)
        current = {p.person_id: p for p in meeting.participants.all()}
        if any(current[p.pk].is_facilitator for p in invitees if p.pk in current):
            raise _error(
                "people",
                "Someone chosen facilitates this meeting already.",
                "meeting_attendee_not_facilitator",
            )
        new = [p for p in invitees if p.pk not in current]
        rows = Participant.objects.bulk_create(
            [Participant(meeting=meeting, person=p, role=Participant.Role.ATTENDEE) for p in new]
        )
        if new:
            audit_change(
                actor=actor,
                organisation=meeting.organisation,
                instance=meeting,
                action=Action.UPDATE,
                changes={"attendees_added": [None, [p.pk for p in new]]},
                summary=f"{len(new)} invited",
            )
            _notify_participants(
                meeting,
                _others(new, actor),
                kind="meeting.invitation",
                key=f"invited:{meeting.sequence}",
                subject=f"Invitation: {meeting.title}",
                lead="You are invited to a meeting.",
            )
    return rows


def meeting_record_apologies(
    *, actor: Any, meeting: Meeting, person: Person, reason: str = "", received_by: str = ""
) -> Participant:
    """Record that `person` cannot come: by themselves, or by a facilitator or the admin on
    their behalf (a text message or call received, PSP-10). A facilitator's apologies are checked
    against the staffing rules at once and the organisers alerted if the meeting now fails."""
    own = standing(actor, meeting.organisation).person
    by_self = own is not None and own.pk == person.pk
    if not actor.has_perm("meetings.view_meeting", meeting):
        raise PermissionDenied("You are not part of this meeting.")
    if not by_self and not actor.has_perm("meetings.manage_meeting", meeting):
        raise PermissionDenied("You can send apologies only for yourself.")
    if len(reason or "") > REASON_MAX or len(received_by or "") > 100:
        raise _error("reason", "Keep it shorter, please.", "max_length")
    _must_be_scheduled(meeting)
    with transaction.atomic():
        meeting = _locked(meeting)
        participant = participation(person, meeting)
        if participant is None:
            raise _error(
                "person",
                "%(name)s is not invited to this meeting.",
                "meeting_participant",
                name=person.display_name,
            )
        old = participant.status
        participant.status = Participant.Status.APOLOGIES
        participant.apologies_reason = (reason or "").strip()
        participant.apologies_received_by = "" if by_self else (received_by or "").strip()
        participant.responded_at = timezone.now()
        participant.save(
            update_fields=["status", "apologies_reason", "apologies_received_by", "responded_at"]
        )
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=meeting,
            action=Action.UPDATE,
            changes={
                f"participant:{person.pk}": [old, Participant.Status.APOLOGIES],
                "apologies_reason": [
                    None,
                    CONFIDENTIAL_MARK if participant.apologies_reason else "",
                ],
                "received_by": [None, participant.apologies_received_by or "themselves"],
            },
            summary="Apologies recorded",
        )
        if participant.is_facilitator:
            _alert_staffing(
                meeting,
                meeting_staffing(
                    meeting=meeting, in_force=organisation_policy(meeting.organisation)
                ),
            )
    return participant


ATTENDANCE_CHOICES = frozenset(
    {Participant.Status.ATTENDED, Participant.Status.ABSENT, Participant.Status.APOLOGIES}
)


def meeting_record_attendance(
    *, actor: Any, meeting: Meeting, attendance: Mapping[int, str]
) -> Meeting:
    """Record who came. The meeting is then held, and meets the obligation it was for."""
    _require(
        actor,
        "meetings.manage_meeting",
        meeting,
        "Only its facilitators or the admin can record attendance.",
    )
    if meeting.status == Meeting.Status.CANCELLED:
        raise _error("status", "This meeting was cancelled.", "meeting_not_cancelled")
    if meeting.starts_at > timezone.now():
        raise _error(
            "attendance",
            "Attendance is recorded once the meeting has started.",
            "meeting_has_started",
        )
    for status in attendance.values():
        if status not in ATTENDANCE_CHOICES:
            raise _error("attendance", "Choose attended, absent or apologies.", "invalid_choice")
    with transaction.atomic():
        meeting = _locked(meeting)
        rows = {p.person_id: p for p in meeting.participants.all()}
        unknown = set(attendance) - set(rows)
        if unknown:
            raise _error("attendance", "Only those invited can be marked.", "meeting_participant")
        changes: dict[str, list[Any]] = {}
        for person_id, status in attendance.items():
            row = rows[person_id]
            if row.status != status:
                changes[f"participant:{person_id}"] = [row.status, status]
                row.status = status
                row.save(update_fields=["status"])
        was = meeting.status
        if was == Meeting.Status.SCHEDULED:
            meeting.status = Meeting.Status.HELD
            meeting.save(update_fields=["status", "updated_at"])
            changes["status"] = [was, meeting.status]
        if changes:
            audit_change(
                actor=actor,
                organisation=meeting.organisation,
                instance=meeting,
                action=Action.UPDATE,
                changes=changes,
                summary="Attendance recorded",
            )
        if meeting.meets_rule_id and meeting.subject_type:
            obligation_meet(
                subject=(meeting.subject_type, meeting.subject_id),
                rule_id=meeting.meets_rule_id,
                key=meeting.meets_key,
                event=f"{meeting.get_kind_display().lower()} held",
                at=meeting.starts_at,
                actor=actor,
            )
        attendance_recorded.send(sender=Meeting, meeting=meeting, actor=actor)
    return meeting


def meeting_write_notes(*, actor: Any, meeting: Meeting, sections: Mapping[str, str]) -> Meeting:
    """Write the notes on the kind's template (encrypted at rest). Attendees of kinds that share
    notes (the staff member's copy of 1:1 notes, WCC-8) are told they are there to read."""
    _require(
        actor,
        "meetings.manage_meeting",
        meeting,
        "Only its facilitators or the admin can write the notes.",
    )
    if meeting.status == Meeting.Status.CANCELLED:
        raise _error("status", "This meeting was cancelled.", "meeting_not_cancelled")
    allowed = {s.key for s in notes_template(meeting=meeting)}
    unknown = set(sections) - allowed
    if unknown:
        raise _error(
            "sections",
            "The notes template for this meeting has no section “%(name)s”.",
            "meeting_notes_section",
            name=sorted(unknown)[0],
        )
    cleaned: dict[str, str] = {}
    for key, text in sections.items():
        text = (text or "").strip()
        if len(text) > TEXT_MAX:
            raise _error(
                key, "Keep each section under %(max)s characters.", "max_length", max=TEXT_MAX
            )
        if text:
            cleaned[key] = text
    with transaction.atomic():
        meeting = _locked(meeting)
        old = meeting.notes_sections()
        if old == cleaned:
            return meeting
        first = not old
        meeting.notes = json.dumps(cleaned, ensure_ascii=False) if cleaned else ""
        meeting.notes_updated_at = timezone.now()
        meeting.notes_updated_by = _user(actor)
        meeting.save(update_fields=["notes", "notes_updated_at", "notes_updated_by", "updated_at"])
        changed = sorted(k for k in set(old) | set(cleaned) if old.get(k) != cleaned.get(k))
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=meeting,
            action=Action.UPDATE,
            changes={"notes": [CONFIDENTIAL_MARK, CONFIDENTIAL_MARK], "sections": [None, changed]},
            summary="Notes written",
        )
        if first and kind_spec(meeting.kind).attendees_see_notes:
            attendees = [
                p.person
                for p in meeting.participants.select_related("person")
                if not p.is_facilitator
            ]
            notify(
                organisation=meeting.organisation,
                recipients=attendees,
                kind="meeting.notes",
                dedupe_key=f"meeting:{meeting.pk}:notes",
                subject=f"Notes from {meeting.title}",
                body="The notes of your meeting are ready for you to read on the meeting page.",
                link=_link(meeting),
            )
    return meeting


def meeting_add_outcome(
    *,
    actor: Any,
    meeting: Meeting,
    text: str,
    agreement_type: str = "",
    agreement_id: str = "",
) -> MeetingOutcome:
    """Record what the meeting decided, optionally naming the agreement it made or changed."""
    _require(
        actor,
        "meetings.manage_meeting",
        meeting,
        "Only its facilitators or the admin can record outcomes.",
    )
    text = (text or "").strip()
    if not text:
        raise _error("text", "Say what the meeting decided.", "required")
    if len(text) > TEXT_MAX:
        raise _error("text", "Keep it under %(max)s characters.", "max_length", max=TEXT_MAX)
    if bool(agreement_type) != bool(agreement_id):
        raise _error(
            "agreement_id", "Name both the kind of agreement and which one.", "meeting_outcome_link"
        )
    with transaction.atomic():
        outcome = MeetingOutcome.objects.create(
            meeting=meeting,
            text=text,
            agreement_type=agreement_type,
            agreement_id=str(agreement_id or ""),
            created_by=_user(actor),
        )
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=outcome,
            action=Action.CREATE,
            changes=creation_changes(
                outcome, ("meeting_id", "text", "agreement_type", "agreement_id")
            ),
            summary="Meeting outcome recorded",
        )
    return outcome


def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    _require(
        actor,
        "meetings.manage_meeting",
        meeting,
        "Only its facilitators or the admin can cancel it.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise _error(
            "reason", "Say why the meeting is cancelled; those invited are told.", "required"
        )
    if len(reason) > REASON_MAX:
        raise _error("reason", "Keep it under %(max)s characters.", "max_length", max=REASON_MAX)
    _must_be_scheduled(meeting)
    with transaction.atomic():
        meeting = _locked(meeting)
        _must_be_scheduled(meeting)
        meeting.status = Meeting.Status.CANCELLED
        meeting.cancelled_reason = reason
        meeting.sequence += 1
        meeting.save(update_fields=["status", "cancelled_reason", "sequence", "updated_at"])
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=meeting,
            action=Action.UPDATE,
            changes={"status": [Meeting.Status.SCHEDULED, Meeting.Status.CANCELLED]},
            summary="Meeting cancelled",
            reason=reason,
        )
        _notify_participants(
            meeting,
            _others((p.person for p in meeting.participants.select_related("person")), actor),
            kind="meeting.cancelled",
            key="cancelled",
            subject=f"Cancelled: {meeting.title}",
            lead=f"This meeting is cancelled: {reason}",
        )
    return meeting


# The staffing recheck ------------------------------------------------------------------------


def meetings_staffing_recheck(today: dt.date | None = None, *, days: int | None = None) -> int:
    """Check the staffing of every scheduled meeting in the next few days again, on the day of
    each meeting (a facilitator who sent apologies, a DBS check that has expired since), and
    alert the organisers once per meeting and problem. Returns how many problems were found.

    Reads only scheduled meetings in the window, through the `meeting_upcoming` index."""
    day = today or timezone.localdate()
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON)
    end = dt.datetime.combine(
        day + dt.timedelta(days=days if days is not None else RECHECK_DAYS),
        dt.time(0, 0),
        tzinfo=LONDON,
    )
    meetings = (
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("organisation")
        .prefetch_related("participants__person")
        .order_by("starts_at", "pk")
    )
    policies: dict[int, OrganisationPolicy] = {}
    found = 0
    for meeting in meetings:
        if meeting.organisation_id not in policies:
            policies[meeting.organisation_id] = organisation_policy(meeting.organisation)
        problems = meeting_staffing(meeting=meeting, in_force=policies[meeting.organisation_id])
        if refusals(problems):
            with transaction.atomic():
                found += _alert_staffing(meeting, problems)
    return found


# Calendar feeds ------------------------------------------------------------------------------


def calendar_feed_create(
    *, actor: Any, organisation: Organisation
) -> tuple[CalendarFeedToken, str]:
    """A new private feed address for the actor's own meetings; any older one stops working.
    Returns the token row and the token itself, which is shown once and never stored."""
    person = standing(actor, organisation).person
    if person is None:
        raise PermissionDenied("You are not recorded in this organisation.")
    raw = CalendarFeedToken.generate()

    with transaction.atomic():
        now = timezone.now()
        revoked = CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=now
        )
        feed = CalendarFeedToken.objects.create(person=person, token_hash=hash_feed_token(raw))
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=feed,
            action=Action.CREATE,
            changes={"person_id": [None, person.pk], "older_feeds_revoked": [None, revoked]},
            summary="Calendar feed address made",
        )
    return feed, raw


def calendar_feed_revoke(*, actor: Any, feed: CalendarFeedToken) -> CalendarFeedToken:
    person = feed.person
    own = standing(actor, person.organisation).person
    if own is None or own.pk != person.pk:
        raise PermissionDenied("You can stop only your own calendar feed.")
    with transaction.atomic():
        feed = CalendarFeedToken.objects.select_for_update().get(pk=feed.pk)
        if feed.revoked_at is not None:
            raise _error("feed", "This feed address is stopped already.", "calendar_feed_live")
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_change(
            actor=actor,
            organisation=person.organisation,
            instance=feed,
            action=Action.UPDATE,
            changes={"revoked_at": [None, feed.revoked_at]},
            summary="Calendar feed address stopped",
        )
    return feed
