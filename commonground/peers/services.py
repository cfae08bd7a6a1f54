"""Every change in the peers module: guidelines (PSP-5), keeping in touch (PSP-10), eligibility
(PSP-11), charity membership and donations (PSP-12).

Each function checks the actor's permission first, validates (a ValidationError naming the
field, with a code naming the rule or check), and writes in one transaction with its audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commonground.access.policy import standing
from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_change
from commonground.groups.models import SUBJECT_TYPE, GroupMember, SupportGroup
from commonground.groups.selectors import current_facilitators, group_sessions
from commonground.groups.services import member_leave, next_session_start
from commonground.meetings.models import Meeting, Participant
from commonground.meetings.services import meeting_record_apologies
from commonground.obligations.models import Obligation
from commonground.obligations.services import (
    obligation_cancel,
    obligation_meet,
    obligation_schedule,
)
from commonground.peers.models import (
    BehaviourGuidelines,
    CharityMember,
    Donation,
    EligibilityCheck,
    GroupGuideline,
    GuidelineReview,
    NewsRecord,
    Topic,
)
from commonground.peers.selectors import AbsenceRow, absences
from commonground.people.models import Organisation, Person
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import LONDON

Action = AuditEntry.Action
TEXT_MAX = 4000
GUIDELINES_MAX = 50_000
SHORT_MAX = 300
NOTE_MAX = 500
NAME_MAX = 200
# Sanity bounds for amounts typed by hand: a donation of more than a million pounds is a typo.
DONATION_MAX_PENCE = 100_000_000
RECEIVED_BY = ("text message", "phone call", "in person", "email", "letter")
NOT_ELIGIBLE_REASON = "No longer eligible under the charity's objects"


def _error(field: str | None, message: str, code: str, **params: Any) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _own_person(actor: Any, organisation: Organisation) -> Person:
    person = standing(actor, organisation).person
    if person is None:
        raise PermissionDenied("You are not a member of this organisation.")
    return person


def _text(field: str, value: str, *, limit: int, required: bool = True, what: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise _error(field, what or "This cannot be empty.", "required")
    if len(text) > limit:
        raise _error(field, "Keep it under %(max)s characters.", "max_length", max=limit)
    return text


def _not_future(field: str, day: dt.date) -> None:
    if not isinstance(day, dt.date):
        raise _error(field, "Give a date.", "required")
    if day > timezone.localdate():
        raise _error(field, "This date cannot be in the future.", "not_in_future")


def _psp(in_force: OrganisationPolicy, rule_id: str, field: str | None = None) -> None:
    if not in_force.adopts(rule_id):
        raise _error(
            field,
            "%(org)s has not adopted rule %(rule)s.",
            "policy_adopted",
            org=str(in_force.organisation),
            rule=rule_id,
        )


# PSP-5: the organisation's Guidelines for Behaviour --------------------------------------------


def behaviour_guidelines_set(
    *, actor: Any, organisation: Organisation, text: str, change_note: str = ""
) -> BehaviourGuidelines:
    """A new version of the Guidelines for Behaviour; the previous ones stay as history."""
    _require(
        actor,
        "peers.change_behaviour_guidelines",
        organisation,
        "Only the organisation admin keeps the Guidelines for Behaviour.",
    )
    text = _text("text", text, limit=GUIDELINES_MAX, what="Write the guidelines.")
    change_note = _text("change_note", change_note, limit=SHORT_MAX, required=False)
    with transaction.atomic():
        current = (
            BehaviourGuidelines.objects.select_for_update()
            .filter(organisation=organisation)
            .order_by("-number")
            .first()
        )
        if current is not None and current.text == text:
            raise _error("text", "This is the text already in force.", "unchanged")
        number = (current.number if current else 0) + 1
        version = BehaviourGuidelines.objects.create(
            organisation=organisation,
            number=number,
            text=text,
            change_note=change_note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=version,
            action=Action.CREATE,
            changes={"number": [current.number if current else None, number]},
            summary=f"Guidelines for Behaviour, version {number}",
            reason=change_note,
        )
    return version


# PSP-5: group guidelines -----------------------------------------------------------------------


def guideline_propose(*, actor: Any, group: SupportGroup, topic: str, text: str) -> GroupGuideline:
    """Any member of the group (facilitators are peers too) proposes an additional guideline."""
    _require(
        actor,
        "peers.propose_guideline",
        group,
        "Only the group's members can propose a guideline for it.",
    )
    _psp(organisation_policy(group.organisation), "PSP-5")
    if topic not in Topic.values:
        raise _error("topic", "Choose what the guideline is about.", "invalid_choice")
    text = _text("text", text, limit=TEXT_MAX, what="Write the guideline you propose.")
    if not group.is_open:
        raise _error("group", "This group has closed.", "group_open")
    person = _own_person(actor, group.organisation)
    with transaction.atomic():
        guideline = GroupGuideline.objects.create(
            group=group, topic=topic, text=text, proposed_by=person
        )
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=guideline,
            action=Action.CREATE,
            changes={"topic": [None, topic], "group": [None, group.pk]},
            summary="A group guideline was proposed (PSP-5)",
        )
    return guideline


def _session_of(group: SupportGroup, session: Meeting | None, field: str = "session") -> None:
    if session is None:
        return
    if not group_sessions(group).filter(pk=session.pk).exists():
        raise _error(field, "Choose one of this group's sessions.", "group_session")


def _schedule_review(
    guideline: GroupGuideline, *, actor: Any, after: dt.date, in_force: OrganisationPolicy
) -> Obligation:
    group = guideline.group
    return obligation_schedule(
        organisation=group.organisation,
        rule_id="PSP-5",
        param="guideline_review_every",
        subject=guideline,
        key=guideline.review_key,
        title=f"Review a guideline of {group.name} with the group",
        trigger_event="the group agreed the guideline"
        if guideline.reviews_held == 0
        else "the guideline's last review",
        trigger_at=after,
        assignees=current_facilitators(group),
        oversight_role="",
        actor=actor,
        in_force=in_force,
    )


def guideline_decide(
    *,
    actor: Any,
    guideline: GroupGuideline,
    agreed: bool,
    decided_on: dt.date,
    how_decided: str,
    session: Meeting | None = None,
) -> GroupGuideline:
    """A facilitator records the group's decision on a proposed guideline. An agreed guideline
    comes up for review on the policy's cycle (PSP-5 guideline_review_every)."""
    group = guideline.group
    _require(
        actor,
        "peers.decide_guideline",
        group,
        "Only the group's facilitators record the group's decision.",
    )
    in_force = organisation_policy(group.organisation)
    _psp(in_force, "PSP-5")
    _not_future("decided_on", decided_on)
    how = _text("how_decided", how_decided, limit=SHORT_MAX, what="Say how the group decided.")
    _session_of(group, session)
    person = _own_person(actor, group.organisation)
    with transaction.atomic():
        locked = GroupGuideline.objects.select_for_update().get(pk=guideline.pk)
        if locked.state != GroupGuideline.State.PROPOSED:
            raise _error("agreed", "The group has decided on this guideline already.", "decided")
        if decided_on < timezone.localtime(locked.proposed_at).date():
            raise _error(
                "decided_on", "The decision cannot come before the proposal.", "dates_in_order"
            )
        locked.state = GroupGuideline.State.AGREED if agreed else GroupGuideline.State.NOT_AGREED
        locked.decided_on = decided_on
        locked.how_decided = how
        locked.decided_at_session = session
        locked.decision_recorded_by = person
        locked.save()
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=locked,
            action=Action.UPDATE,
            changes={
                "state": ["proposed", locked.state],
                "decided_on": [None, decided_on.isoformat()],
                "session": [None, session.pk if session else None],
            },
            summary=f"The group {'agreed' if agreed else 'did not agree'} a guideline (PSP-5)",
        )
        if agreed:
            _schedule_review(locked, actor=actor, after=decided_on, in_force=in_force)
    return locked


def guideline_review(
    *,
    actor: Any,
    guideline: GroupGuideline,
    outcome: str,
    reviewed_on: dt.date,
    how_decided: str,
    text: str = "",
    session: Meeting | None = None,
) -> GuidelineReview:
    """The group reviews an agreed guideline: kept, changed (new text) or retired. The review
    meets the review that was due and, unless retired, schedules the next one."""
    group = guideline.group
    _require(
        actor,
        "peers.decide_guideline",
        group,
        "Only the group's facilitators record the group's review.",
    )
    in_force = organisation_policy(group.organisation)
    _psp(in_force, "PSP-5")
    if outcome not in GuidelineReview.Outcome.values:
        raise _error("outcome", "Choose kept, changed or retired.", "invalid_choice")
    _not_future("reviewed_on", reviewed_on)
    how = _text("how_decided", how_decided, limit=SHORT_MAX, what="Say how the group decided.")
    new_text = _text("text", text, limit=TEXT_MAX, required=False)
    if outcome == GuidelineReview.Outcome.CHANGED and not new_text:
        raise _error("text", "Write the guideline as the group changed it.", "required")
    _session_of(group, session)
    person = _own_person(actor, group.organisation)
    with transaction.atomic():
        locked = GroupGuideline.objects.select_for_update().get(pk=guideline.pk)
        if locked.state != GroupGuideline.State.AGREED:
            raise _error("outcome", "Only an agreed guideline is reviewed.", "PSP-5")
        if locked.decided_on and reviewed_on < locked.decided_on:
            raise _error(
                "reviewed_on", "A review cannot come before the agreement.", "dates_in_order"
            )
        if outcome == GuidelineReview.Outcome.CHANGED and new_text == locked.text:
            raise _error("text", "This is the guideline's text already.", "unchanged")
        key = locked.review_key
        review = GuidelineReview.objects.create(
            guideline=locked,
            outcome=outcome,
            reviewed_on=reviewed_on,
            session=session,
            previous_text=locked.text if outcome == GuidelineReview.Outcome.CHANGED else "",
            how_decided=how,
            recorded_by=person,
        )
        if outcome == GuidelineReview.Outcome.CHANGED:
            locked.text = new_text
        if outcome == GuidelineReview.Outcome.RETIRED:
            locked.state = GroupGuideline.State.RETIRED
        locked.reviews_held += 1
        locked.last_reviewed_on = reviewed_on
        locked.save()
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=locked,
            action=Action.UPDATE,
            changes={"review": [None, outcome], "reviewed_on": [None, reviewed_on.isoformat()]},
            summary=f"A group guideline was reviewed: {review.get_outcome_display().lower()}",
        )
        obligation_meet(
            subject=locked,
            rule_id="PSP-5",
            key=key,
            event=f"guideline reviewed ({outcome})",
            at=dt.datetime.combine(reviewed_on, dt.time(12), tzinfo=LONDON),
            actor=actor,
        )
        if outcome != GuidelineReview.Outcome.RETIRED:
            _schedule_review(locked, actor=actor, after=reviewed_on, in_force=in_force)
    return review


# PSP-10: keeping in touch ----------------------------------------------------------------------


def _upcoming_session(group: SupportGroup, meeting: Meeting) -> None:
    if not group_sessions(group).filter(pk=meeting.pk).exists():
        raise _error("meeting", "Choose one of this group's sessions.", "group_session")
    if meeting.status != Meeting.Status.SCHEDULED or meeting.starts_at <= timezone.now():
        raise _error(
            "meeting", "Apologies are sent for a session still to come.", "session_upcoming"
        )


def apologies_send(
    *,
    actor: Any,
    group: SupportGroup,
    meeting: Meeting,
    person: Person | None = None,
    reason: str = "",
    received_by: str = "",
) -> Participant:
    """A peer says they cannot come (PSP-10), or a facilitator records the text message or call
    that said so. The meetings module records it (and checks staffing if a facilitator is away)."""
    own = _own_person(actor, group.organisation)
    person = person or own
    if person.pk == own.pk:
        _require(
            actor,
            "peers.keep_in_touch",
            group,
            "Only the group's members send apologies for its sessions.",
        )
        received_by = ""
    else:
        _require(
            actor,
            "peers.record_for_peer",
            group,
            "Only the group's facilitators record apologies on a peer's behalf.",
        )
        if received_by not in RECEIVED_BY:
            raise _error(
                "received_by",
                "Say how the apologies came: %(choices)s.",
                "PSP-10",
                choices=", ".join(RECEIVED_BY),
            )
    _upcoming_session(group, meeting)
    return meeting_record_apologies(
        actor=actor, meeting=meeting, person=person, reason=reason, received_by=received_by
    )


def leave_group(
    *, actor: Any, member: GroupMember, reason: str = "", received_by: str = ""
) -> GroupMember:
    """A peer says they are leaving the group (PSP-10), or a facilitator records it from a text
    message or call. Any open "seek news" action for them is no longer needed."""
    group = member.group
    own = _own_person(actor, group.organisation)
    if member.person_id != own.pk:
        _require(
            actor,
            "peers.record_for_peer",
            group,
            "Only the group's facilitators record leaving on a peer's behalf.",
        )
        if received_by not in RECEIVED_BY:
            raise _error(
                "received_by",
                "Say how they let the group know: %(choices)s.",
                "PSP-10",
                choices=", ".join(RECEIVED_BY),
            )
    with transaction.atomic():
        left = member_leave(actor=actor, member=member, reason=reason)
        for obligation in _open_seek_news(group, member.person_id):
            obligation_cancel(
                subject=(SUBJECT_TYPE, group.pk),
                rule_id="PSP-10",
                key=obligation.key,
                reason="The peer left the group.",
                actor=actor,
            )
    return left


def _open_seek_news(group: SupportGroup, person_id: int) -> list[Obligation]:
    return list(
        Obligation.objects.filter(
            subject_type=SUBJECT_TYPE,
            subject_id=str(group.pk),
            rule_id="PSP-10",
            key__startswith=f"seek_news:{person_id}:",
            state=Obligation.State.OPEN,
        )
    )


def _seek_news_due(group: SupportGroup, after: dt.datetime) -> dt.date:
    """By the group's next session: the facilitators bring the news back to the room."""
    upcoming = (
        group_sessions(group)
        .filter(status=Meeting.Status.SCHEDULED, starts_at__gt=after)
        .order_by("starts_at")
        .first()
    )
    start = upcoming.starts_at if upcoming else next_session_start(group, after)
    return timezone.localtime(start, LONDON).date()


def _seek_news_open(
    group: SupportGroup, row: AbsenceRow, *, actor: Any, facilitators: list[Person]
) -> Obligation | None:
    first = row.run[-1]
    key = f"seek_news:{row.person.pk}:{first.meeting_id}"
    subject_id = str(group.pk)
    exists = Obligation.objects.filter(
        subject_type=SUBJECT_TYPE, subject_id=subject_id, rule_id="PSP-10", key=key
    ).exists()
    if exists:
        return None
    try:
        with transaction.atomic():
            return obligation_schedule(
                organisation=group.organisation,
                rule_id="PSP-10",
                param="seek_news_after_absences",
                subject=(SUBJECT_TYPE, subject_id),
                key=key,
                title=f"Seek news of {row.person.display_name} ({group.name})",
                trigger_event=f"{len(row.run)} sessions in a row were missed without news",
                trigger_at=row.run[0].starts_at,
                due_on=max(_seek_news_due(group, timezone.now()), timezone.localdate()),
                assignees=facilitators,
                actor=actor,
            )
    except IntegrityError:
        return None


def absences_check(target: SupportGroup | Meeting, *, actor: Any = None) -> list[Obligation]:
    """Open a "seek news" action (PSP-10) for every current member whose run of absences without
    news reached the number in force. Idempotent: one action per run of absences.

    `target` is a group, or one of its sessions (the group is found from the meeting's subject).
    Apologies are news ("let us know"): they end a run, they do not add to it."""
    if isinstance(target, Meeting):
        if target.subject_type != SUBJECT_TYPE or not target.subject_id.isdigit():
            return []
        found = SupportGroup.objects.filter(
            pk=int(target.subject_id), organisation_id=target.organisation_id
        ).first()
        if found is None:
            return []
        group = found
    else:
        group = target
    in_force = organisation_policy(group.organisation)
    if not in_force.adopts("PSP-10"):
        return []
    threshold = in_force.value("PSP-10", "seek_news_after_absences").value
    if threshold < 1:
        return []
    rows = [r for r in absences(group) if len(r.run) >= threshold]
    if not rows:
        return []
    facilitators = current_facilitators(group)
    opened = []
    for row in rows:
        made = _seek_news_open(group, row, actor=actor, facilitators=facilitators)
        if made is not None:
            opened.append(made)
    return opened


def news_record(*, actor: Any, group: SupportGroup, person: Person, outcome: str) -> NewsRecord:
    """A facilitator records that news of an absent peer came in; only the outcome is kept
    (PSP-9's spirit). It meets the open "seek news" action. "The peer is leaving" also ends
    their membership of the group."""
    _require(
        actor, "peers.record_news", group, "Only the group's facilitators seek news of a peer."
    )
    if outcome not in NewsRecord.Outcome.values:
        raise _error(
            "outcome",
            "Choose news received, the peer is leaving, or could not reach them.",
            "invalid_choice",
        )
    member = GroupMember.objects.current().filter(group=group, person=person).first()
    if member is None:
        raise _error("person", "They are not a current member of this group.", "group_member")
    own = _own_person(actor, group.organisation)
    label = NewsRecord.Outcome(outcome).label
    with transaction.atomic():
        record = NewsRecord.objects.create(
            group=group, person=person, outcome=outcome, recorded_by=own
        )
        audit_change(
            actor=actor,
            organisation=group.organisation,
            instance=record,
            action=Action.CREATE,
            changes={"outcome": [None, outcome], "person": [None, person.pk]},
            summary=f"PSP-10: {label.lower()}",
        )
        if outcome == NewsRecord.Outcome.LEAVING:
            member_leave(actor=actor, member=member, reason="Let the group know they are leaving")
        for obligation in _open_seek_news(group, person.pk):
            if outcome == NewsRecord.Outcome.COULD_NOT_REACH:
                event = "tried to reach them"
            else:
                event = label.lower()
            obligation_meet(
                subject=(SUBJECT_TYPE, group.pk),
                rule_id="PSP-10",
                key=obligation.key,
                event=event,
                actor=actor,
            )
    return record


# PSP-11: eligibility under the charity's objects ------------------------------------------------


def eligibility_record(
    *,
    actor: Any,
    organisation: Organisation,
    person: Person,
    eligible: bool,
    checked_on: dt.date,
    reason: str = "",
) -> EligibilityCheck:
    """Record that a peer is eligible under the charity's objects, or no longer is. No longer
    eligible ends their group memberships, with the reason; nothing else ends them by itself."""
    _require(
        actor,
        "peers.check_eligibility",
        organisation,
        "Only facilitators and the admin record eligibility.",
    )
    if not eligible:
        _require(
            actor,
            "peers.end_eligibility",
            organisation,
            "Only the organisation admin records that someone is no longer eligible.",
        )
    if person.organisation_id != organisation.pk:
        raise _error("person", "Choose someone in this organisation.", "same_organisation")
    _psp(organisation_policy(organisation), "PSP-11")
    _not_future("checked_on", checked_on)
    reason = _text(
        "reason",
        reason,
        limit=NOTE_MAX,
        required=not eligible,
        what="Say why they are no longer eligible (kept confidential).",
    )
    with transaction.atomic():
        check = EligibilityCheck.objects.create(
            organisation=organisation,
            person=person,
            eligible=eligible,
            checked_on=checked_on,
            checked_by=actor,
            reason=reason,
        )
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=check,
            action=Action.CREATE,
            changes={
                "eligible": [None, eligible],
                "person": [None, person.pk],
                "reason": [None, CONFIDENTIAL_MARK if reason else ""],
            },
            summary="PSP-11: eligible under the objects"
            if eligible
            else "PSP-11: no longer eligible under the objects",
        )
        if not eligible:
            for member in (
                GroupMember.objects.current()
                .filter(person=person, group__organisation=organisation)
                .select_related("group", "person")
            ):
                end = max(checked_on, member.starts_on)
                member_leave(
                    actor=actor, member=member, ends_on=end, reason=f"{NOT_ELIGIBLE_REASON}."
                )
    return check


# PSP-12: charity membership and donations -------------------------------------------------------


def charity_join(
    *,
    actor: Any,
    organisation: Organisation,
    supports_objects: bool,
    joined_on: dt.date | None = None,
    person: Person | None = None,
) -> CharityMember:
    """Anyone who supports the objects becomes a member of the charity, for nothing (PSP-12).
    A member joins for themselves; the admin may record someone's membership for them."""
    own = _own_person(actor, organisation)
    person = person or own
    if person.pk != own.pk:
        _require(
            actor,
            "peers.view_charity_members",
            organisation,
            "You can become a member only for yourself.",
        )
    _require(actor, "peers.join_charity", organisation, "You are not in this organisation.")
    if person.organisation_id != organisation.pk:
        raise _error("person", "Choose someone in this organisation.", "same_organisation")
    _psp(organisation_policy(organisation), "PSP-12")
    if supports_objects is not True:
        raise _error(
            "supports_objects",
            "Membership is open to anyone who supports the charity's objects: confirm you do.",
            "PSP-12",
        )
    joined_on = joined_on or timezone.localdate()
    _not_future("joined_on", joined_on)
    try:
        with transaction.atomic():
            member = CharityMember.objects.create(
                organisation=organisation,
                person=person,
                supports_objects=True,
                joined_on=joined_on,
                recorded_by=actor,
            )
            audit_change(
                actor=actor,
                organisation=organisation,
                instance=member,
                action=Action.CREATE,
                changes={"person": [None, person.pk], "joined_on": [None, joined_on.isoformat()]},
                summary="PSP-12: became a member of the charity (free)",
            )
    except IntegrityError as exc:
        raise _error(
            "person",
            "%(name)s is a member already.",
            "charity_member_once",
            name=person.display_name,
        ) from exc
    return member


def donation_record(
    *,
    actor: Any,
    organisation: Organisation,
    amount_pence: int,
    received_on: dt.date,
    donor_name: str = "",
    anonymous: bool = False,
    gift_aid: bool = False,
    note: str = "",
) -> Donation:
    """A voluntary donation (PSP-12). It is recorded for the charity's books and changes
    nothing else: no access, membership or place in a group depends on it."""
    _require(
        actor,
        "peers.manage_donations",
        organisation,
        "Only the organisation admin records donations.",
    )
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int):
        raise _error("amount_pence", "Give the amount in pence as a whole number.", "invalid")
    if not 1 <= amount_pence <= DONATION_MAX_PENCE:
        raise _error(
            "amount_pence",
            "Give an amount between £0.01 and £%(max)s.",
            "min_max",
            max=f"{DONATION_MAX_PENCE // 100:,}",
        )
    _not_future("received_on", received_on)
    donor_name = _text("donor_name", donor_name, limit=NAME_MAX, required=False)
    note = _text("note", note, limit=NOTE_MAX, required=False)
    if anonymous and donor_name:
        raise _error("donor_name", "An anonymous donation has no donor's name.", "anonymous")
    if not anonymous and not donor_name:
        raise _error("donor_name", "Say who gave it, or mark it anonymous.", "required")
    if gift_aid and anonymous:
        raise _error(
            "gift_aid", "Gift Aid needs a named donor's declaration, so not anonymous.", "gift_aid"
        )
    with transaction.atomic():
        donation = Donation.objects.create(
            organisation=organisation,
            amount_pence=amount_pence,
            received_on=received_on,
            donor_name=donor_name,
            anonymous=anonymous,
            gift_aid=gift_aid,
            note=note,
            recorded_by=actor,
        )
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=donation,
            action=Action.CREATE,
            changes={
                "amount_pence": [None, amount_pence],
                "received_on": [None, received_on.isoformat()],
                "gift_aid": [None, gift_aid],
            },
            summary="PSP-12: donation recorded",
        )
    return donation
