"""Every change to a running session, its rounds, its housekeeping actions and safeguarding
concerns (PSP-6..9).

Each function checks the actor's permission first, validates, then writes in one transaction
with its audit entry. Refusals are ValidationError({field: ...}) with a code naming the rule or
check. Nothing a peer says is taken in anywhere (PSP-9): only structure, attendance, who took
time, passes and actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_change
from commonground.groups.models import SupportGroup
from commonground.groups.services import session_schedule
from commonground.groupsessions import selectors, timer
from commonground.groupsessions.models import (
    HousekeepingAction,
    Round,
    SafeguardingConcern,
    SessionRun,
    SessionStep,
    TakeTime,
    Turn,
)
from commonground.meetings.models import Meeting, Participant
from commonground.meetings.signals import attendance_recorded
from commonground.notifications.services import notify
from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_meet, obligation_schedule
from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import LONDON

Action = AuditEntry.Action
Status = Participant.Status
ATTENDANCE_CHOICES = (Status.ATTENDED, Status.ABSENT, Status.APOLOGIES)
# A session may be opened a little before it starts (setting the room up).
OPEN_EARLY = dt.timedelta(hours=1)
TITLE_MAX = 200
TEXT_MAX = 5000
MAX_ROUND_MINUTES = 180


def _error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_run(actor: Any, meeting: Meeting) -> SupportGroup:
    group = selectors.session_group(meeting)
    if not actor.has_perm("groups.run_session", group):
        raise PermissionDenied("Only the group's facilitators or the admin can run its sessions.")
    return group


def _not_cancelled(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise _error("meeting", "This session was cancelled.", "meeting_not_cancelled")


def _run_of(meeting: Meeting, *, locked: bool = True) -> SessionRun:
    rows = SessionRun.objects.select_for_update() if locked else SessionRun.objects
    run = rows.filter(meeting=meeting).first()
    if run is None:
        raise _error("step", "Start the session first.", "session_started")
    return run


def _running(meeting: Meeting) -> SessionRun:
    run = _run_of(meeting)
    if not run.is_running:
        raise _error("step", "This session has ended.", "session_running")
    return run


# PSP-6: the structure, step by step ---------------------------------------------------------------


def session_start(
    *, actor: Any, meeting: Meeting, in_force: OrganisationPolicy | None = None
) -> SessionRun:
    """Open the session at its first step (PSP-6), with the organisation's structure."""
    _require_run(actor, meeting)
    _not_cancelled(meeting)
    now = timezone.now()
    if now < meeting.starts_at - OPEN_EARLY:
        raise _error(
            "step",
            "The session can be opened from an hour before it starts.",
            "session_open_early",
        )
    structure = selectors.structure(in_force or organisation_policy(meeting.organisation))
    try:
        with transaction.atomic():
            run = SessionRun.objects.create(meeting=meeting, structure=list(structure))
            SessionStep.objects.create(run=run, position=0, key=structure[0], started_at=now)
            audit_change(
                actor=actor,
                organisation=meeting.organisation,
                instance=meeting,
                action=Action.UPDATE,
                changes={"session": [None, "started"], "step": [None, structure[0]]},
                summary="Session started (PSP-6)",
            )
    except IntegrityError as exc:
        raise _error("step", "This session has started already.", "session_once") from exc
    return run


def session_move(*, actor: Any, meeting: Meeting, direction: str) -> SessionRun:
    """Go to the next step ("next"; from the last step it ends the session) or back ("back")."""
    _require_run(actor, meeting)
    if direction not in {"next", "back"}:
        raise _error("direction", "Choose next or back.", "invalid_choice")
    now = timezone.now()
    with transaction.atomic():
        run = _running(meeting)
        old = run.current_key
        if direction == "back" and run.current == 0:
            raise _error("direction", "This is the first step.", "PSP-6")
        SessionStep.objects.filter(run=run, ended_at__isnull=True).update(ended_at=now)
        changes: dict[str, list[Any]] = {}
        if direction == "next" and run.current == len(run.structure) - 1:
            run.ended_at = now
            run.save(update_fields=["ended_at"])
            changes["session"] = ["started", "ended"]
            if meeting.status == Meeting.Status.SCHEDULED:
                Meeting.objects.filter(pk=meeting.pk).update(
                    status=Meeting.Status.HELD, updated_at=now
                )
                meeting.status = Meeting.Status.HELD
                changes["status"] = [Meeting.Status.SCHEDULED, Meeting.Status.HELD]
            summary = "Session ended (PSP-6)"
        else:
            run.current += 1 if direction == "next" else -1
            run.save(update_fields=["current"])
            SessionStep.objects.create(
                run=run, position=run.current, key=run.current_key, started_at=now
            )
            changes["step"] = [old, run.current_key]
            summary = f"Session step: {run.current_key} (PSP-6)"
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=meeting,
            action=Action.UPDATE,
            changes=changes,
            summary=summary,
        )
    return run


# Attendance: the meeting's Participant rows are the one record of who was there --------------


def attendance_record(*, actor: Any, meeting: Meeting, attendance: Mapping[int, str]) -> Meeting:
    """Mark each person at the session attended, absent or apologies: the meeting's own
    Participant rows, as `meeting_record_attendance` writes them (the session is then held and
    the meetings module's `attendance_recorded` signal is sent). Done here rather than there so
    any of the group's facilitators may mark it, from an hour before the start, and so a peer
    who came uninvited can be added (`walk_in_add`)."""
    _require_run(actor, meeting)
    _not_cancelled(meeting)
    if timezone.now() < meeting.starts_at - OPEN_EARLY:
        raise _error(
            "attendance", "Attendance is marked on the day of the session.", "meeting_has_started"
        )
    for status in attendance.values():
        if status not in ATTENDANCE_CHOICES:
            raise _error("attendance", "Choose attended, absent or apologies.", "invalid_choice")
    with transaction.atomic():
        rows = {
            p.person_id: p for p in Participant.objects.select_for_update().filter(meeting=meeting)
        }
        if set(attendance) - set(rows):
            raise _error(
                "attendance", "Only those at this session can be marked.", "meeting_participant"
            )
        changes: dict[str, list[Any]] = {}
        for person_id, status in attendance.items():
            row = rows[person_id]
            if row.status != status:
                changes[f"participant:{person_id}"] = [row.status, status]
                row.status = status
                row.responded_at = row.responded_at or timezone.now()
                row.save(update_fields=["status", "responded_at"])
        if meeting.status == Meeting.Status.SCHEDULED:
            # As the meetings module does: a session whose attendance is taken is held.
            Meeting.objects.filter(pk=meeting.pk).update(
                status=Meeting.Status.HELD, updated_at=timezone.now()
            )
            changes["status"] = [meeting.status, Meeting.Status.HELD]
            meeting.status = Meeting.Status.HELD
        if changes:
            audit_change(
                actor=actor,
                organisation=meeting.organisation,
                instance=meeting,
                action=Action.UPDATE,
                changes=changes,
                summary="Attendance recorded",
            )
        # Modules that count absences (PSP-10) hear of it in this same transaction.
        attendance_recorded.send(sender=Meeting, meeting=meeting, actor=actor)
    return meeting


def walk_in_add(*, actor: Any, meeting: Meeting, person: Person) -> Participant:
    """A member of the group who came without being invited: at the session, as attended."""
    group = _require_run(actor, meeting)
    _not_cancelled(meeting)
    if person.pk not in selectors.group_member_ids(group):
        raise _error("person", "Only a member of this group can join its session.", "group_member")
    try:
        with transaction.atomic():
            row = Participant.objects.create(
                meeting=meeting,
                person=person,
                role=Participant.Role.ATTENDEE,
                status=Status.ATTENDED,
                responded_at=timezone.now(),
            )
            audit_change(
                actor=actor,
                organisation=meeting.organisation,
                instance=meeting,
                action=Action.UPDATE,
                changes={f"participant:{person.pk}": [None, Status.ATTENDED]},
                summary="A peer came without an invitation",
            )
    except IntegrityError as exc:
        raise _error(
            "person",
            "%(name)s is at this session already.",
            "participant_once",
            name=person.display_name,
        ) from exc
    return row


# Taking Time (PSP-6), last week's guarantees first (PSP-8) --------------------------------------


def _present(meeting: Meeting, person: Person, field: str) -> None:
    if person.pk not in selectors.present_ids(meeting):
        raise _error(
            field,
            "%(name)s is not marked as here; mark attendance first.",
            "attended",
            name=person.display_name,
        )


def take_time_offer(*, actor: Any, meeting: Meeting, person: Person) -> TakeTime:
    """`person` would like to Take Time today; a guarantee from last week puts them first."""
    group = _require_run(actor, meeting)
    _not_cancelled(meeting)
    _present(meeting, person, "person")
    guaranteed = person.pk in {a.about_id for a in selectors.guarantees_due(group, meeting)}
    try:
        with transaction.atomic():
            offer = TakeTime.objects.create(meeting=meeting, person=person, guaranteed=guaranteed)
            audit_change(
                actor=actor,
                organisation=meeting.organisation,
                instance=meeting,
                action=Action.UPDATE,
                changes={f"take_time:{person.pk}": [None, "offered"]},
                summary="Offer to Take Time (PSP-6)",
            )
    except IntegrityError as exc:
        raise _error(
            "person", "%(name)s has offered already.", "take_time_once", name=person.display_name
        ) from exc
    return offer


def take_time_slot(*, actor: Any, meeting: Meeting, person: Person, slot: str) -> TakeTime:
    """Record that `person` took time in `slot` (one of the structure's Taking Time steps). What
    they said is not recorded (PSP-9). A guarantee they held is then met (PSP-8)."""
    group = _require_run(actor, meeting)
    run = _run_of(meeting, locked=False)
    if slot not in selectors.slot_keys(run.structure):
        raise _error("slot", "Choose one of the session's Taking Time slots.", "PSP-6")
    with transaction.atomic():
        offer = TakeTime.objects.select_for_update().filter(meeting=meeting, person=person).first()
        if offer is None:
            raise _error(
                "person",
                "%(name)s has not offered to Take Time today.",
                "take_time_offered",
                name=person.display_name,
            )
        if offer.slot:
            raise _error("person", "They have taken time already.", "take_time_once")
        if TakeTime.objects.filter(meeting=meeting, slot=slot).exists():
            raise _error("slot", "Someone took time in this slot already.", "take_time_slot_once")
        offer.slot, offer.took_at = slot, timezone.now()
        offer.save(update_fields=["slot", "took_at"])
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=meeting,
            action=Action.UPDATE,
            changes={f"take_time:{person.pk}": ["offered", slot]},
            summary="Took time (PSP-6)",
        )
        for guarantee in selectors.guarantees_due(group, meeting):
            if guarantee.about_id == person.pk:
                _action_done(actor, guarantee, event="took time at the next session")
    return offer


# PSP-7: rounds ---------------------------------------------------------------------------------


def round_start(*, actor: Any, meeting: Meeting, step: str, minutes: int | None = None) -> Round:
    """Start the round of `step` for everyone present (in a Taking Time slot, everyone but the
    peer who took time). Its length is the facilitator's choice or a fair part of what is left,
    and never runs past the session's end (PSP-7)."""
    _require_run(actor, meeting)
    if minutes is not None and not (1 <= minutes <= MAX_ROUND_MINUTES):
        raise _error(
            "minutes", "A round lasts from 1 to %(max)s minutes.", "PSP-7", max=MAX_ROUND_MINUTES
        )
    now = timezone.now()
    with transaction.atomic():
        run = _running(meeting)
        if step not in selectors.round_keys(run.structure):
            raise _error("step", "This step has no round.", "PSP-6")
        seconds_to_end = int((meeting.ends_at - now).total_seconds())
        steps_left = len(run.structure) - run.structure.index(step)
        total = timer.round_length(
            seconds_to_end, steps_left, wanted_seconds=None if minutes is None else minutes * 60
        )
        if total < timer.MIN_ROUND_SECONDS:
            raise _error(
                "minutes",
                "The session ends at %(end)s: there is no time left for a round.",
                "PSP-7",
                end=f"{timezone.localtime(meeting.ends_at, LONDON):%H:%M}",
            )
        speakers = selectors.round_speakers(meeting, step)
        if not speakers:
            raise _error("step", "Nobody is marked as here; mark attendance first.", "attended")
        try:
            found = Round.objects.create(
                meeting=meeting, step=step, total_seconds=total, started_at=now
            )
        except IntegrityError as exc:
            raise _error("step", "This round has started already.", "round_once") from exc
        Turn.objects.bulk_create(
            [Turn(round=found, person=p, position=i) for i, p in enumerate(speakers)]
        )
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=meeting,
            action=Action.UPDATE,
            changes={f"round:{step}": [None, {"seconds": total, "speakers": len(speakers)}]},
            summary="Round started (PSP-7)",
        )
    return found


def _finish_turn(actor: Any, found: Round, person_id: int, *, passed: bool) -> Turn:
    now = timezone.now()
    with transaction.atomic():
        found = Round.objects.select_for_update().get(pk=found.pk)
        if found.finished_at is not None:
            raise _error("person", "This round is over.", "round_running")
        state = selectors.round_state(found, now)
        turn = next((t for t in state.turns if t.person_id == person_id), None)
        if turn is None:
            raise _error("person", "They are not in this round.", "round_speaker")
        if turn.state != Turn.State.WAITING:
            raise _error("person", "Their turn is over already.", "round_turn_waiting")
        if passed:
            turn.state, turn.used_seconds = Turn.State.PASSED, 0
        else:
            if state.current is None or state.current.pk != turn.pk:
                raise _error(
                    "person", "Only the peer speaking now can finish.", "round_turn_current"
                )
            turn.state = Turn.State.SPOKE
            turn.used_seconds = min(state.current_elapsed, state.shares[state.turns.index(turn)])
        turn.finished_at = now
        turn.save(update_fields=["state", "used_seconds", "finished_at"])
        if not Turn.objects.filter(round=found, state=Turn.State.WAITING).exists():
            found.finished_at = now
            found.save(update_fields=["finished_at"])
        audit_change(
            actor=actor,
            organisation=found.meeting.organisation,
            instance=found.meeting,
            action=Action.UPDATE,
            changes={f"round:{found.step}:{person_id}": ["waiting", turn.state]},
            summary="Passed (PSP-7)" if passed else "Finished speaking (PSP-7)",
        )
    return turn


def turn_pass(*, actor: Any, round: Round, person_id: int) -> Turn:
    """`person` passes: their time goes to those still to speak, shared equally (PSP-7)."""
    _require_run(actor, round.meeting)
    return _finish_turn(actor, round, person_id, passed=True)


def turn_done(*, actor: Any, round: Round, person_id: int) -> Turn:
    """The peer speaking finishes (early or on time); what they did not use goes to the rest."""
    _require_run(actor, round.meeting)
    return _finish_turn(actor, round, person_id, passed=False)


# PSP-8: housekeeping actions -------------------------------------------------------------------

OBLIGATION_TITLES = {
    HousekeepingAction.Kind.NEXT_MEETING: "Next meeting: confirm date, time and venue",
    HousekeepingAction.Kind.GUARANTEE: "Guarantee: {about} may Take Time",
    HousekeepingAction.Kind.HANDOUT: "Handout: {title}",
    HousekeepingAction.Kind.NEWS: "Seek news of {about}",
    HousekeepingAction.Kind.OTHER: "Promise: {title}",
}


def _obligation_for(actor: Any, action: HousekeepingAction, meeting: Meeting) -> Obligation:
    """The action as a PSP-8 obligation, due on its date, for its owner.

    PSP-8 has no number to compute a date from: the date is the one the group agreed."""
    title = OBLIGATION_TITLES[HousekeepingAction.Kind(action.kind)].format(
        about=action.about.display_name if action.about else "", title=action.title
    )[:200]
    return obligation_schedule(
        organisation=meeting.organisation,
        rule_id="PSP-8",
        param="",
        subject=("groupsessions.housekeepingaction", action.pk),
        title=title,
        trigger_event="the group agreed it at the weekly session",
        trigger_at=meeting.starts_at,
        due_on=action.due_on,
        assignees=[action.owner],
        actor=actor,
    )


def action_create(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    owner: Person,
    due_on: dt.date | None = None,
    about: Person | None = None,
    title: str = "",
    next_starts_at: dt.datetime | None = None,
) -> HousekeepingAction:
    """Capture a housekeeping action with its owner and date (PSP-8); it becomes an obligation.

    next_meeting: confirms the group's next scheduled session, or schedules it at
    `next_starts_at` with this session's facilitators (PSP-4 checked by the meetings module)."""
    group = _require_run(actor, meeting)
    if kind not in HousekeepingAction.Kind.values:
        raise _error("kind", "Choose a kind of housekeeping action.", "invalid_choice")
    title = (title or "").strip()
    if len(title) > TITLE_MAX:
        raise _error("title", "Keep it under %(max)s characters.", "max_length", max=TITLE_MAX)
    people = selectors.session_people_ids(meeting) | selectors.group_member_ids(group)
    if owner.pk not in people:
        raise _error("owner", "The owner must be in this group.", "group_member")
    if kind in {HousekeepingAction.Kind.GUARANTEE, HousekeepingAction.Kind.NEWS}:
        if about is None:
            raise _error("about", "Choose the peer this is about.", "PSP-8")
        if about.pk not in people:
            raise _error("about", "Choose a peer of this group.", "group_member")
    if kind in {HousekeepingAction.Kind.HANDOUT, HousekeepingAction.Kind.OTHER} and not title:
        raise _error("title", "Say in a few words what is promised.", "PSP-8")
    next_meeting = None
    if kind == HousekeepingAction.Kind.NEXT_MEETING:
        next_meeting = selectors.next_session(group, meeting)
        if next_starts_at is not None:
            if not isinstance(next_starts_at, dt.datetime) or timezone.is_naive(next_starts_at):
                raise _error("next_starts_at", "Give the date and time.", "meeting_time_aware")
            if next_starts_at <= meeting.starts_at:
                raise _error("next_starts_at", "The next meeting comes after this one.", "PSP-8")
        if next_meeting is None and next_starts_at is None:
            raise _error(
                "next_starts_at",
                "No next session is scheduled: give its date and time.",
                "PSP-8",
            )
    if due_on is None:
        # By the next session (a guarantee is for it), or a week on if none is scheduled.
        coming = next_meeting or selectors.next_session(group, meeting)
        due_on = coming.local_day if coming else meeting.local_day + dt.timedelta(days=7)
    if not isinstance(due_on, dt.date) or due_on < meeting.local_day:
        raise _error("due_on", "The date cannot be before this session.", "PSP-8")
    with transaction.atomic():
        wants_new = kind == HousekeepingAction.Kind.NEXT_MEETING and next_starts_at is not None
        if wants_new and (next_meeting is None or next_meeting.starts_at != next_starts_at):
            parts = list(meeting.participants.select_related("person"))
            next_meeting = session_schedule(
                actor=actor,
                group=group,
                facilitators=[p.person for p in parts if p.is_facilitator],
                lead=next((p.person for p in parts if p.role == Participant.Role.LEAD), None),
                starts_at=next_starts_at,
            )
        if next_meeting is not None:
            due_on = max(meeting.local_day, next_meeting.local_day - dt.timedelta(days=1))
        action = HousekeepingAction.objects.create(
            group=group,
            meeting=meeting,
            kind=kind,
            owner=owner,
            about=about,
            due_on=due_on,
            title=title,
            next_meeting=next_meeting,
        )
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=action,
            action=Action.CREATE,
            changes={
                "kind": [None, kind],
                "owner": [None, owner.pk],
                "about": [None, about.pk if about else None],
                "due_on": [None, due_on],
                "title": [None, title],
                "next_meeting": [None, next_meeting.pk if next_meeting else None],
            },
            summary=f"Housekeeping action (PSP-8): {action.get_kind_display()}",
        )
        action.obligation = _obligation_for(actor, action, meeting)
        action.save(update_fields=["obligation"])
    return action


def _action_done(actor: Any, action: HousekeepingAction, *, event: str) -> HousekeepingAction:
    own = standing(actor, action.group.organisation).person
    action.done_at = timezone.now()
    action.done_by = own
    action.save(update_fields=["done_at", "done_by"])
    audit_change(
        actor=actor,
        organisation=action.group.organisation,
        instance=action,
        action=Action.UPDATE,
        changes={"done": [False, True]},
        summary="Housekeeping action done (PSP-8)",
    )
    obligation_meet(
        subject=("groupsessions.housekeepingaction", action.pk),
        rule_id="PSP-8",
        event=event,
        actor=actor,
    )
    return action


def action_done(*, actor: Any, action: HousekeepingAction) -> HousekeepingAction:
    """Mark an action done: its owner, the group's facilitators or the admin."""
    if not actor.has_perm("groupsessions.mark_action_done", action):
        raise PermissionDenied(
            "Only the action's owner or the group's facilitators can mark it done."
        )
    with transaction.atomic():
        action = HousekeepingAction.objects.select_for_update().get(pk=action.pk)
        if action.done_at is not None:
            raise _error("action", "This action is done already.", "action_open")
        return _action_done(actor, action, event="marked done")


# PSP-9: a safeguarding concern, kept apart -------------------------------------------------------


def concern_record(
    *,
    actor: Any,
    meeting: Meeting,
    about: Person,
    concern: str,
    reason: str,
    third_party: str,
    third_party_detail: str = "",
    told_at: dt.datetime | None = None,
) -> SafeguardingConcern:
    """Record a concern passed on under the Safeguarding Policy (PSP-9): about whom, the concern,
    why it is passed on, which third party was told and when. Encrypted; the safeguarding lead is
    told that there is one (not what it says)."""
    group = _require_run(actor, meeting)
    recorder = standing(actor, meeting.organisation).person
    if recorder is None:
        raise PermissionDenied("Only someone in the organisation can record a concern.")
    concern, reason = (concern or "").strip(), (reason or "").strip()
    detail = (third_party_detail or "").strip()
    if about.pk not in selectors.session_people_ids(meeting) | selectors.group_member_ids(group):
        raise _error("about", "Choose a peer of this session.", "group_member")
    if not concern:
        raise _error("concern", "Describe the concern.", "required")
    if not reason:
        raise _error("reason", "Say why it is passed on (PSP-9).", "PSP-9")
    for field, text in (("concern", concern), ("reason", reason), ("third_party_detail", detail)):
        if len(text) > TEXT_MAX:
            raise _error(field, "Keep it under %(max)s characters.", "max_length", max=TEXT_MAX)
    if third_party not in SafeguardingConcern.ThirdParty.values:
        raise _error("third_party", "Choose who was told.", "invalid_choice")
    if third_party == SafeguardingConcern.ThirdParty.OTHER and not detail:
        raise _error("third_party_detail", "Say which third party was told.", "PSP-9")
    told = third_party != SafeguardingConcern.ThirdParty.NOBODY_YET
    if told and told_at is None:
        raise _error("told_at", "Say when they were told.", "PSP-9")
    if told_at is not None and (
        not isinstance(told_at, dt.datetime)
        or timezone.is_naive(told_at)
        or told_at > timezone.now() + dt.timedelta(minutes=5)
    ):
        raise _error("told_at", "Give when they were told; it cannot be in the future.", "PSP-9")
    with transaction.atomic():
        found = SafeguardingConcern.objects.create(
            organisation=meeting.organisation,
            meeting=meeting,
            about=about,
            concern=concern,
            reason=reason,
            third_party=third_party,
            third_party_detail=detail,
            told_at=told_at if told else None,
            recorded_by=recorder,
        )
        audit_change(
            actor=actor,
            organisation=meeting.organisation,
            instance=found,
            action=Action.CREATE,
            changes={
                "about": [None, about.pk],
                "concern": [None, CONFIDENTIAL_MARK],
                "reason": [None, CONFIDENTIAL_MARK],
                "third_party": [None, third_party],
                "third_party_detail": [None, CONFIDENTIAL_MARK if detail else ""],
                "told_at": [None, found.told_at],
            },
            summary="Safeguarding concern recorded (PSP-9)",
        )
        leads = [
            p for p in selectors.safeguarding_leads(meeting.organisation) if p.pk != recorder.pk
        ]
        notify(
            organisation=meeting.organisation,
            recipients=leads,
            kind="groupsessions.safeguarding",
            dedupe_key=f"safeguarding:{found.pk}",
            subject="A safeguarding concern was recorded",
            body="A facilitator recorded a safeguarding concern at a group session. "
            "Open it in Common Ground to read it.",
            link=reverse(
                "groupsessions:concern_detail",
                kwargs={"org": meeting.organisation.slug, "pk": found.pk},
            ),
        )
    return found


def is_safeguarding_lead(actor: Any, organisation: Any) -> bool:
    return standing(actor, organisation).has(Role.SAFEGUARDING_LEAD)
