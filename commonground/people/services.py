"""Every change to organisations and people goes through one of these functions.

Each checks the actor's permission, validates against the rules, writes in one transaction and
records the audit entry in that same transaction. Bad input raises ValidationError naming the
field and the rule, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from commonground.access.policy import forget_standing
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_change, creation_changes, diff, snapshot
from commonground.people.models import (
    ContactChannel,
    Gender,
    MembershipChange,
    MembershipStatus,
    Organisation,
    Person,
    Qualification,
    QualificationKind,
    RoleAssignment,
)
from commonground.people.roles import Role

Action = AuditEntry.Action

ORGANISATION_FIELDS = ("name", "kind", "contact_email", "phone", "address", "description")
PERSON_FIELDS = (
    "full_name",
    "preferred_name",
    "pronouns",
    "email",
    "phone",
    "postal_address",
    "contact_channels",
    "gender",
    "support_needs",
)
# What a person may change about themselves without an admin.
OWN_DETAIL_FIELDS = frozenset(
    {"preferred_name", "pronouns", "email", "phone", "postal_address", "contact_channels"}
)
QUALIFICATION_FIELDS = ("kind", "title", "obtained_on", "expires_on", "reference", "note")


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def _clean_channels(channels: Iterable[str], person_values: dict[str, Any]) -> list[str]:
    valid = {c.value for c in ContactChannel}
    cleaned: list[str] = []
    for channel in channels:
        if channel not in valid:
            raise ValidationError(
                {
                    "contact_channels": ValidationError(
                        "“%(channel)s” is not a contact channel; choose from email, sms, phone, post.",
                        code="contact_channel_known",
                        params={"channel": channel},
                    )
                }
            )
        if channel not in cleaned:
            cleaned.append(channel)
    needs = {
        ContactChannel.EMAIL: ("email", "an email address"),
        ContactChannel.SMS: ("phone", "a phone number"),
        ContactChannel.PHONE: ("phone", "a phone number"),
        ContactChannel.POST: ("postal_address", "a postal address"),
    }
    for channel in cleaned:
        field, what = needs[ContactChannel(channel)]
        if not person_values.get(field):
            raise ValidationError(
                {
                    field: ValidationError(
                        "%(channel)s is a chosen way to get in touch, so %(what)s is needed.",
                        code="contact_channel_needs_details",
                        params={"channel": ContactChannel(channel).label, "what": what},
                    )
                }
            )
    return cleaned


def _validate_person_values(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if "full_name" in values:
        values["full_name"] = (values["full_name"] or "").strip()
        if not values["full_name"]:
            raise ValidationError(
                {"full_name": ValidationError("A full name is needed.", code="required")}
            )
    if values.get("email"):
        values["email"] = values["email"].strip().lower()
    gender = values.get("gender")
    if gender and gender not in Gender.values:
        raise ValidationError(
            {"gender": ValidationError("Choose one of the listed options.", code="invalid_choice")}
        )
    return values


def organisation_create(
    *,
    actor: Any = None,
    name: str,
    kind: str = Organisation.Kind.OTHER,
    slug: str = "",
    **details: Any,
) -> Organisation:
    """Create an organisation (an installation operator's task, from the command line)."""
    slug = slug or slugify(name)[:60]
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError(
            {
                "slug": ValidationError(
                    "An organisation with the address “%(slug)s” exists already.",
                    code="unique",
                    params={"slug": slug},
                )
            }
        )
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, slug=slug, kind=kind, **details)
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=organisation,
            action=Action.CREATE,
            changes=creation_changes(organisation, ("name", "slug", "kind")),
            summary=f"Organisation {name} created",
        )
    return organisation


def organisation_update(*, actor: Any, organisation: Organisation, **values: Any) -> Organisation:
    _require(
        actor,
        "people.change_organisation",
        organisation,
        "Only an organisation admin can change its settings.",
    )
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "name" in values and not (values["name"] or "").strip():
        raise ValidationError({"name": ValidationError("A name is needed.", code="required")})
    if "kind" in values and values["kind"] not in Organisation.Kind.values:
        raise ValidationError(
            {"kind": ValidationError("Choose a listed kind.", code="invalid_choice")}
        )
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = snapshot(organisation, values)
        for name, value in values.items():
            setattr(organisation, name, value)
        organisation.full_clean()
        changes = diff(organisation, before)
        if changes:
            organisation.save(update_fields=list(changes))
            audit_change(
                actor=actor,
                organisation=organisation,
                instance=organisation,
                action=Action.UPDATE,
                changes=changes,
                summary="Organisation settings changed",
            )
    return organisation


def person_create(
    *,
    actor: Any,
    organisation: Organisation,
    full_name: str,
    membership_status: str = MembershipStatus.ACTIVE,
    membership_since: dt.date | None = None,
    **values: Any,
) -> Person:
    if actor is not None:
        _require(
            actor, "people.add_person", organisation, "Only an organisation admin can add people."
        )
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    values = _validate_person_values({"full_name": full_name, **values})
    values["contact_channels"] = _clean_channels(values.get("contact_channels") or [], values)
    if membership_status not in MembershipStatus.values:
        raise ValidationError(
            {"membership_status": ValidationError("Choose a listed status.", code="invalid_choice")}
        )
    since = membership_since or timezone.localdate()
    with transaction.atomic():
        person = Person(
            organisation=organisation,
            membership_status=membership_status,
            membership_since=since,
            **values,
        )
        person.full_clean()
        person.save()
        MembershipChange.objects.create(
            person=person,
            status=membership_status,
            effective_on=since,
            reason="Added to the organisation",
            recorded_by=_user(actor),
        )
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=person,
            action=Action.CREATE,
            changes=creation_changes(person, (*PERSON_FIELDS, "membership_status")),
            summary="Person added",
        )
    return person


def person_update(*, actor: Any, person: Person, **values: Any) -> Person:
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if not actor.has_perm("people.change_person", person) and not (
        actor.has_perm("people.change_own_details", person) and set(values) <= OWN_DETAIL_FIELDS
    ):
        raise PermissionDenied("You can change only your own name, pronouns and contact details.")
    values = _validate_person_values(values)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = snapshot(person, values)
        for name, value in values.items():
            setattr(person, name, value)
        merged = {f: getattr(person, f) for f in PERSON_FIELDS}
        person.contact_channels = _clean_channels(person.contact_channels or [], merged)
        person.full_clean()
        changes = diff(person, before)
        if changes:
            person.save(update_fields=[*changes, "updated_at"])
            audit_change(
                actor=actor,
                organisation=person.organisation,
                instance=person,
                action=Action.UPDATE,
                changes=changes,
                summary="Person details changed",
            )
    return person


def membership_change(
    *, actor: Any, person: Person, status: str, effective_on: dt.date, reason: str
) -> MembershipChange:
    _require(
        actor,
        "people.change_membership",
        person,
        "Only an organisation admin can change someone else's membership.",
    )
    if status not in MembershipStatus.values:
        raise ValidationError(
            {"status": ValidationError("Choose a listed status.", code="invalid_choice")}
        )
    if effective_on > timezone.localdate():
        raise ValidationError(
            {
                "effective_on": ValidationError(
                    "A membership change is recorded when it happens, so its date cannot be in the future.",
                    code="membership_date_not_future",
                )
            }
        )
    if not reason.strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    "Say why the membership changed; it stays on the person's record.",
                    code="required",
                )
            }
        )
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if status == person.membership_status:
            raise ValidationError(
                {
                    "status": ValidationError(
                        "The membership is %(status)s already.",
                        code="membership_status_unchanged",
                        params={"status": person.get_membership_status_display().lower()},
                    )
                }
            )
        latest = person.membership_changes.first()
        if latest is not None and effective_on < latest.effective_on:
            raise ValidationError(
                {
                    "effective_on": ValidationError(
                        "The last change took effect on %(date)s; a new one cannot be dated before it.",
                        code="membership_date_in_order",
                        params={"date": latest.effective_on},
                    )
                }
            )
        change = MembershipChange.objects.create(
            person=person,
            status=status,
            effective_on=effective_on,
            reason=reason.strip(),
            recorded_by=_user(actor),
        )
        old = person.membership_status
        person.membership_status = status
        person.save(update_fields=["membership_status", "updated_at"])
        audit_change(
            actor=actor,
            organisation=person.organisation,
            instance=person,
            action=Action.UPDATE,
            changes={"membership_status": [old, status]},
            summary="Membership changed",
            reason=reason.strip(),
        )
    return change


def role_assign(
    *,
    actor: Any,
    person: Person,
    role: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    note: str = "",
) -> RoleAssignment:
    if actor is not None:
        _require(actor, "people.manage_roles", person, "Only an organisation admin can give roles.")
    if role not in Role.values:
        raise ValidationError(
            {"role": ValidationError("Choose a listed role.", code="invalid_choice")}
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": ValidationError(
                    "A role cannot end before it starts.", code="role_ends_after_start"
                )
            }
        )
    with transaction.atomic():
        overlapping = RoleAssignment.objects.filter(person=person, role=role).filter(
            _overlapping(starts_on, ends_on)
        )
        if overlapping.exists():
            raise ValidationError(
                {
                    "role": ValidationError(
                        "%(name)s already holds this role for part of that time.",
                        code="role_no_overlap",
                        params={"name": person.display_name},
                    )
                }
            )
        assignment = RoleAssignment.objects.create(
            organisation=person.organisation,
            person=person,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
            created_by=_user(actor),
        )
        audit_change(
            actor=actor,
            organisation=person.organisation,
            instance=assignment,
            action=Action.CREATE,
            changes=creation_changes(assignment, ("person_id", "role", "starts_on", "ends_on")),
            summary=f"Role {assignment.get_role_display()} given",
        )
    if actor is not None:
        forget_standing(actor)
    return assignment


def _overlapping(starts_on: dt.date, ends_on: dt.date | None) -> Q:
    """Assignments whose dates overlap [starts_on, ends_on] (open ends are unbounded)."""
    q = Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    if ends_on is not None:
        q &= Q(starts_on__lte=ends_on)
    return q


def role_end(
    *, actor: Any, assignment: RoleAssignment, ends_on: dt.date, reason: str = ""
) -> RoleAssignment:
    _require(
        actor, "people.manage_roles", assignment.person, "Only an organisation admin can end roles."
    )
    if ends_on < assignment.starts_on:
        raise ValidationError(
            {
                "ends_on": ValidationError(
                    "A role cannot end before it starts (%(start)s).",
                    code="role_ends_after_start",
                    params={"start": assignment.starts_on},
                )
            }
        )
    with transaction.atomic():
        assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.role == Role.ORG_ADMIN:
            # Someone else must hold the role the day after this one ends, and go on holding it.
            day_after = ends_on + dt.timedelta(days=1)
            others = (
                RoleAssignment.objects.current(day_after)
                .filter(organisation=assignment.organisation, role=Role.ORG_ADMIN)
                .filter(ends_on__isnull=True)
                .exclude(pk=assignment.pk)
                .exists()
            )
            if not others:
                raise ValidationError(
                    {
                        "ends_on": ValidationError(
                            "This is the organisation's only admin; give the role to someone else first.",
                            code="org_keeps_an_admin",
                        )
                    }
                )
        before = snapshot(assignment, ["ends_on"])
        assignment.ends_on = ends_on
        assignment.save(update_fields=["ends_on"])
        audit_change(
            actor=actor,
            organisation=assignment.organisation,
            instance=assignment,
            action=Action.UPDATE,
            changes=diff(assignment, before),
            summary=f"Role {assignment.get_role_display()} ended",
            reason=reason,
        )
    forget_standing(actor)
    return assignment


def _validate_qualification(values: dict[str, Any]) -> None:
    if "kind" in values and values["kind"] not in QualificationKind.values:
        raise ValidationError(
            {"kind": ValidationError("Choose a listed kind.", code="invalid_choice")}
        )
    obtained, expires = values.get("obtained_on"), values.get("expires_on")
    if obtained and obtained > timezone.localdate():
        raise ValidationError(
            {
                "obtained_on": ValidationError(
                    "A qualification is recorded once obtained, so the date cannot be in the future.",
                    code="qualification_obtained_not_future",
                )
            }
        )
    if obtained and expires and expires < obtained:
        raise ValidationError(
            {
                "expires_on": ValidationError(
                    "The expiry date must be on or after the date obtained.",
                    code="qualification_expires_after_obtained",
                )
            }
        )
    if values.get("kind") == QualificationKind.OTHER and not (values.get("title") or "").strip():
        raise ValidationError(
            {
                "title": ValidationError(
                    "Name the qualification when its kind is “Other”.", code="required"
                )
            }
        )


def qualification_record(
    *,
    actor: Any,
    person: Person,
    kind: str,
    obtained_on: dt.date,
    expires_on: dt.date | None = None,
    title: str = "",
    reference: str = "",
    note: str = "",
) -> Qualification:
    if actor is not None:
        _require(
            actor,
            "people.manage_qualifications",
            person,
            "Only an organisation admin can record qualifications.",
        )
    values = {
        "kind": kind,
        "title": title,
        "obtained_on": obtained_on,
        "expires_on": expires_on,
        "reference": reference,
        "note": note,
    }
    _validate_qualification(values)
    with transaction.atomic():
        qualification = Qualification.objects.create(
            organisation=person.organisation, person=person, recorded_by=_user(actor), **values
        )
        audit_change(
            actor=actor,
            organisation=person.organisation,
            instance=qualification,
            action=Action.CREATE,
            changes=creation_changes(qualification, ("person_id", *QUALIFICATION_FIELDS)),
            summary=f"Qualification {qualification.display_title} recorded",
        )
    return qualification


def qualification_update(
    *, actor: Any, qualification: Qualification, **values: Any
) -> Qualification:
    _require(
        actor,
        "people.manage_qualifications",
        qualification.person,
        "Only an organisation admin can change qualifications.",
    )
    unknown = set(values) - set(QUALIFICATION_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
        merged = {f: getattr(qualification, f) for f in QUALIFICATION_FIELDS} | values
        _validate_qualification(merged)
        before = snapshot(qualification, values)
        for name, value in values.items():
            setattr(qualification, name, value)
        changes = diff(qualification, before)
        if changes:
            qualification.save(update_fields=list(changes))
            audit_change(
                actor=actor,
                organisation=qualification.organisation,
                instance=qualification,
                action=Action.UPDATE,
                changes=changes,
                summary=f"Qualification {qualification.display_title} changed",
            )
    return qualification


def qualification_delete(*, actor: Any, qualification: Qualification, reason: str) -> None:
    _require(
        actor,
        "people.manage_qualifications",
        qualification.person,
        "Only an organisation admin can remove qualifications.",
    )
    if not reason.strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    "Say why the qualification is removed (for example, recorded in error).",
                    code="required",
                )
            }
        )
    with transaction.atomic():
        audit_change(
            actor=actor,
            organisation=qualification.organisation,
            instance=qualification,
            action=Action.DELETE,
            changes={
                f: [getattr(qualification, f), None]
                for f in ("kind", "title", "obtained_on", "expires_on")
            },
            summary=f"Qualification {qualification.display_title} removed",
            reason=reason,
        )
        qualification.delete()


def person_invite(*, actor: Any, person: Person) -> Any:
    """Give a person a login: link or make an account for their email and send a sign-in link."""
    from commonground.accounts.services import send_set_password_email

    _require(actor, "people.invite_person", person, "Only an organisation admin can give logins.")
    if not person.email:
        raise ValidationError(
            {
                "email": ValidationError(
                    "Record an email address for %(name)s first; the invitation is sent there.",
                    code="invite_needs_email",
                    params={"name": person.display_name},
                )
            }
        )
    user_model = get_user_model()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.user_id is not None:
            raise ValidationError(
                {
                    "email": ValidationError(
                        "%(name)s has a login already.",
                        code="invite_once",
                        params={"name": person.display_name},
                    )
                }
            )
        user, created = user_model.objects.get_or_create(email=person.email.lower())
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        person.user = user
        try:
            person.save(update_fields=["user", "updated_at"])
        except IntegrityError as exc:
            raise ValidationError(
                {
                    "email": ValidationError(
                        "That login already belongs to someone else in this organisation.",
                        code="person_one_per_user_per_org",
                    )
                }
            ) from exc
        audit_change(
            actor=actor,
            organisation=person.organisation,
            instance=person,
            action=Action.UPDATE,
            changes={"login": [None, "invited"]},
            summary="Login given",
        )
        transaction.on_commit(lambda: send_set_password_email(user))
    return user


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
