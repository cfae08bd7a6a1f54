"""Every change to a case goes through one of these functions.

Each checks the actor's permission and the policy, writes in one transaction with the case row
locked (so two people pressing the same button at once cannot issue anything twice), records the
audit entry on the case (its timeline), moves the case's deadlines and queues notifications on
commit. Bad input raises ValidationError naming the field, with the rule id as its code where a
rule refuses it, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commonground.agreements.kinds import Kind as AgreementKind
from commonground.agreements.kinds import PartyRole
from commonground.agreements.models import Agreement, AgreementReview
from commonground.agreements.services import agreement_create, agreement_review_record
from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_record
from commonground.casework.models import (
    Case,
    CaseParty,
    CaseSupporter,
    ConfidentialNote,
    RelationshipDeclaration,
    SupportOffer,
)
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting, Participant
from commonground.meetings.services import meeting_schedule
from commonground.notifications.services import notify
from commonground.obligations.models import Obligation
from commonground.obligations.services import (
    obligation_cancel,
    obligation_meet,
    obligation_schedule,
)
from commonground.people.models import Organisation, Person, Qualification, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.selectors import PolicyNotAdopted, organisation_policy
from commonground.policies.values import LONDON, Choices, Count, Duration

Action = AuditEntry.Action
SUBJECT = "casework.case"
TITLE_MAX = 120
HOUR = dt.timedelta(hours=1)
TEXT_MAX = 10_000

# Events a party sees on their case's timeline; the rest is for the supporters and the admin.
PARTY_EVENTS = frozenset(
    {
        "requested",
        "supporter_assigned",
        "initial_conversation",
        "path",
        "group_meeting_scheduled",
        "group_meeting",
        "shared_agreement",
        "review",
    }
)

# ASH-25: what the co-op recommends when a conflict involves violence, threats or crime.
EXTERNAL_ROUTE = (
    "This is outside what the co-op can investigate itself. We recommend contacting the police "
    "or the appropriate external agency directly (999 in an emergency, 101 otherwise); the "
    "Support & Wellbeing group can help you do that. With an immediate threat to anyone's "
    "safety, the group may contact the authorities itself. Support from the group can continue "
    "alongside an external investigation."
)


def _error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)


def _link(case: Case) -> str:
    return reverse("casework:case_detail", kwargs={"org": case.organisation.slug, "pk": case.pk})


def _event(
    actor: Any,
    case: Case,
    event: str,
    summary: str,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    """One line on the case's timeline, in the audit log."""
    audit_record(
        actor=actor,
        organisation=case.organisation,
        action=Action.CREATE if event == "requested" else Action.UPDATE,
        object_type=SUBJECT,
        object_id=case.pk,
        summary=summary,
        changes={"event": [None, event], **(changes or {})},
        reason=reason,
    )


def _aware(value: Any, field: str, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise _error(field, "Give the date and time %(what)s.", "required", what=what)
    return value


def _not_future(value: dt.datetime, field: str) -> None:
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise _error(
            field,
            "This records something that has happened, so it cannot be in the future.",
            "not_in_future",
        )


def _set_stage(actor: Any, case: Case, stage: str, summary: str, event: str) -> None:
    old = case.stage
    case.stage = stage
    case.save(update_fields=["stage", "updated_at"])
    _event(actor, case, event, summary, {"stage": [old, stage]})


def _facilitators(case: Case, on: dt.date | None = None) -> list[Person]:
    """The current pair and any external facilitator: who hosts the case's meetings."""
    day = on or timezone.localdate()
    rows = (
        CaseSupporter.objects.filter(
            case=case,
            role__in=[CaseSupporter.Role.FACILITATOR, CaseSupporter.Role.EXTERNAL],
            starts_on__lte=day,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("person")
        .order_by("role", "pk")
    )
    return [row.person for row in rows]


def _pair(case: Case) -> list[Person]:
    today = timezone.localdate()
    return [
        row.person
        for row in CaseSupporter.objects.filter(
            case=case, role=CaseSupporter.Role.FACILITATOR, starts_on__lte=today
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("person")
    ]


def _held_meeting(
    *,
    actor: Any,
    case: Case,
    kind: str,
    held_at: dt.datetime,
    attendees: Sequence[Person],
    meets_rule_id: str = "",
    meets_key: str = "",
    title: str = "",
    duration: dt.timedelta = HOUR,
) -> Meeting:
    """A meeting recorded after it happened, hosted by the case's facilitators."""
    # Recorded after the fact by the case's current hosts.
    facilitators = _facilitators(case)
    if not facilitators:
        raise _error(
            "held_at",
            "Assign the pair first: their meetings are hosted by S&W facilitators (ASH-19).",
            "ASH-19",
        )
    host_ids = {p.pk for p in facilitators}
    meeting = Meeting.objects.create(
        organisation=case.organisation,
        kind=kind,
        title=title or str(MeetingKind(kind).label),
        starts_at=held_at,
        duration=duration,
        subject_type=SUBJECT,
        subject_id=str(case.pk),
        meets_rule_id=meets_rule_id,
        meets_key=meets_key,
        status=Meeting.Status.HELD,
        created_by=_user(actor),
    )
    Participant.objects.bulk_create(
        [
            Participant(
                meeting=meeting,
                person=person,
                role=Participant.Role.LEAD if i == 0 else Participant.Role.CO,
                status=Participant.Status.ATTENDED,
            )
            for i, person in enumerate(facilitators)
        ]
        + [
            Participant(
                meeting=meeting,
                person=person,
                role=Participant.Role.ATTENDEE,
                status=Participant.Status.ATTENDED,
            )
            for person in attendees
            if person.pk not in host_ids
        ]
    )
    if meets_rule_id:
        obligation_meet(
            subject=case,
            rule_id=meets_rule_id,
            key=meets_key,
            event=f"{meeting.get_kind_display().lower()} held",
            at=held_at,
            actor=actor,
        )
    return meeting


def _share_deadlines_with_pair(case: Case) -> None:
    pair = _pair(case)
    for obligation in Obligation.objects.filter(
        subject_type=SUBJECT, subject_id=str(case.pk), state=Obligation.State.OPEN
    ):
        obligation.assignees.set(pair)


def _sw_members(organisation: Organisation) -> list[Person]:
    ids = (
        RoleAssignment.objects.current()
        .filter(organisation=organisation, role=Role.SW_MEMBER)
        .values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=ids))


# Request and intake (ASH-1, ASH-25) -----------------------------------------------------------


def next_reference(organisation: Organisation, year: int) -> str:
    prefix = f"C-{year}-"
    taken = Case.objects.filter(organisation=organisation, reference__startswith=prefix)
    numbers = [
        int(r[len(prefix) :])
        for r in taken.values_list("reference", flat=True)
        if r[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def case_request(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    parties: Iterable[Person],
    summary: str = "",
    requested_by: Person | None = None,
    received_at: dt.datetime | None = None,
) -> Case:
    """A request for help with a conflict, from a member for themselves or recorded by the office
    or S&W on someone's behalf. The initial conversation is then due (ASH-1)."""
    _require(actor, "casework.request_case", organisation, "Only members can ask for help here.")
    from commonground.access.policy import standing

    own = standing(actor, organisation).person if actor is not None else None
    on_behalf = requested_by is not None and (own is None or requested_by.pk != own.pk)
    if on_behalf:
        _require(
            actor,
            "casework.request_on_behalf",
            organisation,
            "Only the office or the Support & Wellbeing group can ask on someone else's behalf.",
        )
    requester = requested_by or own
    title = (title or "").strip()
    if not title:
        raise _error("title", "Give the request a short title.", "required")
    if len(title) > TITLE_MAX:
        raise _error(
            "title", "Keep the title under %(max)s characters.", "max_length", max=TITLE_MAX
        )
    summary = (summary or "").strip()
    if len(summary) > TEXT_MAX:
        raise _error("summary", "Keep this under %(max)s characters.", "max_length", max=TEXT_MAX)
    people: dict[int, Person] = {}
    for person in parties:
        if person.organisation_id != organisation.pk:
            raise _error("parties", "Choose people in this organisation.", "case_party_here")
        people.setdefault(person.pk, person)
    if requester is not None and requester.organisation_id == organisation.pk:
        # The member asking is in the conflict themselves.
        people = {requester.pk: requester, **people}
    if len(people) < 2:
        raise _error(
            "parties",
            "Name who else is involved: a conflict has at least two people in it.",
            "case_parties_needed",
        )
    received = received_at or timezone.now()
    received = _aware(received, "received_at", "the request was received")
    _not_future(received, "received_at")
    policy = organisation_policy(organisation)
    if not policy.adopts("ASH-1"):
        raise _error(
            "title",
            "This organisation has not adopted the Support and Wellbeing Policy.",
            "ASH-1",
        )
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        year = timezone.localtime(received, LONDON).year
        case = Case.objects.create(
            organisation=organisation,
            reference=next_reference(organisation, year),
            title=title,
            summary=summary,
            requested_by=requester,
            received_via=Case.ReceivedVia.OFFICE if on_behalf else Case.ReceivedVia.MEMBER,
            received_at=received,
            recorded_by=_user(actor),
        )
        for i, person in enumerate(people.values()):
            CaseParty.objects.create(case=case, person=person, alias=f"Member {chr(65 + i)}")
        _event(
            actor,
            case,
            "requested",
            f"Request received{' through the office' if on_behalf else ''}",
            {
                "reference": [None, case.reference],
                "title": [None, title],
                "summary": [None, CONFIDENTIAL_MARK if summary else ""],
                "parties": [None, len(people)],
            },
        )
        # ASH-1: the initial conversation within 3 days of S&W receiving the request.
        obligation_schedule(
            organisation=organisation,
            rule_id="ASH-1",
            param="within",
            subject=case,
            title=f"Hold the initial conversation for {case.reference}",
            trigger_event="the request was received",
            trigger_at=received,
            oversight_role=Role.SW_MEMBER,
            actor=actor,
            in_force=policy,
        )
        notify(
            organisation=organisation,
            recipients=[p for p in _sw_members(organisation) if p.pk not in people],
            kind="casework.requested",
            dedupe_key=f"case:{case.pk}:requested",
            subject=f"A new request for support: {case.reference}",
            body="A member has asked the Support & Wellbeing group for help with a conflict. "
            "Two of the group are needed to support it.",
            link=_link(case),
        )
    return case


def case_screen(
    *,
    actor: Any,
    case: Case,
    outside_internal_support: bool,
    authorities_contacted: bool = False,
    authorities_contacted_by: str = "",
    external_investigation: bool = False,
    external_route: str = "",
) -> Case:
    """ASH-25: record whether the conflict involves violence, threats or crime, the external route
    recommended, whether the authorities were contacted and by whom, and whether an external
    investigation runs alongside (internal support may continue with it)."""
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can screen it.",
    )
    authorities_contacted_by = (authorities_contacted_by or "").strip()
    if authorities_contacted and not authorities_contacted_by:
        raise _error(
            "authorities_contacted_by",
            "Say who contacted the authorities (the member, an S&W member, the office).",
            "ASH-25",
        )
    if len(authorities_contacted_by) > 200:
        raise _error("authorities_contacted_by", "Keep this under 200 characters.", "max_length")
    route = (external_route or "").strip() or (EXTERNAL_ROUTE if outside_internal_support else "")
    if len(route) > TEXT_MAX:
        raise _error(
            "external_route", "Keep this under %(max)s characters.", "max_length", max=TEXT_MAX
        )
    with transaction.atomic():
        case = _locked(case)
        before = {
            "outside_internal_support": case.outside_internal_support,
            "authorities_contacted": case.authorities_contacted,
            "external_investigation": case.external_investigation,
        }
        case.outside_internal_support = bool(outside_internal_support)
        case.external_route = route
        case.authorities_contacted = bool(authorities_contacted)
        case.authorities_contacted_by = authorities_contacted_by if authorities_contacted else ""
        case.external_investigation = bool(external_investigation)
        case.screened_at = timezone.now()
        case.save()
        after = {
            "outside_internal_support": case.outside_internal_support,
            "authorities_contacted": case.authorities_contacted,
            "external_investigation": case.external_investigation,
        }
        _event(
            actor,
            case,
            "screening",
            "Screened for violence, threats or crime (ASH-25)"
            + (": outside internal support" if case.outside_internal_support else ""),
            {k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return case


# The pair (ASH-19, ASH-20) --------------------------------------------------------------------


def pair_size(organisation: Organisation) -> int:
    value = organisation_policy(organisation).value("ASH-19", "supporters_per_case")
    return value.value if isinstance(value, Count) else int(value)


def facilitator_qualification(organisation: Organisation) -> str:
    return str(organisation_policy(organisation).value("ASH-20", "facilitator_qualification").code)


def may_facilitate(person: Person, organisation: Organisation, on: dt.date | None = None) -> bool:
    """ASH-20: a current S&W member who has attended the introductory course."""
    day = on or timezone.localdate()
    is_member = (
        RoleAssignment.objects.current(day).filter(person=person, role=Role.SW_MEMBER).exists()
    )
    has_course = (
        Qualification.objects.current(day)
        .filter(person=person, kind=facilitator_qualification(organisation))
        .exists()
    )
    return is_member and has_course


def conflicted_ids(case: Case) -> set[int]:
    """Who can never support the case: its parties and anyone who declared a close relationship."""
    return set(case.parties.values_list("person_id", flat=True)) | set(
        case.declarations.values_list("person_id", flat=True)
    )


def supporter_assign(
    *,
    actor: Any,
    case: Case,
    person: Person,
    role: str,
    ends_on: dt.date | None = None,
) -> CaseSupporter:
    """Put someone on the case: a facilitator of the pair (ASH-19; only with the course, ASH-20),
    an S&W member helping with admin, or an external facilitator until an end date."""
    _require(
        actor,
        "casework.assign_supporter",
        case,
        "Only the Support & Wellbeing group or the admin can assign supporters.",
    )
    if role not in CaseSupporter.Role.values:
        raise _error(
            "role", "Choose facilitator, admin help or external facilitator.", "invalid_choice"
        )
    organisation = case.organisation
    if person.organisation_id != organisation.pk:
        raise _error("person", "Choose someone in this organisation.", "case_supporter_here")
    today = timezone.localdate()
    if role == CaseSupporter.Role.EXTERNAL and ends_on is None:
        raise _error(
            "ends_on",
            "An external facilitator sees this case only until an end date; give one.",
            "required",
        )
    if ends_on is not None and ends_on < today:
        raise _error("ends_on", "The end date cannot be in the past.", "not_in_past")
    if role == CaseSupporter.Role.FACILITATOR and not may_facilitate(person, organisation):
        raise _error(
            "person",
            "%(name)s has not attended the introductory course on conflict facilitation, or is "
            "not a current S&W member, so cannot facilitate (ASH-20); they may help with admin.",
            "ASH-20",
            name=person.display_name,
        )
    if (
        role == CaseSupporter.Role.ADMIN
        and not RoleAssignment.objects.current().filter(person=person, role=Role.SW_MEMBER).exists()
    ):
        raise _error(
            "person",
            "Admin help on a case is for S&W members; %(name)s is not one.",
            "ASH-20",
            name=person.display_name,
        )
    with transaction.atomic():
        case = _locked(case)
        if person.pk in conflicted_ids(case):
            raise _error(
                "person",
                "%(name)s is in this conflict or close to someone in it, so cannot support it.",
                "ASH-19",
                name=person.display_name,
            )
        existing = CaseSupporter.objects.filter(case=case, person=person).first()
        if existing is not None and existing.is_current():
            raise _error(
                "person",
                "%(name)s is supporting this case already.",
                "case_supporter_once",
                name=person.display_name,
            )
        if role == CaseSupporter.Role.FACILITATOR and len(_pair(case)) >= pair_size(organisation):
            raise _error(
                "person",
                "This case has its pair already (%(size)s facilitators, ASH-19).",
                "ASH-19",
                size=pair_size(organisation),
            )
        if existing is not None:
            existing.role, existing.starts_on, existing.ends_on = role, today, ends_on
            existing.assigned_by, existing.assigned_at = _user(actor), timezone.now()
            existing.save()
            supporter = existing
        else:
            supporter = CaseSupporter.objects.create(
                case=case, person=person, role=role, ends_on=ends_on, assigned_by=_user(actor)
            )
        _event(
            actor,
            case,
            "supporter_assigned",
            f"{person.display_name} assigned: {supporter.get_role_display().lower()}",
            {"supporter": [None, person.pk], "role": [None, role], "ends_on": [None, ends_on]},
        )
        _share_deadlines_with_pair(case)
        notify(
            organisation=organisation,
            recipients=[person],
            kind="casework.assigned",
            dedupe_key=f"case:{case.pk}:supporter:{supporter.pk}:{supporter.assigned_at:%Y%m%d%H%M%S}",
            subject=f"You are supporting {case.reference}",
            body=f"You have been assigned to {case.reference} as "
            f"{supporter.get_role_display().lower()}.",
            link=_link(case),
        )
    return supporter


REASON_MAX = 300


def supporter_end(
    *, actor: Any, supporter: CaseSupporter, reason: str, ends_on: dt.date | None = None
) -> CaseSupporter:
    """Someone stops supporting the case early, for a reason kept in the audit log: their access
    ends after `ends_on` (yesterday unless given), and the pair's deadlines follow (ASH-19)."""
    case = supporter.case
    _require(
        actor, "casework.assign_supporter", case, "Only S&W or the admin can change supporters."
    )
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "Say why their support ends early.", "required")
    if len(reason) > REASON_MAX:
        raise _error("reason", "Keep it under %(max)s characters.", "max_length", max=REASON_MAX)
    day = ends_on or timezone.localdate() - dt.timedelta(days=1)
    with transaction.atomic():
        case = _locked(case)
        supporter = CaseSupporter.objects.select_for_update().get(pk=supporter.pk)
        if not supporter.is_current():
            raise _error(
                "reason",
                "%(name)s no longer supports this case.",
                "case_supporter_current",
                name=supporter.person.display_name,
            )
        old = supporter.ends_on
        # Ended the day it began, it never gave access: the day before its start.
        supporter.ends_on = max(day, supporter.starts_on - dt.timedelta(days=1))
        supporter.save(update_fields=["ends_on"])
        _event(
            actor,
            case,
            "supporter_ended",
            f"{supporter.person.display_name} no longer supports the case",
            {"supporter": [supporter.person_id, None], "ends_on": [old, supporter.ends_on]},
            reason=reason,
        )
        _share_deadlines_with_pair(case)
    return supporter


def relationship_declare(*, actor: Any, case: Case, note: str = "") -> RelationshipDeclaration:
    """An S&W member declares a close relationship with a party: they cannot support the case."""
    _require(actor, "casework.declare_relationship", case, "Only S&W members declare this.")
    from commonground.access.policy import standing

    own = standing(actor, case.organisation).person
    assert own is not None
    note = (note or "").strip()[:300]
    with transaction.atomic():
        case = _locked(case)
        declaration, made = RelationshipDeclaration.objects.get_or_create(
            case=case, person=own, defaults={"note": note}
        )
        if made:
            _event(actor, case, "declaration", "An S&W member declared a close relationship")
            CaseSupporter.objects.filter(case=case, person=own).filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate())
            ).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    return declaration


# The path (ASH-1 to ASH-6) --------------------------------------------------------------------


def initial_conversation_record(*, actor: Any, case: Case, held_at: dt.datetime) -> Meeting:
    """The initial conversation was held: it meets ASH-1."""
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can record this.",
    )
    held_at = _aware(held_at, "held_at", "the conversation was held")
    _not_future(held_at, "held_at")
    with transaction.atomic():
        case = _locked(case)
        if case.stage != Case.Stage.REQUESTED:
            raise _error("held_at", "The initial conversation was recorded already.", "case_stage")
        if held_at < case.received_at - dt.timedelta(minutes=5):
            raise _error("held_at", "It cannot be before the request was received.", "case_order")
        attendee = case.requested_by
        party_people = [p.person for p in case.parties.select_related("person")]
        if attendee is None or attendee.pk not in {p.pk for p in party_people}:
            attendee = party_people[0]
        meeting = _held_meeting(
            actor=actor,
            case=case,
            kind=MeetingKind.INITIAL_CONVERSATION,
            held_at=held_at,
            attendees=[attendee],
            meets_rule_id="ASH-1",
        )
        case.initial_conversation_at = held_at
        case.save(update_fields=["initial_conversation_at", "updated_at"])
        _set_stage(
            actor,
            case,
            Case.Stage.INITIAL_CONVERSATION,
            "Initial conversation held",
            "initial_conversation",
        )
    return meeting


PATHS = {
    "self_managed": "The member addresses it themselves",
    "facilitated": "Facilitated conversations",
}


def path_choose(*, actor: Any, case: Case, path: str) -> Case:
    """After the initial conversation: the member addresses it themselves (ASH-2: the case stays
    open for support, no meetings due), or facilitated conversations begin and the Group
    Meeting is due within 3 weeks of the initial conversation (ASH-4)."""
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can choose the path.",
    )
    if path not in PATHS:
        raise _error("path", "Choose self-managed or facilitated.", "invalid_choice")
    with transaction.atomic():
        case = _locked(case)
        allowed = {Case.Stage.INITIAL_CONVERSATION} | (
            {Case.Stage.SELF_MANAGED}
            if path == "facilitated"
            else {Case.Stage.INDIVIDUAL_CONVERSATIONS}
        )
        if case.stage not in allowed:
            raise _error(
                "path",
                "The path is chosen after the initial conversation; this case is at “%(stage)s”.",
                "case_stage",
                stage=case.get_stage_display(),
            )
        if path == "self_managed":
            # ASH-2: open for support, but no meetings are needed.
            obligation_cancel(
                subject=case,
                rule_id="ASH-4",
                reason="The member chose to address the matter themselves (ASH-2).",
                actor=actor,
            )
            _set_stage(
                actor,
                case,
                Case.Stage.SELF_MANAGED,
                "The member chose to address it themselves (ASH-2)",
                "path",
            )
        else:
            assert case.initial_conversation_at is not None
            obligation = obligation_schedule(
                organisation=case.organisation,
                rule_id="ASH-4",
                param="within",
                subject=case,
                title=f"Hold the Group Meeting for {case.reference}",
                trigger_event="the initial conversation was held",
                trigger_at=case.initial_conversation_at,
                assignees=_pair(case),
                oversight_role=Role.SW_MEMBER,
                actor=actor,
            )
            if obligation.state == Obligation.State.CANCELLED:
                obligation.state = Obligation.State.OPEN
                obligation.waived_reason = ""
                obligation.save(update_fields=["state", "waived_reason", "updated_at"])
            _set_stage(
                actor,
                case,
                Case.Stage.INDIVIDUAL_CONVERSATIONS,
                "Facilitated conversations chosen",
                "path",
            )
    return case


def individual_conversation_record(
    *, actor: Any, case: Case, party: CaseParty, held_at: dt.datetime
) -> Meeting:
    """An individual conversation with one party (ASH-3); only they and the supporters see it."""
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can record this.",
    )
    if party.case_id != case.pk:
        raise _error("party", "Choose a member in this case.", "case_party")
    held_at = _aware(held_at, "held_at", "the conversation was held")
    _not_future(held_at, "held_at")
    with transaction.atomic():
        case = _locked(case)
        if case.stage != Case.Stage.INDIVIDUAL_CONVERSATIONS:
            raise _error(
                "held_at",
                "Individual conversations happen on the facilitated path, before the Group Meeting.",
                "case_stage",
            )
        meeting = _held_meeting(
            actor=actor,
            case=case,
            kind=MeetingKind.INDIVIDUAL_CONVERSATION,
            held_at=held_at,
            attendees=[party.person],
            meets_key=f"party:{party.pk}",
            title=f"Individual conversation with {party.alias}",
        )
        _event(
            actor,
            case,
            "individual_conversation",
            f"Individual conversation with {party.alias} held",
        )
    return meeting


def missing_individual_conversations(case: Case) -> list[CaseParty]:
    """ASH-3: the parties who have not had their individual conversation yet."""
    held = set(
        Meeting.objects.filter(
            subject_type=SUBJECT,
            subject_id=str(case.pk),
            kind=MeetingKind.INDIVIDUAL_CONVERSATION,
            status=Meeting.Status.HELD,
        ).values_list("participants__person_id", flat=True)
    )
    return [p for p in case.parties.select_related("person") if p.person_id not in held]


def _ash3_gate(case: Case, field: str) -> None:
    missing = missing_individual_conversations(case)
    if missing:
        names = ", ".join(f"{p.alias} ({p.person.display_name})" for p in missing)
        raise _error(
            field,
            "The Group Meeting waits until everyone involved has had an individual conversation "
            "(ASH-3). Still to have one: %(names)s.",
            "ASH-3",
            names=names,
        )


def group_meeting_schedule(
    *,
    actor: Any,
    case: Case,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    place: str = "",
) -> Meeting:
    """Schedule the Group Meeting of everyone in the conflict (ASH-4), hosted by the pair or an
    external facilitator; refused until every party's individual conversation is held (ASH-3)."""
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can schedule it.",
    )
    with transaction.atomic():
        case = _locked(case)
        if case.stage != Case.Stage.INDIVIDUAL_CONVERSATIONS:
            raise _error(
                "starts_at", "The Group Meeting follows the individual conversations.", "case_stage"
            )
        _ash3_gate(case, "starts_at")
        if not _facilitators(case):
            raise _error(
                "starts_at", "Assign the pair or an external facilitator first (ASH-4).", "ASH-4"
            )
        meeting = meeting_schedule(
            actor=actor,
            organisation=case.organisation,
            kind=MeetingKind.GROUP_MEETING,
            starts_at=starts_at,
            duration=duration,
            facilitators=_facilitators(case),
            attendees=[p.person for p in case.parties.select_related("person")],
            title=f"Group Meeting for {case.reference}",
            place=place,
            place_confidential=True,
            subject=case,
            meets_rule_id="ASH-4",
        )
        _event(
            actor,
            case,
            "group_meeting_scheduled",
            "Group Meeting scheduled",
            {"meeting": [None, meeting.pk]},
        )
    return meeting


def group_meeting_record(
    *, actor: Any, case: Case, held_at: dt.datetime, meeting: Meeting | None = None
) -> Meeting:
    """The Group Meeting was held (ASH-4 met); Shared Agreements can now be made (ASH-5)."""
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can record this.",
    )
    held_at = _aware(held_at, "held_at", "the meeting was held")
    _not_future(held_at, "held_at")
    with transaction.atomic():
        case = _locked(case)
        if case.stage != Case.Stage.INDIVIDUAL_CONVERSATIONS:
            raise _error(
                "held_at", "The Group Meeting follows the individual conversations.", "case_stage"
            )
        _ash3_gate(case, "held_at")
        if meeting is None:
            meeting = (
                Meeting.objects.filter(
                    subject_type=SUBJECT,
                    subject_id=str(case.pk),
                    kind=MeetingKind.GROUP_MEETING,
                    status=Meeting.Status.SCHEDULED,
                )
                .order_by("starts_at")
                .first()
            )
        if meeting is not None:
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
            meeting.status = Meeting.Status.HELD
            meeting.starts_at = held_at
            meeting.save(update_fields=["status", "starts_at", "updated_at"])
            meeting.participants.update(status=Participant.Status.ATTENDED)
            obligation_meet(
                subject=case, rule_id="ASH-4", event="group meeting held", at=held_at, actor=actor
            )
        else:
            meeting = _held_meeting(
                actor=actor,
                case=case,
                kind=MeetingKind.GROUP_MEETING,
                held_at=held_at,
                attendees=[p.person for p in case.parties.select_related("person")],
                meets_rule_id="ASH-4",
                title=f"Group Meeting for {case.reference}",
                duration=dt.timedelta(hours=2),
            )
        _set_stage(actor, case, Case.Stage.GROUP_MEETING, "Group Meeting held", "group_meeting")
    return meeting


def shared_agreement_draft(
    *, actor: Any, case: Case, title: str, agreements: str, needs: str = ""
) -> Agreement:
    """ASH-5: the Shared Agreement made at the Group Meeting, for every party to sign. Once all
    have signed, the agreements app schedules the review one month on (ASH-6)."""
    _require(
        actor, "casework.manage_case", case, "Only the case's supporters or the admin can write it."
    )
    parties = [(p.person, PartyRole.PARTY) for p in case.parties.select_related("person")]
    with transaction.atomic():
        case = _locked(case)
        if case.stage not in (Case.Stage.GROUP_MEETING, Case.Stage.REVIEW):
            raise _error(
                "agreements",
                "Shared Agreements are made at the Group Meeting; record the meeting first (ASH-5).",
                "ASH-5",
            )
        agreement = agreement_create(
            actor=actor,
            organisation=case.organisation,
            kind=AgreementKind.SHARED_AGREEMENT,
            title=title,
            sections={"agreements": agreements, "needs": needs},
            subject=case,
            parties=parties,
        )
        _event(
            actor,
            case,
            "shared_agreement",
            f"Shared Agreement written for everyone to sign: {agreement.title}",
            {"agreement": [None, agreement.pk]},
        )
    return agreement


def case_agreements(case: Case) -> list[Agreement]:
    return list(
        Agreement.objects.filter(subject_type=SUBJECT, subject_id=str(case.pk))
        .select_related("current_version")
        .order_by("created_at", "pk")
    )


def review_record(
    *,
    actor: Any,
    case: Case,
    held_at: dt.datetime,
    agreement: Agreement,
    outcome: str,
    note: str = "",
) -> AgreementReview:
    """The review meeting (ASH-6): the agreement is kept, upgraded or recorded broken."""
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can record this.",
    )
    held_at = _aware(held_at, "held_at", "the review was held")
    _not_future(held_at, "held_at")
    if agreement.subject_type != SUBJECT or agreement.subject_id != str(case.pk):
        raise _error("agreement", "Choose one of this case's Shared Agreements.", "case_agreement")
    with transaction.atomic():
        case = _locked(case)
        if case.stage not in (Case.Stage.GROUP_MEETING, Case.Stage.REVIEW):
            raise _error("held_at", "The review follows the Group Meeting (ASH-6).", "ASH-6")
        review = agreement_review_record(
            actor=actor, agreement=agreement, outcome=outcome, note=note
        )
        if case.stage == Case.Stage.GROUP_MEETING:
            _held_meeting(
                actor=actor,
                case=case,
                kind=MeetingKind.REVIEW_MEETING,
                held_at=held_at,
                attendees=[p.person for p in case.parties.select_related("person")],
                title=f"Review meeting for {case.reference}",
            )
            _set_stage(actor, case, Case.Stage.REVIEW, "Review meeting held (ASH-6)", "review")
        _event(
            actor,
            case,
            "review",
            f"Shared Agreement reviewed: {review.get_outcome_display().lower()}",
            {"agreement": [None, agreement.pk], "outcome": [None, outcome]},
        )
    return review


# Support offers (ASH-26, ASH-24) --------------------------------------------------------------


def offer_kinds(organisation: Organisation) -> tuple[str, ...]:
    try:
        value = organisation_policy(organisation).value("ASH-26", "tools")
    except PolicyNotAdopted:
        return ()
    return value.items if isinstance(value, Choices) else tuple(value)


def offsite_limit(organisation: Organisation) -> Duration:
    value = organisation_policy(organisation).value("ASH-24", "offsite_accommodation_max")
    assert isinstance(value, Duration)
    return value


def _check_offsite(
    organisation: Organisation, starts_on: dt.date | None, ends_on: dt.date | None
) -> None:
    if starts_on is None or ends_on is None:
        raise _error(
            "ends_on",
            "Off-site accommodation runs between dates; give the start and the end (ASH-24).",
            "ASH-24",
        )
    limit = offsite_limit(organisation)
    latest = limit.after(starts_on)
    assert isinstance(latest, dt.date)
    if ends_on > latest:
        raise _error(
            "ends_on",
            "Off-site accommodation is offered for at most %(limit)s (to %(latest)s) unless an "
            "extension is approved with a reason (ASH-24).",
            "ASH-24",
            limit=str(limit),
            latest=f"{latest:%d %B %Y}",
        )


def offer_make(
    *,
    actor: Any,
    case: Case,
    kind: str,
    party: CaseParty | None = None,
    offsite: bool = False,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    note: str = "",
) -> SupportOffer:
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can make offers.",
    )
    if kind not in offer_kinds(case.organisation):
        raise _error("kind", "Choose one of the tools the policy offers (ASH-26).", "ASH-26")
    if party is not None and party.case_id != case.pk:
        raise _error("party", "Choose a member in this case.", "case_party")
    if starts_on and ends_on and ends_on < starts_on:
        raise _error("ends_on", "The end cannot be before the start.", "case_order")
    offsite = bool(offsite) and kind == "temporary_accommodation"
    if offsite:
        _check_offsite(case.organisation, starts_on, ends_on)
    note = (note or "").strip()
    if len(note) > 300:
        raise _error("note", "Keep the note under 300 characters.", "max_length")
    with transaction.atomic():
        case = _locked(case)
        offer = SupportOffer.objects.create(
            case=case,
            kind=kind,
            party=party,
            offsite=offsite,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
            created_by=_user(actor),
        )
        _event(
            actor,
            case,
            "offer",
            f"Offered: {offer.kind_label}" + (f" to {party.alias}" if party else ""),
            {"offer": [None, offer.pk], "kind": [None, kind], "ends_on": [None, ends_on]},
        )
    return offer


def offer_set_status(*, actor: Any, offer: SupportOffer, status: str) -> SupportOffer:
    case = offer.case
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can change offers.",
    )
    if status not in SupportOffer.Status.values:
        raise _error("status", "Choose offered, accepted, declined or ended.", "invalid_choice")
    with transaction.atomic():
        case = _locked(case)
        offer = SupportOffer.objects.select_for_update().get(pk=offer.pk)
        old = offer.status
        if old == status:
            return offer
        offer.status = status
        offer.save(update_fields=["status"])
        _event(
            actor,
            case,
            "offer",
            f"{offer.kind_label}: {offer.get_status_display().lower()}",
            {"status": [old, status]},
        )
    return offer


def offer_extend(*, actor: Any, offer: SupportOffer, ends_on: dt.date, reason: str) -> SupportOffer:
    """ASH-24: off-site accommodation beyond the usual limit, approved with a reason."""
    case = offer.case
    _require(
        actor,
        "casework.manage_case",
        case,
        "Only the case's supporters or the admin can approve this.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise _error(
            "reason", "Say why the stay is extended; it stays on the record (ASH-24).", "ASH-24"
        )
    if not isinstance(ends_on, dt.date) or (offer.starts_on and ends_on < offer.starts_on):
        raise _error("ends_on", "Give an end date after the start.", "case_order")
    with transaction.atomic():
        case = _locked(case)
        offer = SupportOffer.objects.select_for_update().get(pk=offer.pk)
        old = offer.ends_on
        offer.ends_on = ends_on
        offer.extension_reason = reason
        offer.extension_approved_by = _user(actor)
        offer.extension_approved_at = timezone.now()
        offer.save(
            update_fields=[
                "ends_on",
                "extension_reason",
                "extension_approved_by",
                "extension_approved_at",
            ]
        )
        _event(
            actor,
            case,
            "offer",
            f"{offer.kind_label}: extension to {ends_on:%d %b %Y} approved (ASH-24)",
            {"ends_on": [old, ends_on]},
            reason=reason,
        )
    return offer


# Confidential notes (ASH-12) ------------------------------------------------------------------


def note_write(
    *, actor: Any, case: Case, text: str, about: CaseParty | None = None
) -> ConfidentialNote:
    _require(
        actor,
        "casework.view_notes",
        case,
        "Only the case's current supporters keep its confidential notes.",
    )
    text = (text or "").strip()
    if not text:
        raise _error("text", "Write the note.", "required")
    if len(text) > TEXT_MAX:
        raise _error("text", "Keep the note under %(max)s characters.", "max_length", max=TEXT_MAX)
    if about is not None and about.case_id != case.pk:
        raise _error("about", "Choose a member in this case.", "case_party")
    with transaction.atomic():
        case = _locked(case)
        note = ConfidentialNote.objects.create(
            case=case, about=about, text=text, written_by=_user(actor)
        )
        _event(
            actor,
            case,
            "note",
            "Confidential note written (ASH-12)",
            {"note": [None, CONFIDENTIAL_MARK]},
        )
    return note
