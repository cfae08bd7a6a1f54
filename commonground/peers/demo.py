"""The peers module's part of Peer Support Plus's demo (called by commonground/demo/groups.py,
after the groups, way-in and sessions demos).

Builds on what those made and makes what is missing: the Guidelines for Behaviour; in the Tuesday
evening group two agreed guidelines (one due for review soon) and a proposal waiting; apologies
received by text message for the next session; a peer with three absences in a row and an open
"seek news" action; eligibility checks, charity members and a few donations. Everything goes
through the services, as the pages would.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from commonground.groups import services as groups
from commonground.groups.models import GroupMember, SupportGroup
from commonground.groups.selectors import current_facilitators, group_sessions
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_record_attendance
from commonground.obligations.models import Obligation
from commonground.peers import services
from commonground.peers.models import BehaviourGuidelines, GroupGuideline
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.selectors import organisation_policy

GUIDELINES = """We aspire to these Guidelines for Behaviour, in every group, workshop and course.

- We treat facilitators and each other as equals: facilitators are peers too.
- We are kind to ourselves and to others, and we make no judgements.
- We keep to our own experience and keep safe personal boundaries.
- We do not interrupt, except for a question that is needed for clarity, and we have no side
  conversations.
- Everyone has an equal chance to speak in a round, and anyone may pass.
- What is said in the room stays in the room, except under our Safeguarding Policy.
- It is OK to leave the room and OK to come back.
- If you cannot come to a session, or intend to leave the group, please let us know."""


def _person(organisation: Organisation, email: str) -> Person | None:
    return Person.objects.filter(organisation=organisation, email=email).first()


def _group(organisation: Organisation, admin: Person, name: str, weekday: int) -> SupportGroup:
    found = SupportGroup.objects.filter(organisation=organisation, name=name).first()
    if found is not None:
        return found
    return groups.group_create(
        actor=admin.user,
        organisation=organisation,
        name=name,
        weekday=weekday,
        start_time=dt.time(18, 30) if weekday == 1 else dt.time(14, 0),
        venue="Friends Meeting House, small room",
    )


def _ensure_pool(group: SupportGroup, admin: Person, people: list[Person]) -> list[Person]:
    pool = current_facilitators(group)
    for person in people:
        if len(pool) >= 2:
            break
        if person not in pool:
            groups.facilitator_add(
                actor=admin.user,
                group=group,
                person=person,
                starts_on=timezone.localdate() - dt.timedelta(days=400),
            )
            pool = current_facilitators(group)
    return pool


def _ensure_member(group: SupportGroup, admin: Person, person: Person) -> None:
    if not GroupMember.objects.current().filter(group=group, person=person).exists():
        groups.member_add(
            actor=admin.user,
            group=group,
            person=person,
            starts_on=timezone.localdate() - dt.timedelta(days=300),
        )


def _guideline(
    group: SupportGroup,
    proposer: Person,
    facilitator: Person,
    topic: str,
    text: str,
    agreed_days_ago: int,
) -> None:
    guideline = services.guideline_propose(actor=proposer.user, group=group, topic=topic, text=text)
    decided_on = timezone.localdate() - dt.timedelta(days=agreed_days_ago)
    # Proposed the week before the group agreed it (the demo's history starts in the past).
    GroupGuideline.objects.filter(pk=guideline.pk).update(
        proposed_at=timezone.now() - dt.timedelta(days=agreed_days_ago + 7)
    )
    guideline.refresh_from_db()
    services.guideline_decide(
        actor=facilitator.user,
        guideline=guideline,
        agreed=True,
        decided_on=decided_on,
        how_decided="By consensus in the housekeeping round",
    )


def _absent_three_times(group: SupportGroup, facilitator: Person, peer: Person) -> None:
    """Three held sessions in a row without the peer and without news, unless the sessions
    demo already recorded them; then the check opens the "seek news" action."""
    services.absences_check(group, actor=facilitator.user)
    if Obligation.objects.filter(
        subject_type="groups.supportgroup", subject_id=str(group.pk), rule_id="PSP-10"
    ).exists():
        return
    pool = current_facilitators(group)[:2]
    held = group_sessions(group).filter(status=Meeting.Status.HELD)
    latest = held.order_by("-starts_at").first()
    first = latest.starts_at if latest else timezone.now() - dt.timedelta(weeks=4)
    for week in range(1, 4):
        start = first + dt.timedelta(weeks=week)
        if start >= timezone.now():
            start = timezone.now() - dt.timedelta(days=7 * (4 - week) + 1)
        meeting = groups.session_schedule(
            actor=facilitator.user, group=group, facilitators=pool, starts_at=start
        )
        marks = {p.person_id: "attended" for p in meeting.participants.all()}
        marks[peer.pk] = "absent"
        meeting_record_attendance(actor=facilitator.user, meeting=meeting, attendance=marks)
    services.absences_check(group, actor=facilitator.user)


def load(organisation: Organisation) -> None:
    admin = _person(organisation, "admin@psp.demo")
    facilitator = _person(organisation, "facilitator@psp.demo")
    peer = _person(organisation, "peer@psp.demo")
    if admin is None or facilitator is None or peer is None:
        return
    if not organisation_policy(organisation).adopts("PSP-5"):
        return
    if BehaviourGuidelines.objects.filter(organisation=organisation).exists():
        return
    services.behaviour_guidelines_set(
        actor=admin.user, organisation=organisation, text=GUIDELINES, change_note="First version"
    )
    others = list(
        Person.objects.filter(organisation=organisation, user__isnull=True)
        .exclude(roles__role="facilitator")
        .order_by("pk")[:4]
    )
    today = timezone.localdate()
    current = RoleAssignment.objects.current().filter(
        organisation=organisation, role=Role.FACILITATOR
    )
    trained = [facilitator] + [
        p
        for p in Person.objects.filter(pk__in=current.values("person_id"))
        .exclude(pk=facilitator.pk)
        .order_by("pk")
        if any(q.expires_on is None or q.expires_on > today for q in p.qualifications.all())
    ]
    tuesday = _group(organisation, admin, "Tuesday evening group", 1)
    _group(organisation, admin, "Thursday afternoon group", 3)
    pool = _ensure_pool(tuesday, admin, trained)
    lead = facilitator if facilitator in pool else pool[0]
    if lead.user is None:
        return
    for person in [peer, *others[:3]]:
        _ensure_member(tuesday, admin, person)
    # PSP-5: two agreed guidelines (one due for review within the month) and one proposal.
    review_every = organisation_policy(organisation).value("PSP-5", "guideline_review_every")
    back = review_every.before(timezone.localdate())
    start = back.date() if isinstance(back, dt.datetime) else back
    # Due within the organisation's "due soon" window, so it shows as due soon.
    soon = (timezone.localdate() - start).days - max(1, settings.OBLIGATION_DUE_SOON_DAYS - 1)
    _guideline(
        tuesday, peer, lead, "phones", "Phones on silent, and out of sight, during rounds.", soon
    )
    _guideline(
        tuesday,
        peer,
        lead,
        "lighting",
        "We use the lamps rather than the overhead strip light.",
        30,
    )
    services.guideline_propose(
        actor=peer.user,
        group=tuesday,
        topic="eating_drinking",
        text="Hot drinks are fine; we keep food for the break.",
    )
    # PSP-10: the next session, with apologies received by text message.
    upcoming = (
        group_sessions(tuesday)
        .filter(status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if upcoming is None:
        upcoming = groups.session_schedule(
            actor=lead.user, group=tuesday, facilitators=current_facilitators(tuesday)[:2]
        )
    invited = [
        p.person
        for p in upcoming.participants.select_related("person")
        if p.role == "attendee" and p.person_id != peer.pk
    ]
    if invited and upcoming.participants.filter(person=lead).exists():
        services.apologies_send(
            actor=lead.user,
            group=tuesday,
            meeting=upcoming,
            person=invited[0],
            received_by="text message",
        )
    absent = others[3] if len(others) > 3 else None
    if absent is not None:
        _ensure_member(tuesday, admin, absent)
        _absent_three_times(tuesday, lead, absent)
    # PSP-11: eligibility confirmed; PSP-12: members of the charity and donations.
    services.eligibility_record(
        actor=admin.user, organisation=organisation, person=peer, eligible=True, checked_on=today
    )
    services.charity_join(actor=peer.user, organisation=organisation, supports_objects=True)
    for days, pence, name, gift in (
        (40, 2_000, "Rosa Whitfield", True),
        (25, 500, "", False),
        (10, 15_000, "Millbrook Rotary Club", False),
        (3, 1_000, "", False),
    ):
        services.donation_record(
            actor=admin.user,
            organisation=organisation,
            amount_pence=pence,
            received_on=today - dt.timedelta(days=days),
            donor_name=name,
            anonymous=not name,
            gift_aid=gift,
            note="Raffle at the summer fair" if pence == 15_000 else "",
        )
