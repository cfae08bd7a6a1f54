"""Loads the demo organisations through the people services, so the audit log records it all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import User
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_change
from commonground.demo.casework import load_ash_cases, load_other_ash_modules
from commonground.demo.data import DEMO_PASSWORD, ORGANISATIONS, OrganisationSpec, PersonSpec
from commonground.demo.groups import load_psp_groups
from commonground.people.models import Organisation, Person
from commonground.people.roles import Role
from commonground.people.services import (
    membership_change,
    organisation_create,
    person_create,
    qualification_record,
    role_assign,
)
from commonground.policies.services import policy_adopt


@dataclass(frozen=True)
class DemoLogin:
    email: str
    organisation: str
    role: str


@dataclass(frozen=True)
class LoadReport:
    organisations: int
    people: int
    logins: tuple[DemoLogin, ...]


def demo_slugs() -> list[str]:
    return [spec.slug for spec in ORGANISATIONS]


def demo_logins() -> tuple[DemoLogin, ...]:
    return tuple(
        DemoLogin(email=person.email, organisation=org.name, role=person.login_role)
        for org in ORGANISATIONS
        for person in org.people
        if person.login
    )


def existing_demo_organisations() -> list[str]:
    return list(
        Organisation.objects.filter(slug__in=demo_slugs())
        .order_by("name")
        .values_list("name", flat=True)
    )


def load_demo() -> LoadReport:
    """Create every demo organisation, person, role, qualification and login in one transaction."""
    today = timezone.localdate()
    # One Argon2 hash for every demo login: hashing per user would take seconds.
    password_hash = make_password(DEMO_PASSWORD)
    people = 0
    with transaction.atomic():
        for spec in ORGANISATIONS:
            people += _load_organisation(spec, today=today, password_hash=password_hash)
        ash = Organisation.objects.get(slug="ash")
        load_ash_cases(ash)
        load_other_ash_modules(ash)
        load_psp_groups(Organisation.objects.get(slug="peer-support-plus"))
    return LoadReport(organisations=len(ORGANISATIONS), people=people, logins=demo_logins())


def _ago(today: dt.date, days: int | None) -> dt.date | None:
    return None if days is None else today - dt.timedelta(days=days)


def _load_organisation(spec: OrganisationSpec, *, today: dt.date, password_hash: str) -> int:
    organisation = organisation_create(
        actor=None,
        name=spec.name,
        slug=spec.slug,
        kind=spec.kind,
        contact_email=spec.contact_email,
        phone=spec.phone,
        description=spec.description,
    )
    policy_adopt(actor=None, organisation=organisation, policy=spec.policy)
    admin_user: Any = None
    histories: list[tuple[Person, PersonSpec]] = []
    for person_spec in spec.people:
        person = _load_person(organisation, person_spec, today=today, password_hash=password_hash)
        if person_spec.history:
            histories.append((person, person_spec))
        if (
            admin_user is None
            and person.user is not None
            and any(
                r.role == Role.ORG_ADMIN and r.ended_days_ago is None for r in person_spec.roles
            )
        ):
            admin_user = person.user
    # Membership changes need an admin's hand (the service insists on one): the org's own.
    if histories and admin_user is None:
        raise ValueError(f"{spec.name} needs an admin with a login to record membership changes.")
    for person, person_spec in histories:
        for step in person_spec.history:
            membership_change(
                actor=admin_user,
                person=person,
                status=step.status,
                effective_on=today - dt.timedelta(days=step.days_ago),
                reason=step.reason,
            )
    return len(spec.people)


def _load_person(
    organisation: Organisation, spec: PersonSpec, *, today: dt.date, password_hash: str
) -> Person:
    person = person_create(
        actor=None,
        organisation=organisation,
        full_name=spec.full_name,
        membership_since=today - dt.timedelta(days=spec.member_since_days_ago),
        preferred_name=spec.preferred_name,
        pronouns=spec.pronouns,
        email=spec.email,
        phone=spec.phone,
        postal_address=spec.postal_address,
        contact_channels=list(spec.channels),
        gender=spec.gender,
        support_needs=spec.support_needs,
    )
    for role in spec.roles:
        role_assign(
            actor=None,
            person=person,
            role=role.role,
            starts_on=today - dt.timedelta(days=role.started_days_ago),
            ends_on=_ago(today, role.ended_days_ago),
            note=role.note,
        )
    for qualification in spec.qualifications:
        qualification_record(
            actor=None,
            person=person,
            kind=qualification.kind,
            title=qualification.title,
            obtained_on=today - dt.timedelta(days=qualification.obtained_days_ago),
            expires_on=None
            if qualification.expires_in_days is None
            else today + dt.timedelta(days=qualification.expires_in_days),
            reference=qualification.reference,
            note=qualification.note,
        )
    if spec.login:
        _give_login(person, password_hash=password_hash)
    return person


def _give_login(person: Person, *, password_hash: str) -> None:
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
