"""Reads for the dashboard and the organisation pages, filtered by what the actor may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from commonground.access.policy import Standing, standing
from commonground.audit.models import AuditEntry
from commonground.obligations.models import Obligation
from commonground.obligations.selectors import my_obligations, overseen_obligations
from commonground.people.models import Organisation, Person, Qualification, RoleAssignment
from commonground.people.roles import CONFIDENTIAL_ROLES, Role

# How far ahead the dashboard warns about qualifications running out.
EXPIRY_WARNING_DAYS = 60
BREAK_GLASS_REPORT_DAYS = 30
# The dashboard lists the actor's own deadlines falling within this many days (and all overdue).
OBLIGATION_HORIZON_DAYS = 14


@dataclass
class OrganisationSummary:
    organisation: Organisation
    standing: Standing
    role_labels: list[str]
    my_expiring: list[Qualification] = field(default_factory=list)
    expiring: list[Qualification] = field(default_factory=list)
    expired_in_role: list[Qualification] = field(default_factory=list)
    without_mfa: list[Person] = field(default_factory=list)
    break_glass: list[AuditEntry] = field(default_factory=list)
    my_obligations: list[Obligation] = field(default_factory=list)
    overseen_overdue: list[Obligation] = field(default_factory=list)

    @property
    def attention_count(self) -> int:
        return (
            len(self.my_obligations)
            + len(self.overseen_overdue)
            + len(self.my_expiring)
            + len(self.expiring)
            + len(self.expired_in_role)
            + len(self.without_mfa)
            + len(self.break_glass)
        )


def dashboard(*, actor: Any) -> list[OrganisationSummary]:
    """What needs the actor today, per organisation they belong to."""
    today = timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    summaries = []
    people = (
        Person.objects.filter(user=actor)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    for person in people:
        org = person.organisation
        st = standing(actor, org)
        role_labels = sorted(Role(r).label for r in st.roles)
        summary = OrganisationSummary(organisation=org, standing=st, role_labels=role_labels)
        summary.my_expiring = list(
            Qualification.objects.filter(
                person=person,
                expires_on__isnull=False,
                expires_on__lte=soon,
                expires_on__gte=today - dt.timedelta(days=EXPIRY_WARNING_DAYS),
            ).order_by("expires_on")
        )
        if st.is_admin:
            summary.expiring = list(
                Qualification.objects.filter(
                    organisation=org, expires_on__gte=today, expires_on__lte=soon
                )
                .exclude(person=person)
                .select_related("person")
                .order_by("expires_on")[:50]
            )
            holders = RoleAssignment.objects.current(today).filter(organisation=org)
            # Expired qualifications of people who still hold a role (a lapsed DBS check, say).
            summary.expired_in_role = list(
                Qualification.objects.filter(
                    organisation=org,
                    expires_on__lt=today,
                    person__in=holders.values("person"),
                )
                .select_related("person")
                .order_by("expires_on")[:50]
            )
            summary.without_mfa = list(
                Person.objects.filter(
                    organisation=org,
                    user__isnull=False,
                    pk__in=holders.filter(role__in=CONFIDENTIAL_ROLES).values("person"),
                )
                .exclude(
                    user__in=Authenticator.objects.filter(
                        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
                    ).values("user")
                )
                .order_by("full_name")[:50]
            )
            summary.break_glass = list(
                AuditEntry.objects.filter(
                    organisation=org,
                    action=AuditEntry.Action.BREAK_GLASS,
                    created_at__gte=timezone.now() - dt.timedelta(days=BREAK_GLASS_REPORT_DAYS),
                ).order_by("-seq")[:20]
            )
        summary.my_obligations = list(
            my_obligations(actor=actor, organisation=org).filter(
                due_on__lte=today + dt.timedelta(days=OBLIGATION_HORIZON_DAYS)
            )[:50]
        )
        summary.overseen_overdue = list(
            overseen_obligations(actor=actor, organisation=org)
            .filter(due_on__lt=today, direction=Obligation.Direction.BY)
            .exclude(assignees=person)[:50]
        )
        summaries.append(summary)
    return summaries


def audit_entries(
    *,
    actor: Any,
    organisation: Organisation,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
) -> QuerySet[AuditEntry]:
    if not actor.has_perm("audit.view_auditentry", organisation):
        raise PermissionDenied("The audit log is for the organisation's admins.")
    entries = AuditEntry.objects.filter(organisation=organisation)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries.order_by("-seq")
