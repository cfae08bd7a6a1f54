"""Reads of obligations, filtered by who must act or oversees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.access.policy import standing
from commonground.obligations.models import Obligation
from commonground.people.models import Organisation
from commonground.policies.registry import Rule, rule
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import Duration


def my_obligations(*, actor: Any, organisation: Organisation | None = None) -> QuerySet[Obligation]:
    """Open obligations the actor must act on, soonest first."""
    qs = Obligation.objects.filter(state=Obligation.State.OPEN, assignees__user=actor)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation").order_by("due_on", "pk").distinct()


def overseen_obligations(
    *, actor: Any, organisation: Organisation, horizon_days: int | None = None
) -> QuerySet[Obligation]:
    """Open obligations the actor oversees (by role, or as admin), soonest first."""
    st = standing(actor, organisation)
    if not st.belongs:
        return Obligation.objects.none()
    qs = Obligation.objects.filter(organisation=organisation, state=Obligation.State.OPEN)
    if not st.is_admin:
        qs = qs.filter(oversight_role__in=list(st.roles)) if st.roles else qs.none()
    if horizon_days is not None:
        qs = qs.filter(due_on__lte=timezone.localdate() + dt.timedelta(days=horizon_days))
    return qs.select_related("organisation").order_by("due_on", "pk")


def obligations_for_subject(*, subject_type: str, subject_id: Any) -> QuerySet[Obligation]:
    """Every obligation of one record; callers have already checked access to the record."""
    return Obligation.objects.filter(
        subject_type=subject_type, subject_id=str(subject_id)
    ).order_by("due_on", "pk")


def obligation_get(*, actor: Any, organisation: Organisation, pk: int) -> Obligation:
    obligation = (
        Obligation.objects.filter(organisation=organisation, pk=pk)
        .select_related("organisation")
        .first()
    )
    if obligation is None or not actor.has_perm("obligations.view_obligation", obligation):
        raise Http404("No such obligation.")
    return obligation


def explain(obligation: Obligation, in_force: OrganisationPolicy | None = None) -> dict[str, Any]:
    """Why the date is what it is: the rule, the number in force, the trigger, the source.

    Pass `in_force` when explaining several obligations of one organisation (no queries then)."""
    found: Rule = rule(obligation.rule_id)
    in_force = in_force or organisation_policy(obligation.organisation)
    try:
        value = in_force.value(obligation.rule_id, obligation.param)
    except LookupError:
        value = None
    override = in_force.override(obligation.rule_id, obligation.param)
    return {
        "rule": found,
        "value": value,
        "changed_here": override is not None and override.value is not None,
        "override": override,
        "sentence": _sentence(obligation, value),
    }


def _sentence(obligation: Obligation, value: Any) -> str:
    trigger = timezone.localtime(obligation.trigger_at).strftime("%-d %B %Y")
    if not isinstance(value, Duration):
        # A date set when the obligation arose (agreed at a session, the next session), not
        # counted from a number of the policy.
        return (
            f"Due by {obligation.due_on:%-d %B %Y}: the date set when {obligation.trigger_event} "
            f"({trigger}), by rule {obligation.rule_id}."
        )
    if obligation.direction == Obligation.Direction.NOT_BEFORE:
        return (
            f"Not before {obligation.due_on:%-d %B %Y}: {value} after {obligation.trigger_event} "
            f"({trigger}), by rule {obligation.rule_id}."
        )
    if obligation.counts == Obligation.Counts.BEFORE:
        return (
            f"Due by {obligation.due_on:%-d %B %Y}: {value} before {obligation.trigger_event} "
            f"on {trigger}, by rule {obligation.rule_id}."
        )
    return (
        f"Due by {obligation.due_on:%-d %B %Y}: {value} after {obligation.trigger_event} "
        f"({trigger}), by rule {obligation.rule_id}."
    )
