"""Demo records for the S&W group of ASH Housing Co-op, made through the services.

`load(organisation)` gives the group this year's budget, a few approved spending requests in the
ledger (one shown with its three agreements), one request waiting for agreement, and a history
of group meetings in which one member has missed the last three. Loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import User
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_change
from commonground.meetings.models import Participant
from commonground.meetings.services import meeting_record_attendance
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.selectors import organisation_policy
from commonground.swgroup import services
from commonground.swgroup.health import sw_members
from commonground.swgroup.models import Budget

BUDGET = {
    "meeting_spaces": 80_000,
    "external_facilitators": 150_000,
    "training": 120_000,
    "support_to_move_on": 300_000,
    "temporary_accommodation": 200_000,
}
SPENT = (
    ("meeting_spaces", 4_500, "Community hall for a Group Meeting"),
    ("training", 36_000, "Introductory course on conflict facilitation for two members"),
    ("external_facilitators", 27_500, "External facilitator for a complex Group Meeting"),
)


def _signs_in(person: Person, password_hash: str) -> Person:
    """Agreeing is done by the member themselves, so each needs a login; demo members without
    one get one with the demo password (the same hash as the other demo logins)."""
    if person.user_id is None and person.email:
        user = User.objects.create_user(person.email)
        user.password = password_hash
        user.save(update_fields=["password"])
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        audit_change(
            actor=None,
            organisation=person.organisation,
            instance=person,
            action=AuditEntry.Action.UPDATE,
            changes={"login": [None, "demo login"]},
            summary="Login given",
            reason="Demo data",
        )
    return person


def load(organisation: Organisation) -> None:
    if Budget.objects.filter(organisation=organisation).exists():
        return
    admin = (
        RoleAssignment.objects.current()
        .filter(organisation=organisation, role=Role.ORG_ADMIN, person__user__isnull=False)
        .select_related("person__user")
        .first()
    )
    actor = admin.person.user if admin is not None else None
    if actor is None:
        return
    today = timezone.localdate()
    # Members then and now, so that every one of them was invited to every demo meeting.
    now = {p.pk for p in sw_members(organisation, today)}
    members = [
        _signs_in(p, actor.password)
        for p in sw_members(organisation, today - dt.timedelta(days=60))
        if p.pk in now
    ]
    members = [p for p in members if p.user_id is not None]
    needed, _ = services.approvals_needed(organisation_policy(organisation))
    if len(members) < needed + 1:
        return
    with transaction.atomic():
        services.budget_set(
            actor=actor,
            organisation=organisation,
            starts_on=today.replace(month=1, day=1),
            amounts=BUDGET,
        )
        for n, (category, amount, reason) in enumerate(SPENT):
            request = services.spending_request_create(
                actor=members[n % len(members)].user,
                organisation=organisation,
                category=category,
                amount_pence=amount,
                reason=reason,
            )
            for member in members[:needed]:
                services.spending_approve(actor=member.user, request=request)
        pending = services.spending_request_create(
            actor=members[0].user,
            organisation=organisation,
            category="support_to_move_on",
            amount_pence=75_000,
            reason="Deposit for a member who would like to move on",
        )
        services.spending_approve(actor=members[0].user, request=pending)
        # Four group meetings, a fortnight apart; the last member listed missed the last three.
        missing = members[-1]
        for weeks_ago in (8, 6, 4, 2):
            meeting = services.group_meeting_schedule(
                actor=actor,
                organisation=organisation,
                starts_at=timezone.now().replace(hour=18, minute=30, second=0, microsecond=0)
                - dt.timedelta(weeks=weeks_ago),
                duration=dt.timedelta(minutes=90),
                convenor=members[0],
                place="Common room",
            )
            attendance = {
                p.person_id: Participant.Status.ATTENDED for p in meeting.participants.all()
            }
            if weeks_ago < 8 and missing.pk in attendance:
                attendance[missing.pk] = (
                    Participant.Status.APOLOGIES if weeks_ago == 4 else Participant.Status.ABSENT
                )
            meeting_record_attendance(actor=actor, meeting=meeting, attendance=attendance)
