"""Every change to an agreement goes through one of these functions.

Each checks the actor's permission, validates, writes in one transaction with its audit entry,
keeps the review deadline in step and queues notices to the parties in that same transaction.
Bad input raises ValidationError naming the field and a code, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from commonground.agreements.kinds import KINDS, KindSpec, PartyRole, kind_spec
from commonground.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementReview,
    AgreementVersion,
    Breach,
    Disagreement,
    Signature,
)
from commonground.agreements.supporters import SubjectRef, supporter_person_ids
from commonground.audit.models import AuditEntry
from commonground.audit.services import CONFIDENTIAL_MARK, audit_change
from commonground.notifications.services import notify
from commonground.obligations.models import Obligation
from commonground.obligations.services import (
    obligation_cancel,
    obligation_meet,
    obligation_schedule,
    subject_key,
)
from commonground.people.models import Organisation, Person
from commonground.policies.registry import rule
from commonground.policies.selectors import organisation_policy
from commonground.policies.values import Duration

Action = AuditEntry.Action
State = Agreement.State

# Pass as `review` to use the kind's own review rule; None means no review is scheduled.
KIND_DEFAULT: Final = ("", "")
MAX_SECTION_LENGTH = 10_000
INITIALS = re.compile(r"^[^\W\d_]{1,10}$")
# Roles that look after the review when it comes round.
REVIEW_ROLES = frozenset({PartyRole.SUPPORTER, PartyRole.MANAGER, PartyRole.FACILITATOR})


def _error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_manage(actor: Any, agreement: Agreement, message: str) -> None:
    if not actor.has_perm("agreements.manage_agreement", agreement):
        raise PermissionDenied(message)


def _require_open(agreement: Agreement) -> None:
    if agreement.is_closed:
        raise _error(
            "state",
            "This agreement is %(state)s; nothing more can change.",
            "agreement_closed",
            state=agreement.get_state_display().lower(),
        )


def _locked(agreement: Agreement) -> Agreement:
    return (
        # Lock only the agreement's row: PostgreSQL cannot lock the nullable side of the
        # outer join that current_version needs.
        Agreement.objects.select_for_update(of=("self",))
        .select_related("organisation", "current_version")
        .get(pk=agreement.pk)
    )


def _link(agreement: Agreement) -> str:
    return reverse(
        "agreements:agreement_detail",
        kwargs={"org": agreement.organisation.slug, "pk": agreement.pk},
    )


# Validation ----------------------------------------------------------------------------------


def _clean_sections(spec: KindSpec, sections: Mapping[str, str]) -> dict[str, str]:
    unknown = set(sections) - {s.key for s in spec.sections}
    if unknown:
        raise ValidationError(
            "A %(kind)s has no section %(names)s.",
            code="agreement_section_known",
            params={"kind": spec.label, "names": ", ".join(sorted(unknown))},
        )
    cleaned: dict[str, str] = {}
    for section in spec.sections:
        text = str(sections.get(section.key) or "").strip()
        if section.required and not text:
            raise _error(
                section.key,
                "A %(kind)s needs “%(section)s” (%(rule)s).",
                "required",
                kind=spec.label.lower(),
                section=section.label,
                rule=spec.rule_id,
            )
        if len(text) > MAX_SECTION_LENGTH:
            raise _error(
                section.key,
                "Keep “%(section)s” under %(limit)s characters.",
                "max_length",
                section=section.label,
                limit=f"{MAX_SECTION_LENGTH:,}",
            )
        if text:
            cleaned[section.key] = text
    return cleaned


def _clean_dates(
    spec: KindSpec,
    organisation: Organisation,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
) -> None:
    if spec.needs_dates:
        # BUD-4, ASH-13: these agreements are time limited.
        if starts_on is None:
            raise _error(
                "starts_on",
                "A %(kind)s runs between dates; give the start date (%(rule)s).",
                "agreement_needs_dates",
                kind=spec.label.lower(),
                rule=spec.rule_id,
            )
        if ends_on is None:
            raise _error(
                "ends_on",
                "A %(kind)s is time limited; give the end date (%(rule)s).",
                "agreement_needs_dates",
                kind=spec.label.lower(),
                rule=spec.rule_id,
            )
    if starts_on and ends_on and ends_on < starts_on:
        raise _error(
            "ends_on",
            "The end date must be on or after the start date.",
            "agreement_ends_after_start",
        )
    if spec.longest and starts_on and ends_on:
        in_force = organisation_policy(organisation)
        if in_force.adopts(spec.longest.rule_id):
            longest = in_force.value(spec.longest.rule_id, spec.longest.param)
            if isinstance(longest, Duration):
                latest = longest.after(starts_on)
                if isinstance(latest, dt.date) and ends_on > latest:
                    raise _error(
                        "ends_on",
                        "A %(kind)s runs for at most %(longest)s (%(rule)s): end it by %(latest)s.",
                        "agreement_longest_term",
                        kind=spec.label.lower(),
                        longest=str(longest),
                        rule=spec.longest.rule_id,
                        latest=f"{latest:%-d %B %Y}",
                    )


def _clean_review(
    spec: KindSpec, organisation: Organisation, review: tuple[str, str] | None
) -> tuple[str, str]:
    if review == KIND_DEFAULT:
        if spec.review is None:
            return "", ""
        review = (spec.review.rule_id, spec.review.param)
        # A kind's own review applies where the organisation has adopted that rule.
        if not organisation_policy(organisation).adopts(review[0]):
            return "", ""
        return review
    if review is None:
        return "", ""
    rule_id, param = review
    try:
        found = rule(rule_id)
    except LookupError:
        found = None
    if found is None or param not in found.params or found.params[param].kind != "duration":
        raise _error(
            "review",
            "%(rule)s has no duration “%(param)s” to set a review date.",
            "agreement_review_rule_known",
            rule=rule_id,
            param=param,
        )
    if not organisation_policy(organisation).adopts(rule_id):
        raise _error(
            "review",
            "%(org)s has not adopted rule %(rule)s.",
            "agreement_review_rule_adopted",
            org=organisation.name,
            rule=rule_id,
        )
    return rule_id, param


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise _error("title", "Give the agreement a plain title.", "required")
    if len(title) > 200:
        raise _error("title", "Keep the title under 200 characters.", "max_length")
    return title


def _clean_role(spec: KindSpec, role: str) -> None:
    if role not in PartyRole.values:
        raise _error("role", "Choose a listed role.", "invalid_choice")
    if role not in spec.party_roles and role != PartyRole.PARTY:
        raise _error(
            "role",
            "A %(kind)s has no %(role)s.",
            "agreement_party_role",
            kind=spec.label.lower(),
            role=PartyRole(role).label.lower(),
        )


# Internal steps ------------------------------------------------------------------------------


def _new_version(
    agreement: Agreement,
    *,
    number: int,
    sections: dict[str, str],
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    change_note: str,
    actor: Any,
) -> AgreementVersion:
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        terms=json.dumps(sections, sort_keys=True),
        starts_on=starts_on,
        ends_on=ends_on,
        change_note=change_note,
        created_by=_user(actor),
    )
    agreement.current_version = version
    agreement.starts_on, agreement.ends_on = starts_on, ends_on
    return version


def _signers(agreement: Agreement) -> list[AgreementParty]:
    return list(agreement.parties.filter(must_sign=True).select_related("person"))


def _ask_to_sign(
    agreement: Agreement, version: AgreementVersion, parties: Iterable[AgreementParty]
) -> None:
    people = [p.person for p in parties if p.must_sign]
    if not people:
        return
    notify(
        organisation=agreement.organisation,
        recipients=people,
        kind="agreement.sign",
        dedupe_key=f"agreement:{agreement.pk}:v{version.number}:sign",
        subject=f"Please read and sign: {agreement.title}",
        body=(
            f"Version {version.number} of the {agreement.spec.label.lower()} “{agreement.title}” "
            "is ready for you to read. It is agreed only when everyone in it has signed."
        ),
        link=_link(agreement),
    )


def _schedule_review(agreement: Agreement, actor: Any, trigger_event: str) -> None:
    """Schedule the next review, if the agreement has a review rule and one is due."""
    if not agreement.review_rule_id:
        return
    if agreement.reviews_held and not agreement.review_repeats:
        return
    existing = Obligation.objects.filter(
        subject_type="agreements.agreement",
        subject_id=str(agreement.pk),
        rule_id=agreement.review_rule_id,
        key=agreement.review_key,
    ).first()
    if existing is not None:
        return
    looking_after = [
        p.person for p in agreement.parties.select_related("person") if p.role in REVIEW_ROLES
    ]
    obligation_schedule(
        organisation=agreement.organisation,
        rule_id=agreement.review_rule_id,
        param=agreement.review_param,
        subject=agreement,
        key=agreement.review_key,
        title=f"Review the {agreement.spec.label.lower()} #{agreement.pk}",
        trigger_event=trigger_event,
        trigger_at=timezone.now(),
        assignees=looking_after,
        oversight_role=agreement.spec.oversight_role,
        actor=actor,
    )


def _stop_review(agreement: Agreement, actor: Any, reason: str) -> None:
    if agreement.review_rule_id:
        obligation_cancel(
            subject=agreement,
            rule_id=agreement.review_rule_id,
            key=agreement.review_key,
            reason=reason,
            actor=actor,
        )


def _fully_signed(agreement: Agreement) -> bool:
    version = agreement.current_version
    if version is None:
        return False
    signers = set(agreement.parties.filter(must_sign=True).values_list("pk", flat=True))
    signed = set(version.signatures.values_list("party_id", flat=True))
    return bool(signers) and signers <= signed


def _become_agreed(agreement: Agreement, actor: Any) -> None:
    old = agreement.state
    agreement.state = State.AGREED
    agreement.agreed_at = timezone.now()
    agreement.review_from_version = None
    _schedule_review(agreement, actor, "the agreement was signed by everyone in it")
    version = agreement.current_version
    assert version is not None
    agreement.save(
        update_fields=[
            "state",
            "agreed_at",
            "review_from_version",
            "updated_at",
        ]
    )
    audit_change(
        actor=actor,
        organisation=agreement.organisation,
        instance=agreement,
        action=Action.UPDATE,
        changes={"state": [old, State.AGREED]},
        summary=f"Agreement agreed: every party signed version {version.number}",
    )
    notify(
        organisation=agreement.organisation,
        recipients=[p.person for p in agreement.parties.select_related("person")],
        kind="agreement.agreed",
        dedupe_key=f"agreement:{agreement.pk}:v{version.number}:agreed",
        subject=f"Agreed: {agreement.title}",
        body=(
            f"Everyone has signed version {version.number} of “{agreement.title}”. You can "
            "download your own copy from its page."
        ),
        link=_link(agreement),
    )


# Services ------------------------------------------------------------------------------------


def agreement_create(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    title: str,
    sections: Mapping[str, str],
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    review_on: dt.date | None = None,
    subject: models.Model | tuple[str, Any] | None = None,
    parties: Iterable[tuple[Person, str]] = (),
    review: tuple[str, str] | None = KIND_DEFAULT,
) -> Agreement:
    """A draft agreement with its first version of the terms.

    `review` is (rule id, duration parameter) for the review scheduled once it is agreed; by
    default the kind's own (ASH-6, WCC-5, PSP-5); None for no review. `review_on` is a date
    chosen by hand, for an agreement without a review rule."""
    subject_type, subject_id = subject_key(subject) if subject is not None else ("", "")
    ref = SubjectRef(organisation.pk, subject_type, subject_id)
    if actor is not None and not actor.has_perm("agreements.add_agreement", ref):
        raise PermissionDenied("Only the organisation admin, or a supporter, can write agreements.")
    if kind not in KINDS:
        raise _error("kind", "Choose a listed kind of agreement.", "invalid_choice")
    spec = kind_spec(kind)
    title = _clean_title(title)
    cleaned = _clean_sections(spec, sections)
    _clean_dates(spec, organisation, starts_on, ends_on)
    review_rule_id, review_param = _clean_review(spec, organisation, review)
    if review_rule_id and review_on is not None:
        raise _error(
            "review_on",
            "The review date comes from rule %(rule)s once everyone has signed.",
            "agreement_review_date_from_rule",
            rule=review_rule_id,
        )
    party_list = list(parties)
    for person, role in party_list:
        _clean_role(spec, role)
        if person.organisation_id != organisation.pk:
            raise _error("person", "Choose someone in this organisation.", "agreement_party_here")
    if len({p.pk for p, _ in party_list}) != len(party_list):
        raise _error("person", "Each person is a party once.", "agreement_party_once")
    with transaction.atomic():
        agreement = Agreement.objects.create(
            organisation=organisation,
            kind=kind,
            title=title,
            subject_type=subject_type,
            subject_id=subject_id,
            review_rule_id=review_rule_id,
            review_param=review_param,
            review_on=review_on,
            created_by=_user(actor),
        )
        version = _new_version(
            agreement,
            number=1,
            sections=cleaned,
            starts_on=starts_on,
            ends_on=ends_on,
            change_note="",
            actor=actor,
        )
        agreement.save(update_fields=["current_version", "starts_on", "ends_on"])
        made = [
            AgreementParty.objects.create(
                agreement=agreement,
                person=person,
                role=role,
                must_sign=role != PartyRole.SUPPORTER,
                added_by=_user(actor),
            )
            for person, role in party_list
        ]
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=agreement,
            action=Action.CREATE,
            changes={
                "kind": [None, kind],
                "title": [None, title],
                "subject": [None, f"{subject_type}:{subject_id}" if subject_type else ""],
                "terms": [None, CONFIDENTIAL_MARK],
                "starts_on": [None, starts_on],
                "ends_on": [None, ends_on],
                "review_rule_id": [None, review_rule_id],
                "parties": [None, [f"{p.person_id}:{p.role}" for p in made]],
            },
            summary=f"{spec.label} drafted ({spec.rule_id})",
        )
        _ask_to_sign(agreement, version, made)
    return agreement


def agreement_add_party(
    *, actor: Any, agreement: Agreement, person: Person, role: str, must_sign: bool | None = None
) -> AgreementParty:
    _require_manage(actor, agreement, "Only the organisation admin or a supporter can add parties.")
    _clean_role(agreement.spec, role)
    signs = role != PartyRole.SUPPORTER if must_sign is None else must_sign
    if role == PartyRole.SUPPORTER and signs:
        raise _error(
            "must_sign",
            "A supporter sees the agreement but does not sign it.",
            "agreement_supporter_does_not_sign",
        )
    if person.organisation_id != agreement.organisation_id:
        raise _error("person", "Choose someone in this organisation.", "agreement_party_here")
    with transaction.atomic():
        agreement = _locked(agreement)
        _require_open(agreement)
        if agreement.state == State.AGREED and signs:
            raise _error(
                "person",
                "The agreement is agreed by everyone in it; start a review to bring someone else in.",
                "agreement_parties_fixed_when_agreed",
            )
        if agreement.parties.filter(person=person).exists():
            raise _error(
                "person",
                "%(name)s is a party already.",
                "agreement_party_once",
                name=person.display_name,
            )
        party = AgreementParty.objects.create(
            agreement=agreement, person=person, role=role, must_sign=signs, added_by=_user(actor)
        )
        audit_change(
            actor=actor,
            organisation=agreement.organisation,
            instance=party,
            action=Action.CREATE,
            changes={
                "agreement_id": [None, agreement.pk],
                "person_id": [None, person.pk],
                "role": [None, role],
                "must_sign": [None, signs],
            },
            summary=f"{PartyRole(role).label} added to agreement #{agreement.pk}",
        )
        if agreement.current_version is not None:
            _ask_to_sign(agreement, agreement.current_version, [party])
    return party


def agreement_edit_terms(
    *,
    actor: Any,
    agreement: Agreement,
    sections: Mapping[str, str],
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    review_on: dt.date | None = None,
    title: str | None = None,
    change_note: str = "",
) -> AgreementVersion:
    """Change the terms. Once anyone has signed the current version the change is a new version,
    which every party signs again; their signatures stay on the version they signed."""
    _require_manage(
        actor, agreement, "Only the organisation admin or a supporter can change the terms."
    )
    spec = agreement.spec
    cleaned = _clean_sections(spec, sections)
    _clean_dates(spec, agreement.organisation, starts_on, ends_on)
    new_title = _clean_title(title) if title is not None else None
    if agreement.review_rule_id and review_on is not None:
        raise _error(
            "review_on",
            "The review date comes from rule %(rule)s once everyone has signed.",
            "agreement_review_date_from_rule",
            rule=agreement.review_rule_id,
        )
    with transaction.atomic():
        agreement = _locked(agreement)
        _require_open(agreement)
        current = agreement.current_version
        assert current is not None
        unchanged = current.sections() == cleaned and (current.starts_on, current.ends_on) == (
            starts_on,
            ends_on,
        )
        title_changed = new_title is not None and new_title != agreement.title
        review_changed = not agreement.review_rule_id and review_on != agreement.review_on
        if unchanged and not title_changed and not review_changed:
            raise _error("__all__", "Nothing has changed.", "agreement_unchanged")
        changes: dict[str, Any] = {}
        fields: list[str] = []
        if title_changed:
            changes["title"] = [agreement.title, new_title]
            agreement.title = new_title or agreement.title
            fields.append("title")
        if review_changed:
            changes["review_on"] = [agreement.review_on, review_on]
            agreement.review_on = review_on
            fields.append("review_on")
        version = current
        if not unchanged:
            changes["terms"] = [CONFIDENTIAL_MARK, CONFIDENTIAL_MARK]
            changes["starts_on"] = [current.starts_on, starts_on]
            changes["ends_on"] = [current.ends_on, ends_on]
            if current.signatures.exists():
                version = _new_version(
                    agreement,
                    number=current.number + 1,
                    sections=cleaned,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    change_note=change_note.strip(),
                    actor=actor,
                )
                changes["version"] = [current.number, version.number]
                fields += ["current_version", "starts_on", "ends_on"]
                if agreement.state == State.AGREED:
                    changes["state"] = [State.AGREED, State.UNDER_REVIEW]
                    agreement.state = State.UNDER_REVIEW
                    agreement.review_from_version = current.number
                    fields += ["state", "review_from_version"]
            else:
                # A draft nobody has signed is still being written: the same version changes.
                current.terms = json.dumps(cleaned, sort_keys=True)
                current.starts_on, current.ends_on = starts_on, ends_on
                current.change_note = change_note.strip()
                current.save(update_fields=["terms", "starts_on", "ends_on", "change_note"])
                agreement.starts_on, agreement.ends_on = starts_on, ends_on
                fields += ["starts_on", "ends_on"]
        agreement.save(update_fields=[*dict.fromkeys(fields), "updated_at"])
        audit_change(
            actor=actor,
            organisation=agreement.organisation,
            instance=agreement,
            action=Action.UPDATE,
            changes=changes,
            summary=(
                f"Terms changed: version {version.number} needs everyone's signature"
                if version is not current
                else "Draft changed"
            ),
            reason=change_note.strip(),
        )
        if version is not current:
            _ask_to_sign(agreement, version, _signers(agreement))
    return version


def agreement_sign(*, actor: Any, party: AgreementParty, version: AgreementVersion) -> Signature:
    """`party` signs `version`, which must be the current one. Only the party themselves can."""
    if not actor.has_perm("agreements.sign_agreement", party):
        raise PermissionDenied("Only the party themselves can sign; nobody signs for someone else.")
    with transaction.atomic():
        agreement = _locked(party.agreement)
        _require_open(agreement)
        if version.agreement_id != agreement.pk or agreement.current_version_id != version.pk:
            raise _error(
                "version",
                "This is not the current version; read the newest one and sign that.",
                "agreement_sign_current_version",
            )
        if Signature.objects.filter(version=version, party=party).exists():
            raise _error(
                "version",
                "You have signed version %(number)s already.",
                "agreement_signed_once",
                number=version.number,
            )
        signature = Signature.objects.create(version=version, party=party, signed_by=actor)
        audit_change(
            actor=actor,
            organisation=agreement.organisation,
            instance=signature,
            action=Action.CREATE,
            changes={
                "agreement_id": [None, agreement.pk],
                "version": [None, version.number],
                "party_id": [None, party.pk],
            },
            summary=f"Agreement #{agreement.pk} version {version.number} signed",
        )
        if agreement.state in (State.DRAFT, State.UNDER_REVIEW) and _fully_signed(agreement):
            if agreement.state == State.DRAFT or agreement.review_from_version is None:
                _become_agreed(agreement, actor)
            elif agreement.review_from_version < version.number:
                # A review changed the terms; agreeing the new version closes the review.
                _become_agreed(agreement, actor)
    return signature


def agreement_note_disagreement(
    *, actor: Any, party: AgreementParty, version: AgreementVersion, text: str, initials: str
) -> Disagreement:
    """WCC-7: a party notes a disagreement with a version and initials it themselves."""
    if not actor.has_perm("agreements.note_disagreement", party):
        raise PermissionDenied("A disagreement is noted and initialled by the party themselves.")
    text = (text or "").strip()
    initials = (initials or "").strip().replace(".", "").replace(" ", "").upper()
    if not text:
        raise _error("text", "Say what you disagree with.", "required")
    if len(text) > MAX_SECTION_LENGTH:
        raise _error("text", "Keep it under 10,000 characters.", "max_length")
    if not INITIALS.match(initials):
        raise _error(
            "initials",
            "Initial it with the letters of your name, for example “PP”.",
            "agreement_disagreement_initialled",
        )
    with transaction.atomic():
        agreement = _locked(party.agreement)
        if version.agreement_id != agreement.pk:
            raise _error("version", "That version is not part of this agreement.", "invalid")
        disagreement = Disagreement.objects.create(
            version=version, party=party, text=text, initials=initials, noted_by=actor
        )
        audit_change(
            actor=actor,
            organisation=agreement.organisation,
            instance=disagreement,
            action=Action.CREATE,
            changes={
                "agreement_id": [None, agreement.pk],
                "version": [None, version.number],
                "text": [None, CONFIDENTIAL_MARK],
                "initials": [None, initials],
            },
            summary=f"Disagreement noted on agreement #{agreement.pk} version {version.number} (WCC-7)",
        )
    return disagreement


def _breach(
    agreement: Agreement,
    *,
    actor: Any,
    description: str,
    occurred_on: dt.date,
    by_party: AgreementParty | None,
) -> Breach:
    breach = Breach.objects.create(
        agreement=agreement,
        version=agreement.current_version,
        by_party=by_party,
        occurred_on=occurred_on,
        description=description,
        recorded_by=_user(actor),
    )
    old = agreement.state
    _stop_review(agreement, actor, "The agreement was broken")
    agreement.state = State.BROKEN
    agreement.ended_at = timezone.now()
    agreement.save(update_fields=["state", "ended_at", "updated_at"])
    audit_change(
        actor=actor,
        organisation=agreement.organisation,
        instance=breach,
        action=Action.CREATE,
        changes={
            "agreement_id": [None, agreement.pk],
            "occurred_on": [None, occurred_on],
            "by_party_id": [None, by_party.pk if by_party else None],
            "description": [None, CONFIDENTIAL_MARK],
            "state": [old, State.BROKEN],
        },
        summary=f"Breach of agreement #{agreement.pk} recorded; the agreement is broken",
    )
    return breach


def agreement_record_breach(
    *,
    actor: Any,
    agreement: Agreement,
    description: str,
    occurred_on: dt.date,
    by_party: AgreementParty | None = None,
) -> Breach:
    _require_manage(
        actor, agreement, "Only the organisation admin or a supporter can record a breach."
    )
    description = (description or "").strip()
    if not description:
        raise _error("description", "Say what happened.", "required")
    if occurred_on > timezone.localdate():
        raise _error(
            "occurred_on",
            "A breach is recorded once it has happened, so its date cannot be in the future.",
            "agreement_breach_not_future",
        )
    if by_party is not None and by_party.agreement_id != agreement.pk:
        raise _error("by_party", "Choose one of this agreement's parties.", "invalid_choice")
    with transaction.atomic():
        agreement = _locked(agreement)
        _require_open(agreement)
        if agreement.state not in (State.AGREED, State.UNDER_REVIEW):
            raise _error(
                "state",
                "Only an agreement that has been agreed can be broken.",
                "agreement_breach_needs_agreed",
            )
        return _breach(
            agreement,
            actor=actor,
            description=description,
            occurred_on=occurred_on,
            by_party=by_party,
        )


def agreement_start_review(*, actor: Any, agreement: Agreement) -> Agreement:
    _require_manage(
        actor, agreement, "Only the organisation admin or a supporter can start a review."
    )
    with transaction.atomic():
        agreement = _locked(agreement)
        _require_open(agreement)
        if agreement.state != State.AGREED:
            raise _error(
                "state",
                "Only an agreed agreement can be reviewed; this one is %(state)s.",
                "agreement_review_needs_agreed",
                state=agreement.get_state_display().lower(),
            )
        assert agreement.current_version is not None
        agreement.state = State.UNDER_REVIEW
        agreement.review_from_version = agreement.current_version.number
        agreement.save(update_fields=["state", "review_from_version", "updated_at"])
        audit_change(
            actor=actor,
            organisation=agreement.organisation,
            instance=agreement,
            action=Action.UPDATE,
            changes={"state": [State.AGREED, State.UNDER_REVIEW]},
            summary="Review of the agreement started",
        )
    return agreement


def agreement_review_record(
    *, actor: Any, agreement: Agreement, outcome: str, note: str = ""
) -> AgreementReview:
    """The review was held: the agreement is kept, upgraded (its terms changed in the review and
    are signed again) or found broken. Meets the review deadline and, for a review cycle
    (WCC-5, PSP-5), schedules the next one."""
    _require_manage(
        actor, agreement, "Only the organisation admin or a supporter can record a review."
    )
    if outcome not in AgreementReview.Outcome.values:
        raise _error("outcome", "Choose kept, upgraded or broken.", "invalid_choice")
    note = (note or "").strip()
    if outcome == AgreementReview.Outcome.BROKEN and not note:
        raise _error("note", "Say how the agreement was broken.", "required")
    with transaction.atomic():
        agreement = _locked(agreement)
        _require_open(agreement)
        if agreement.state not in (State.AGREED, State.UNDER_REVIEW):
            raise _error(
                "outcome",
                "Only an agreed agreement can be reviewed; this one is %(state)s.",
                "agreement_review_needs_agreed",
                state=agreement.get_state_display().lower(),
            )
        version = agreement.current_version
        assert version is not None
        started_from = agreement.review_from_version or version.number
        if outcome == AgreementReview.Outcome.UPGRADED and version.number <= started_from:
            raise _error(
                "outcome",
                "An upgrade is a new version of the terms: change the terms first, then record the review.",
                "agreement_upgrade_needs_new_version",
            )
        if outcome == AgreementReview.Outcome.KEPT and version.number > started_from:
            raise _error(
                "outcome",
                "The terms were changed in this review, so it was upgraded, not kept.",
                "agreement_kept_means_unchanged",
            )
        review = AgreementReview.objects.create(
            agreement=agreement,
            version=version,
            outcome=outcome,
            note=note,
            recorded_by=_user(actor),
        )
        if agreement.review_rule_id:
            obligation_meet(
                subject=agreement,
                rule_id=agreement.review_rule_id,
                key=agreement.review_key,
                event=f"the review was held ({review.get_outcome_display().lower()})",
                actor=actor,
            )
        old_state = agreement.state
        agreement.reviews_held += 1
        agreement.save(update_fields=["reviews_held", "updated_at"])
        audit_change(
            actor=actor,
            organisation=agreement.organisation,
            instance=review,
            action=Action.CREATE,
            changes={
                "agreement_id": [None, agreement.pk],
                "outcome": [None, outcome],
                "note": [None, CONFIDENTIAL_MARK if note else ""],
            },
            summary=f"Review of agreement #{agreement.pk} recorded: {review.get_outcome_display()}",
        )
        if outcome == AgreementReview.Outcome.BROKEN:
            _breach(
                agreement,
                actor=actor,
                description=note,
                occurred_on=timezone.localdate(),
                by_party=None,
            )
        elif outcome == AgreementReview.Outcome.KEPT:
            agreement.state = State.AGREED
            agreement.review_from_version = None
            _schedule_review(agreement, actor, "the last review was held")
            agreement.save(update_fields=["state", "review_from_version", "updated_at"])
            if old_state != State.AGREED:
                audit_change(
                    actor=actor,
                    organisation=agreement.organisation,
                    instance=agreement,
                    action=Action.UPDATE,
                    changes={"state": [old_state, State.AGREED]},
                    summary="Agreement kept at its review",
                )
        elif _fully_signed(agreement):
            _become_agreed(agreement, actor)
    return review


def agreement_end(
    *, actor: Any, agreement: Agreement, reason: str, superseded_by: Agreement | None = None
) -> Agreement:
    """End the agreement early or at its end (BUD-8: with a reason), or mark it replaced."""
    _require_manage(
        actor, agreement, "Only the organisation admin or a supporter can end an agreement."
    )
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", "Say why the agreement ends; it stays on the record.", "required")
    if superseded_by is not None and (
        superseded_by.pk == agreement.pk
        or superseded_by.organisation_id != agreement.organisation_id
    ):
        raise _error(
            "superseded_by", "Choose another agreement in this organisation.", "invalid_choice"
        )
    with transaction.atomic():
        agreement = _locked(agreement)
        _require_open(agreement)
        old = agreement.state
        new = State.SUPERSEDED if superseded_by is not None else State.ENDED
        _stop_review(agreement, actor, "The agreement ended")
        agreement.state = new
        agreement.ended_at = timezone.now()
        agreement.end_reason = reason
        agreement.superseded_by = superseded_by
        agreement.save(
            update_fields=[
                "state",
                "ended_at",
                "end_reason",
                "superseded_by",
                "updated_at",
            ]
        )
        audit_change(
            actor=actor,
            organisation=agreement.organisation,
            instance=agreement,
            action=Action.UPDATE,
            changes={
                "state": [old, new],
                "end_reason": [None, CONFIDENTIAL_MARK],
                "superseded_by_id": [None, superseded_by.pk if superseded_by else None],
            },
            summary="Agreement replaced" if superseded_by else "Agreement ended",
        )
    return agreement


def supporters_of(agreement: Agreement) -> frozenset[int]:
    """Re-exported for modules: the people who support `agreement` without signing it."""
    return supporter_person_ids(agreement)
