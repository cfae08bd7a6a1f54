"""Every change around a Community Resolution Meeting goes through one of these functions.

Each checks the actor's permission and the ASH rule it enforces, writes in one transaction with
its audit entry, keeps the obligations in step and queues notices in that same transaction. A
refusal raises ValidationError naming the field and the rule, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commonground.agreements.kinds import Kind, PartyRole
from commonground.agreements.models import Agreement
from commonground.agreements.services import agreement_create
from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_change
from commonground.casework.models import Case, CaseParty
from commonground.casework.selectors_core import current_supporter_ids
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_add_outcome
from commonground.notifications.services import notify
from commonground.obligations.models import Obligation
from commonground.obligations.services import (
    obligation_cancel,
    obligation_meet,
    obligation_schedule,
)
from commonground.people.models import MembershipStatus, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.people.services import membership_change
from commonground.policies.selectors import organisation_policy
from commonground.policies.values import LONDON, Duration
from commonground.resolution.models import (
    AgendaVersion,
    CheckIn,
    CommunityResolutionMeeting,
    Contribution,
    CrmParty,
    Decision,
    NoticeToQuit,
    Reinstatement,
)

Action = AuditEntry.Action
CRM = CommunityResolutionMeeting
TEXT_MAX = 10_000
CASE_SUBJECT = "casework.case"


def _error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value: str, field: str, *, required: bool = True, what: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise _error(field, what or "This is needed.", "required")
    if len(value) > TEXT_MAX:
        raise _error(field, "Keep it under %(max)s characters.", "max_length", max=TEXT_MAX)
    return value


def _duration(organisation: Any, rule_id: str, param: str) -> Duration:
    value = organisation_policy(organisation).value(rule_id, param)
    assert isinstance(value, Duration)
    return value


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date()


def _long(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def crm_link(crm: CRM) -> str:
    return reverse("resolution:crm_detail", kwargs={"org": crm.organisation.slug, "pk": crm.pk})


def _locked(crm: CRM) -> CRM:
    return CRM.objects.select_for_update().select_related("organisation", "case").get(pk=crm.pk)


# ASH-7: calling a CRM ------------------------------------------------------------------------


@dataclass(frozen=True)
class Grounds:
    """ASH-7's first condition, read from the case's agreements and parties."""

    no_agreement: bool
    agreement_broken: bool
    party_not_engaging: bool

    @property
    def any(self) -> bool:
        return self.no_agreement or self.agreement_broken or self.party_not_engaging


def crm_grounds(case: Case) -> Grounds:
    agreements = Agreement.objects.filter(subject_type=CASE_SUBJECT, subject_id=str(case.pk))
    reached = agreements.filter(kind=Kind.SHARED_AGREEMENT, agreed_at__isnull=False).exists()
    broken = agreements.filter(state=Agreement.State.BROKEN).exists()
    not_engaging = CaseParty.objects.filter(case=case, engaging=False).exists()
    return Grounds(
        no_agreement=not reached, agreement_broken=broken, party_not_engaging=not_engaging
    )


def crm_call(
    *,
    actor: Any,
    case: Case,
    stuck_reason: str,
    harm_reason: str,
    harm_by: Iterable[CaseParty] = (),
) -> CRM:
    """Call a Community Resolution Meeting on `case` (ASH-7).

    Allowed only when no Shared Agreement was reached, one is broken or a party is not engaging,
    AND the S&W group records that the conflict is stuck AND that significant harm is happening,
    each with a reason. `harm_by` are the parties whose behaviour is causing that harm."""
    _require(
        actor,
        "resolution.call_crm",
        case,
        "Only a supporter of this case or a member of the Support & Wellbeing group can call a "
        "Community Resolution Meeting.",
    )
    stuck_reason = (stuck_reason or "").strip()
    harm_reason = (harm_reason or "").strip()
    grounds = crm_grounds(case)
    missing: dict[str, ValidationError] = {}
    # ASH-7: no agreement, a broken one, or a party not engaging ...
    if not grounds.any:
        missing[NON_FIELD_ERRORS] = ValidationError(
            "A Shared Agreement was reached, none is recorded as broken and every party is "
            "engaging: a Community Resolution Meeting needs one of these (ASH-7).",
            code="ASH-7",
        )
    # ... AND the conflict is stuck AND significant harm is happening, each with a reason.
    if not stuck_reason:
        missing["stuck_reason"] = ValidationError(
            "Record why the group finds the conflict stuck: the existing tools are exhausted "
            "(ASH-7).",
            code="ASH-7",
        )
    if not harm_reason:
        missing["harm_reason"] = ValidationError(
            "Record why significant harm is happening: serious distress or disruption to one or "
            "more members (ASH-7).",
            code="ASH-7",
        )
    if missing:
        raise ValidationError(missing)
    _text(stuck_reason, "stuck_reason")
    _text(harm_reason, "harm_reason")
    parties = list(CaseParty.objects.filter(case=case).select_related("person"))
    harm_ids = {p.pk for p in harm_by}
    if harm_ids - {p.pk for p in parties}:
        raise _error("harm_by", "Choose parties to this case.", "invalid_choice")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if CRM.objects.filter(
            case=case,
            state__in=[CRM.State.CALLED, CRM.State.NOTICE_GIVEN, CRM.State.AGENDA_PUBLISHED],
        ).exists():
            raise _error(
                NON_FIELD_ERRORS,
                "A Community Resolution Meeting is already being prepared for this case.",
                "crm_once",
            )
        crm = CRM.objects.create(
            organisation=case.organisation,
            case=case,
            no_agreement=grounds.no_agreement,
            agreement_broken=grounds.agreement_broken,
            party_not_engaging=grounds.party_not_engaging,
            stuck_reason=stuck_reason,
            harm_reason=harm_reason,
            called_by=_user(actor),
        )
        CrmParty.objects.bulk_create(
            [CrmParty(crm=crm, case_party=p, significant_harm=p.pk in harm_ids) for p in parties]
        )
        old_stage = case.stage
        case.stage = Case.Stage.CRM
        case.save(update_fields=["stage", "updated_at"])
        audit_change(
            actor=actor,
            organisation=case.organisation,
            instance=crm,
            action=Action.CREATE,
            changes={
                "case_id": [None, case.pk],
                "grounds": [None, crm.grounds],
                "stuck_reason": [None, CONFIDENTIAL_MARK],
                "harm_reason": [None, CONFIDENTIAL_MARK],
                "significant_harm_by": [None, sorted(harm_ids)],
                "case_stage": [old_stage, case.stage],
            },
            summary="Community Resolution Meeting called (ASH-7)",
        )
    return crm


# ASH-8: notice -------------------------------------------------------------------------------


def crm_earliest_date(crm: CRM, notice_given_at: dt.datetime | None = None) -> dt.date:
    """The first day the meeting may be held: the notice in force after notice was given."""
    given = notice_given_at or crm.notice_given_at or timezone.now()
    earliest = _duration(crm.organisation, "ASH-8", "notice").after(_day(given))
    assert isinstance(earliest, dt.date)
    return earliest


def crm_set_date(*, actor: Any, crm: CRM, meeting_at: dt.datetime, place: str = "") -> CRM:
    """Give every party notice of the meeting (ASH-8), or move it, never sooner than the notice
    in force after the notice was first given."""
    _require(
        actor, "resolution.manage_crm", crm, "Only the case's supporters can set the meeting date."
    )
    if not isinstance(meeting_at, dt.datetime) or timezone.is_naive(meeting_at):
        raise _error("meeting_at", "Give the date and time of the meeting.", "required")
    place = _text(place, "place", required=False)[:200]
    with transaction.atomic():
        crm = _locked(crm)
        if crm.state not in (CRM.State.CALLED, CRM.State.NOTICE_GIVEN, CRM.State.AGENDA_PUBLISHED):
            raise _error(
                "meeting_at", "The meeting's decisions are recorded already.", "crm_decided"
            )
        now = timezone.now()
        first = crm.notice_given_at is None
        given = crm.notice_given_at or now
        earliest = crm_earliest_date(crm, given)
        # ASH-8: members involved get at least the notice in force.
        if _day(meeting_at) < earliest:
            raise _error(
                "meeting_at",
                "Members involved need at least %(notice)s notice: the earliest the meeting can "
                "be is %(earliest)s (ASH-8).",
                "ASH-8",
                notice=str(_duration(crm.organisation, "ASH-8", "notice")),
                earliest=_long(earliest),
            )
        old = [crm.meeting_at, crm.place]
        crm.notice_given_at = given
        crm.meeting_at = meeting_at
        crm.place = place
        if crm.state == CRM.State.CALLED:
            crm.state = CRM.State.NOTICE_GIVEN
        crm.save(update_fields=["notice_given_at", "meeting_at", "place", "state", "updated_at"])
        audit_change(
            actor=actor,
            organisation=crm.organisation,
            instance=crm,
            action=Action.UPDATE,
            changes={"meeting_at": [old[0], meeting_at], "place": [old[1], place]},
            summary="Notice of the Community Resolution Meeting given"
            if first
            else "Community Resolution Meeting moved",
        )
        obligation_schedule(
            organisation=crm.organisation,
            rule_id="ASH-8",
            param="notice",
            subject=crm,
            title="Hold the Community Resolution Meeting",
            trigger_event="notice of the meeting to every member involved",
            trigger_at=given,
            direction=Obligation.Direction.NOT_BEFORE,
            assignees=Person.objects.filter(pk__in=current_supporter_ids(crm.case_id)),
            oversight_role=Role.SW_MEMBER,
            actor=actor,
        )
        when = timezone.localtime(meeting_at, LONDON)
        people = [p.case_party.person for p in crm.parties.select_related("case_party__person")]
        notify(
            organisation=crm.organisation,
            recipients=people,
            kind="resolution.crm_notice",
            # One notice per CRM and party; a new date is a new notice.
            dedupe_key=f"crm:{crm.pk}:notice:{meeting_at.isoformat()}",
            subject=f"Notice of a Community Resolution Meeting ({crm.case.reference})",
            body=(
                f"A Community Resolution Meeting about {crm.case.reference} will be held on "
                f"{_long(when.date())} at {when:%H:%M}"
                + (f", at {place}" if place else "")
                + ". The Support & Wellbeing group will contact you to help you set out your "
                "needs and your requests for a Shared Agreement for the agenda. The agenda does "
                "not name anyone."
            ),
            link=crm_link(crm),
        )
    return crm


# ASH-9: outreach and contributions -----------------------------------------------------------


def crm_record_outreach(*, actor: Any, party: CrmParty, on: dt.date, note: str = "") -> CrmParty:
    crm = party.crm
    _require(actor, "resolution.manage_crm", crm, "Only the case's supporters record outreach.")
    if on > timezone.localdate():
        raise _error("on", "Record outreach once it has happened.", "not_future")
    note = _text(note, "note", required=False)
    with transaction.atomic():
        party = CrmParty.objects.select_for_update().get(pk=party.pk)
        old = party.outreach_on
        party.outreach_on = on
        party.outreach_note = note
        party.save(update_fields=["outreach_on", "outreach_note"])
        audit_change(
            actor=actor,
            organisation=crm.organisation,
            instance=party,
            action=Action.UPDATE,
            changes={"outreach_on": [old, on], "outreach_note": ["", CONFIDENTIAL_MARK]},
            summary=f"Outreach to {party.alias} recorded (ASH-9)",
        )
    return party


def contribution_save(
    *, actor: Any, party: CrmParty, author: Person, needs: str, requests: str
) -> Contribution:
    """A party's needs and requests for a Shared Agreement (ASH-9), written by the party or by a
    supporter with them. Any change takes it off the agenda until a supporter places it again."""
    crm = party.crm
    own = author.pk == party.case_party.person_id
    if not (own or actor.has_perm("resolution.manage_crm", crm)):
        raise PermissionDenied("Only the member, or the case's supporters, can write this.")
    if crm.state == CRM.State.DECIDED:
        raise _error("needs", "The meeting has decided; contributions are closed.", "crm_decided")
    needs = _text(needs, "needs", what="Say what this member needs.")
    requests = _text(
        requests, "requests", what="Say what this member asks for in a Shared Agreement."
    )
    with transaction.atomic():
        contribution, created = Contribution.objects.select_for_update().get_or_create(
            party=party,
            defaults={"crm": crm, "author": author, "needs": needs, "requests": requests},
        )
        if not created:
            contribution.author = author
            contribution.needs = needs
            contribution.requests = requests
            contribution.on_agenda = False
            contribution.updated_at = timezone.now()
            contribution.save()
        audit_change(
            actor=actor,
            organisation=crm.organisation,
            instance=contribution,
            action=Action.CREATE if created else Action.UPDATE,
            changes={"needs": [None, CONFIDENTIAL_MARK], "requests": [None, CONFIDENTIAL_MARK]},
            summary=f"Contribution of {party.alias} written (ASH-9)",
        )
    return contribution


def contribution_place(*, actor: Any, contribution: Contribution, on_agenda: bool) -> Contribution:
    crm = contribution.crm
    _require(actor, "resolution.manage_crm", crm, "Only the case's supporters place contributions.")
    with transaction.atomic():
        if _locked(crm).state == CRM.State.DECIDED:
            raise _error(
                "on_agenda", "The meeting has decided; its agenda is closed.", "crm_decided"
            )
        contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
        old = contribution.on_agenda
        contribution.on_agenda = bool(on_agenda)
        contribution.save(update_fields=["on_agenda"])
        audit_change(
            actor=actor,
            organisation=crm.organisation,
            instance=contribution,
            action=Action.UPDATE,
            changes={"on_agenda": [old, contribution.on_agenda]},
            summary="Contribution placed on the agenda"
            if on_agenda
            else "Contribution taken off the agenda",
        )
    return contribution


# ASH-11, ASH-12: the S&W summary, suggested text and confidential notes ----------------------


def crm_write_summary(
    *, actor: Any, crm: CRM, support_summary: str, suggested_action_plan: str = ""
) -> CRM:
    _require(actor, "resolution.manage_crm", crm, "Only the case's supporters write the summary.")
    support_summary = _text(
        support_summary, "support_summary", what="Summarise the support given so far (ASH-11)."
    )
    suggested_action_plan = _text(suggested_action_plan, "suggested_action_plan", required=False)
    with transaction.atomic():
        crm = _locked(crm)
        crm.support_summary = support_summary
        crm.suggested_action_plan = suggested_action_plan
        crm.save(update_fields=["support_summary", "suggested_action_plan", "updated_at"])
        audit_change(
            actor=actor,
            organisation=crm.organisation,
            instance=crm,
            action=Action.UPDATE,
            changes={
                "support_summary": [None, CONFIDENTIAL_MARK],
                "suggested_action_plan": [None, CONFIDENTIAL_MARK],
            },
            summary="S&W summary written (ASH-11)",
        )
    return crm


def crm_write_notes(*, actor: Any, crm: CRM, notes: str) -> CRM:
    # ASH-12: confidential to the case's supporters; never part of the agenda.
    _require(actor, "resolution.view_notes", crm, "Only the case's supporters keep these notes.")
    notes = _text(notes, "notes", required=False)
    with transaction.atomic():
        crm = _locked(crm)
        crm.confidential_notes = notes
        crm.save(update_fields=["confidential_notes", "updated_at"])
        audit_change(
            actor=actor,
            organisation=crm.organisation,
            instance=crm,
            action=Action.UPDATE,
            changes={"confidential_notes": [CONFIDENTIAL_MARK, CONFIDENTIAL_MARK]},
            summary="S&W confidential notes changed (ASH-12)",
        )
    return crm


# ASH-10: the anonymous agenda ----------------------------------------------------------------


@dataclass(frozen=True)
class NameFound:
    section: str
    word: str
    excerpt: str


@dataclass(frozen=True)
class AgendaDraft:
    sections: list[tuple[str, str]]
    names_found: list[NameFound]
    problems: list[str]

    @property
    def publishable(self) -> bool:
        return not self.names_found and not self.problems


def _name_terms(crm: CRM) -> list[str]:
    """Every way a party could be named: full and preferred names, each part of them, and any
    alias they have in other cases (not the aliases this agenda uses)."""
    parties = list(crm.parties.select_related("case_party__person"))
    own_aliases = {p.case_party.alias.lower() for p in parties}
    terms: set[str] = set()
    for party in parties:
        person = party.case_party.person
        for name in (person.full_name, person.preferred_name):
            name = (name or "").strip()
            if not name:
                continue
            terms.add(name)
            terms.update(part for part in re.split(r"[\s\-]+", name) if len(part) > 1)
        for alias in (
            CaseParty.objects.filter(person=person)
            .exclude(case_id=crm.case_id)
            .values_list("alias", flat=True)
        ):
            if alias.lower() not in own_aliases:
                terms.add(alias)
    # Longest first, so "Jo Smith" is reported before "Jo".
    return sorted(terms, key=lambda t: (-len(t), t.lower()))


def _find_names(section: str, text: str, terms: list[str]) -> list[NameFound]:
    found = []
    for term in terms:
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
            found.append(NameFound(section, match.group(0), text[start:end].strip()))
    return found


def agenda_draft(crm: CRM) -> AgendaDraft:
    """The agenda as it would be published, with every name found in it (ASH-10).

    Parties appear only as their alias. S&W's confidential notes are never part of it (ASH-12)."""
    sections: list[tuple[str, str]] = []
    problems: list[str] = []
    parties = list(crm.parties.select_related("case_party__person", "contribution"))
    for party in parties:
        contribution = getattr(party, "contribution", None)
        if party.outreach_on is None:
            problems.append(f"Record the outreach to {party.alias} first (ASH-9).")
        if contribution is not None and contribution.on_agenda:
            sections.append((f"{party.alias}: what they need", contribution.needs))
            sections.append(
                (f"{party.alias}: what they ask for in a Shared Agreement", contribution.requests)
            )
        else:
            problems.append(f"No contribution from {party.alias} is on the agenda yet (ASH-9).")
    if not crm.support_summary.strip():
        problems.append("Write the Support & Wellbeing summary first (ASH-11).")
    else:
        sections.append(("Summary of support so far", crm.support_summary))
    if crm.suggested_action_plan.strip():
        sections.append(("Suggested Action Plan text", crm.suggested_action_plan))
    terms = _name_terms(crm)
    found = [f for heading, text in sections for f in _find_names(heading, text, terms)]
    return AgendaDraft(sections=sections, names_found=found, problems=problems)


def agenda_publish(*, actor: Any, crm: CRM) -> AgendaVersion:
    """Freeze the anonymous agenda as a new version, for the whole community to read (ASH-10).

    Refused while any party's name, or any alias they are known by, appears in any of it."""
    _require(actor, "resolution.manage_crm", crm, "Only the case's supporters publish the agenda.")
    with transaction.atomic():
        crm = _locked(crm)
        if crm.state in (CRM.State.CALLED, CRM.State.DECIDED):
            raise _error(
                NON_FIELD_ERRORS,
                "Give notice of the meeting before publishing its agenda (ASH-8)."
                if crm.state == CRM.State.CALLED
                else "The meeting has decided; its agenda is closed.",
                "crm_state",
            )
        draft = agenda_draft(crm)
        if draft.names_found:
            where = "; ".join(f"“{f.word}” in {f.section}" for f in draft.names_found)
            raise _error(
                NON_FIELD_ERRORS,
                "The agenda must not name anyone (ASH-10). Found: %(where)s.",
                "ASH-10",
                where=where,
            )
        if draft.problems:
            raise _error(NON_FIELD_ERRORS, " ".join(draft.problems), "ASH-9")
        number = (crm.agendas.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = AgendaVersion.objects.create(
            crm=crm,
            number=number,
            content=json.dumps(draft.sections),
            published_by=_user(actor),
        )
        crm.state = CRM.State.AGENDA_PUBLISHED
        crm.save(update_fields=["state", "updated_at"])
        audit_change(
            actor=actor,
            organisation=crm.organisation,
            instance=version,
            action=Action.CREATE,
            changes={"number": [None, number], "content": [None, CONFIDENTIAL_MARK]},
            summary=f"Anonymous agenda version {number} published (ASH-10)",
        )
    return version


# ASH-13, ASH-14: decisions, Action Plans and Notices to Quit ---------------------------------


def crm_decide(
    *,
    actor: Any,
    party: CrmParty,
    action_plan_needed: bool,
    reason: str,
    actions: str = "",
) -> Decision:
    """Record the meeting's decision for one party (ASH-13). An Action Plan, only where
    significant harm is recorded for them, covers the policy's period; the member's membership is
    removed and a Notice to Quit issued in the same transaction (ASH-14)."""
    crm = CRM.objects.select_related("organisation", "case").get(pk=party.crm_id)
    _require(
        actor,
        "resolution.decide_crm",
        crm,
        "The organisation admin records the community's decisions.",
    )
    reason = _text(reason, "reason", what="Say what the meeting decided and why.")
    if action_plan_needed:
        # ASH-13: only where significant harm is being done.
        if not party.significant_harm:
            raise _error(
                "action_plan_needed",
                "An Action Plan is only for a member causing significant harm, and none is "
                "recorded for %(alias)s (ASH-13).",
                "ASH-13",
                alias=party.alias,
            )
        actions = _text(actions, "actions", what="Write what the Action Plan asks of the member.")
    if crm.meeting_at is None or crm.meeting_at > timezone.now():
        raise _error(
            NON_FIELD_ERRORS,
            "Decisions are recorded at the meeting, once it has started.",
            "crm_held",
        )
    if not crm.agendas.exists():
        raise _error(
            NON_FIELD_ERRORS, "Publish the anonymous agenda before the meeting (ASH-10).", "ASH-10"
        )
    today = timezone.localdate()
    try:
        with transaction.atomic():
            party = (
                CrmParty.objects.select_for_update()
                .select_related("case_party__person", "crm__organisation", "crm__case")
                .get(pk=party.pk)
            )
            crm = party.crm
            if Decision.objects.filter(party=party).exists():
                raise _error(
                    NON_FIELD_ERRORS,
                    "The decision for %(alias)s is recorded already.",
                    "crm_decided_once",
                    alias=party.alias,
                )
            plan = None
            if action_plan_needed:
                covers = _duration(crm.organisation, "ASH-13", "action_plan_covers")
                ends = covers.after(today)
                assert isinstance(ends, dt.date)
                plan = agreement_create(
                    actor=actor,
                    organisation=crm.organisation,
                    kind=Kind.ACTION_PLAN,
                    title=f"Action Plan: {crm.case.reference}, {party.alias}",
                    sections={"actions": actions},
                    starts_on=today,
                    ends_on=ends,
                    subject=crm,
                    parties=[(party.case_party.person, PartyRole.PARTY)],
                )
            decision = Decision.objects.create(
                crm=crm,
                party=party,
                action_plan_needed=bool(action_plan_needed),
                reason=reason,
                action_plan=plan,
                decided_by=_user(actor),
            )
            audit_change(
                actor=actor,
                organisation=crm.organisation,
                instance=decision,
                action=Action.CREATE,
                changes={
                    "party": [None, party.alias],
                    "action_plan_needed": [None, bool(action_plan_needed)],
                    "action_plan_id": [None, plan.pk if plan else None],
                    "reason": [None, CONFIDENTIAL_MARK],
                },
                summary=f"CRM decision for {party.alias} (ASH-13)",
            )
            if plan is not None:
                notice_to_quit_issue(actor=actor, decision=decision)
            _finish_if_all_decided(crm)
    except IntegrityError as exc:
        raise _error(
            NON_FIELD_ERRORS,
            "The decision for this member is recorded already.",
            "crm_decided_once",
        ) from exc
    return decision


def _finish_if_all_decided(crm: CRM) -> None:
    if crm.parties.filter(decision__isnull=True).exists():
        return
    crm.state = CRM.State.DECIDED
    crm.decided_at = timezone.now()
    crm.save(update_fields=["state", "decided_at", "updated_at"])
    case = Case.objects.select_for_update().get(pk=crm.case_id)
    if crm.decisions.filter(action_plan_needed=True).exists():
        case.stage = Case.Stage.AFTER_CRM
        case.save(update_fields=["stage", "updated_at"])


def _admins(organisation: Any) -> list[Person]:
    ids = (
        RoleAssignment.objects.current()
        .filter(organisation=organisation, role=Role.ORG_ADMIN)
        .values_list("person_id", flat=True)
    )
    return list(Person.objects.filter(pk__in=ids))


def notice_to_quit_issue(*, actor: Any, decision: Decision) -> NoticeToQuit:
    """Remove the member's membership and issue the Notice to Quit (ASH-14), once per decision,
    however many requests arrive together. Schedules the check-ins (ASH-15) and the court
    application at its end (ASH-17)."""
    crm = decision.crm
    _require(
        actor,
        "resolution.decide_crm",
        crm,
        "The organisation admin issues Notices to Quit.",
    )
    if not decision.action_plan_needed:
        raise _error(
            NON_FIELD_ERRORS, "A Notice to Quit follows an Action Plan only (ASH-14).", "ASH-14"
        )
    today = timezone.localdate()
    try:
        with transaction.atomic():
            decision = (
                Decision.objects.select_for_update()
                .select_related("party__case_party__person", "crm__organisation", "crm__case")
                .get(pk=decision.pk)
            )
            if NoticeToQuit.objects.filter(decision=decision).exists():
                raise _error(
                    NON_FIELD_ERRORS,
                    "A Notice to Quit was issued for this decision already.",
                    "ntq_once",
                )
            crm = decision.crm
            person = decision.party.case_party.person
            length = _duration(crm.organisation, "ASH-14", "notice_to_quit")
            ends_on = length.after(today)
            assert isinstance(ends_on, dt.date)
            notice = NoticeToQuit.objects.create(
                organisation=crm.organisation,
                crm=crm,
                decision=decision,
                person=person,
                issued_on=today,
                ends_on=ends_on,
                issued_by=_user(actor),
            )
            # ASH-14: a member given an Action Plan has membership removed.
            if person.membership_status != MembershipStatus.REMOVED:
                membership_change(
                    actor=actor,
                    person=person,
                    status=MembershipStatus.REMOVED,
                    effective_on=today,
                    reason=f"Given an Action Plan at the Community Resolution Meeting on "
                    f"{crm.case.reference} (ASH-14).",
                )
            audit_change(
                actor=actor,
                organisation=crm.organisation,
                instance=notice,
                action=Action.CREATE,
                changes={
                    "person_id": [None, person.pk],
                    "issued_on": [None, today],
                    "ends_on": [None, ends_on],
                },
                summary=f"Notice to Quit issued, ending {ends_on:%-d %B %Y} (ASH-14)",
            )
            _schedule_after(notice, actor)
            link = reverse(
                "resolution:ntq_detail", kwargs={"org": crm.organisation.slug, "pk": notice.pk}
            )
            notify(
                organisation=crm.organisation,
                recipients=[person],
                kind="resolution.notice_to_quit",
                dedupe_key=f"ntq:{notice.pk}",
                subject="Notice to Quit",
                body=notice_to_quit_letter(notice),
                link=link,
            )
    except IntegrityError as exc:
        raise _error(
            NON_FIELD_ERRORS, "A Notice to Quit was issued for this decision already.", "ntq_once"
        ) from exc
    return notice


def notice_to_quit_letter(notice: NoticeToQuit) -> str:
    person = notice.person
    crm = notice.crm
    plan = notice.decision.action_plan
    lines = [
        f"Dear {person.full_name},",
        "",
        f"At the Community Resolution Meeting on {crm.case.reference}, the community decided that "
        "you need an Action Plan. As the Support and Wellbeing Policy says, your membership of "
        f"{crm.organisation.name} has been removed and this is your Notice to Quit.",
        "",
        f"The notice runs for {_duration(crm.organisation, 'ASH-14', 'notice_to_quit')}, from "
        f"{_long(notice.issued_on)} to {_long(notice.ends_on)}.",
    ]
    if plan is not None and plan.starts_on and plan.ends_on:
        lines += [
            "",
            f"Your Action Plan runs from {_long(plan.starts_on)} to {_long(plan.ends_on)} and "
            "sets out what needs to happen for you to remain living in the co-op.",
        ]
    lines += [
        "",
        "The Support and Wellbeing group will check in with you throughout. If the Action Plan "
        "succeeds they may recommend to a meeting that your membership is restored; only a "
        "meeting can reinstate it. If it is not reinstated by the end of the notice, the co-op "
        "will begin an application to court.",
        "",
        f"{crm.organisation.name}",
    ]
    return "\n".join(lines)


def _schedule_after(notice: NoticeToQuit, actor: Any) -> None:
    """ASH-15 check-ins through the notice and one towards its end; ASH-17 at its end."""
    organisation = notice.organisation
    in_force = organisation_policy(organisation)
    every = in_force.value("ASH-15", "check_in_every")
    final = in_force.value("ASH-15", "final_check_in_before_end")
    assert isinstance(every, Duration) and isinstance(final, Duration)
    supporters = list(Person.objects.filter(pk__in=current_supporter_ids(notice.crm.case_id)))
    final_due = final.before(notice.ends_on)
    assert isinstance(final_due, dt.date)
    start = notice.issued_on
    number = 1
    while True:
        due = every.after(start)
        assert isinstance(due, dt.date)
        if due >= final_due:
            break
        obligation_schedule(
            organisation=organisation,
            rule_id="ASH-15",
            param="check_in_every",
            subject=notice,
            key=f"check_in:{number}",
            title=f"Check in during the Notice to Quit ({number})",
            trigger_event="the Notice to Quit" if number == 1 else f"check-in {number - 1}",
            trigger_at=start,
            assignees=supporters,
            oversight_role=Role.SW_MEMBER,
            actor=actor,
            in_force=in_force,
        )
        start, number = due, number + 1
    # Due `final` before the end, counted back from it.
    obligation_schedule(
        organisation=organisation,
        rule_id="ASH-15",
        param="final_check_in_before_end",
        subject=notice,
        key="final",
        title="Final check-in before the Notice to Quit ends",
        trigger_event="the Notice to Quit ends",
        trigger_at=notice.ends_on,
        counts=Obligation.Counts.BEFORE,
        assignees=supporters,
        oversight_role=Role.SW_MEMBER,
        actor=actor,
        in_force=in_force,
    )
    # ASH-17: the court application, if the member is not reinstated by the end.
    obligation_schedule(
        organisation=organisation,
        rule_id="ASH-17",
        param="after_notice_ends",
        subject=notice,
        title="Begin the court application",
        trigger_event="the end of the Notice to Quit",
        trigger_at=notice.ends_on,
        assignees=_admins(organisation),
        oversight_role=Role.ORG_ADMIN,
        actor=actor,
        in_force=in_force,
    )


# ASH-15: check-ins ---------------------------------------------------------------------------


def check_in_record(
    *,
    actor: Any,
    notice: NoticeToQuit,
    held_on: dt.date,
    note: str,
    recommend_restore: bool = False,
) -> CheckIn:
    _require(actor, "resolution.check_in", notice, "Only the case's supporters record check-ins.")
    note = _text(note, "note", what="Say how the Action Plan is going.")
    if held_on > timezone.localdate():
        raise _error("held_on", "Record a check-in once it has happened.", "not_future")
    with transaction.atomic():
        # Under the notice's lock, so a check-in never lands after reinstatement or court.
        notice = NoticeToQuit.objects.select_for_update().get(pk=notice.pk)
        if notice.state != NoticeToQuit.State.RUNNING:
            raise _error("held_on", "This Notice to Quit is over.", "ntq_running")
        check_in = CheckIn.objects.create(
            notice=notice,
            held_on=held_on,
            note=note,
            recommend_restore=bool(recommend_restore),
            recorded_by=_user(actor),
        )
        audit_change(
            actor=actor,
            organisation=notice.organisation,
            instance=check_in,
            action=Action.CREATE,
            changes={
                "held_on": [None, held_on],
                "note": [None, CONFIDENTIAL_MARK],
                "recommend_restore": [None, bool(recommend_restore)],
            },
            summary="Check-in recorded (ASH-15)"
            + ("; S&W recommend restoring membership" if recommend_restore else ""),
        )
        # Meets the earliest check-in still open.
        open_one = (
            Obligation.objects.filter(
                subject_type="resolution.noticetoquit",
                subject_id=str(notice.pk),
                rule_id="ASH-15",
                state=Obligation.State.OPEN,
            )
            .order_by("due_on", "pk")
            .first()
        )
        if open_one is not None:
            obligation_meet(
                subject=notice,
                rule_id="ASH-15",
                key=open_one.key,
                event=f"check-in on {held_on:%-d %B %Y}",
                actor=actor,
            )
    return check_in


# ASH-16: reinstatement, only by a meeting's decision -----------------------------------------


def reinstatement_decide(
    *, actor: Any, notice: NoticeToQuit, meeting: Meeting | None, reason: str
) -> Reinstatement:
    _require(
        actor,
        "resolution.manage_notice_to_quit",
        notice,
        "The organisation admin records a meeting's decision to reinstate.",
    )
    reason = _text(reason, "reason", what="Say what the meeting decided and why.")
    # ASH-16: membership is reinstated only by a decision at a meeting that was held.
    if meeting is None or meeting.organisation_id != notice.organisation_id:
        raise _error(
            "meeting",
            "Membership is reinstated only by a decision at a meeting: choose the meeting (ASH-16).",
            "ASH-16",
        )
    if meeting.status != Meeting.Status.HELD:
        raise _error(
            "meeting",
            "That meeting has not been held: record its attendance first, then its decision "
            "(ASH-16).",
            "ASH-16",
        )
    with transaction.atomic():
        notice = NoticeToQuit.objects.select_for_update().select_related("person").get(pk=notice.pk)
        if notice.state != NoticeToQuit.State.RUNNING:
            raise _error(
                "meeting",
                "This Notice to Quit is %(state)s already.",
                "ntq_running",
                state=notice.get_state_display().lower(),
            )
        outcome = meeting_add_outcome(
            actor=actor,
            meeting=meeting,
            text=f"Membership reinstated (ASH-16): {reason}",
        )
        reinstatement = Reinstatement.objects.create(
            notice=notice,
            meeting=meeting,
            reason=reason,
            decided_on=meeting.local_day,
            recorded_by=_user(actor),
        )
        membership_change(
            actor=actor,
            person=notice.person,
            status=MembershipStatus.REINSTATED,
            effective_on=timezone.localdate(),
            reason=f"Reinstated by the decision of the meeting on {meeting.local_day:%-d %B %Y} (ASH-16).",
        )
        notice.state = NoticeToQuit.State.REINSTATED
        notice.save(update_fields=["state"])
        audit_change(
            actor=actor,
            organisation=notice.organisation,
            instance=reinstatement,
            action=Action.CREATE,
            changes={
                "meeting_id": [None, meeting.pk],
                "outcome_id": [None, outcome.pk],
                "reason": [None, CONFIDENTIAL_MARK],
            },
            summary="Membership reinstated by a meeting's decision (ASH-16)",
        )
        obligation_cancel(
            subject=notice,
            rule_id="ASH-17",
            reason="Membership was reinstated by a meeting's decision (ASH-16).",
            actor=actor,
        )
        for obligation in Obligation.objects.filter(
            subject_type="resolution.noticetoquit",
            subject_id=str(notice.pk),
            rule_id="ASH-15",
            state=Obligation.State.OPEN,
        ):
            obligation_cancel(
                subject=notice,
                rule_id="ASH-15",
                key=obligation.key,
                reason="Membership was reinstated.",
                actor=actor,
            )
    return reinstatement


# ASH-17: the court application ---------------------------------------------------------------


def court_application_begin(*, actor: Any, notice: NoticeToQuit, note: str) -> NoticeToQuit:
    _require(
        actor,
        "resolution.manage_notice_to_quit",
        notice,
        "The organisation admin records the court application.",
    )
    note = _text(note, "note", what="Say how the application was begun.")
    today = timezone.localdate()
    if today < notice.ends_on:
        raise _error(
            "note",
            "The Notice to Quit runs until %(end)s; the court application begins after it (ASH-17).",
            "ASH-17",
            end=_long(notice.ends_on),
        )
    with transaction.atomic():
        notice = NoticeToQuit.objects.select_for_update().get(pk=notice.pk)
        if notice.state != NoticeToQuit.State.RUNNING:
            raise _error(
                "note",
                "This Notice to Quit is %(state)s already.",
                "ntq_running",
                state=notice.get_state_display().lower(),
            )
        notice.state = NoticeToQuit.State.COURT
        notice.court_application_begun_on = today
        notice.court_note = note
        notice.save(update_fields=["state", "court_application_begun_on", "court_note"])
        audit_change(
            actor=actor,
            organisation=notice.organisation,
            instance=notice,
            action=Action.UPDATE,
            changes={"state": ["running", "court"], "court_note": [None, CONFIDENTIAL_MARK]},
            summary="Court application begun (ASH-17)",
        )
        obligation_meet(
            subject=notice, rule_id="ASH-17", event="court application begun", actor=actor
        )
    return notice
