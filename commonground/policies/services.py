"""Adopting policies and changing an organisation's numbers, with reasons and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_change
from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_meet, obligation_schedule
from commonground.people.models import Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.models import PolicyAdoption, RuleOverride
from commonground.policies.registry import policies, rule
from commonground.policies.selectors import organisation_policy
from commonground.policies.signals import policy_value_changed
from commonground.policies.values import PolicyValueError


def policy_adopt(
    *, actor: Any, organisation: Organisation, policy: str, only_rules: list[str] | None = None
) -> PolicyAdoption:
    if actor is not None and not actor.has_perm("policies.change_policy", organisation):
        raise PermissionDenied("Only an organisation admin can adopt policies.")
    if policy not in policies():
        raise ValidationError(
            {
                "policy": ValidationError(
                    "There is no policy “%(policy)s”.",
                    code="policy_known",
                    params={"policy": policy},
                )
            }
        )
    chosen = list(only_rules or [])
    for rule_id in chosen:
        if rule_id not in policies()[policy].rules:
            raise ValidationError(
                {
                    "only_rules": ValidationError(
                        "Policy %(policy)s has no rule %(rule)s.",
                        code="policy_rule_known",
                        params={"policy": policy, "rule": rule_id},
                    )
                }
            )
    with transaction.atomic():
        adoption, created = PolicyAdoption.objects.update_or_create(
            organisation=organisation,
            policy=policy,
            defaults={
                "only_rules": chosen,
                "adopted_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=adoption,
            action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
            changes={"policy": [None, policy], "only_rules": [None, chosen]},
            summary=f"Policy {policy} adopted"
            + (f" (rules {', '.join(chosen)})" if chosen else ""),
        )
        review_rule = policies()[policy].review_rule
        if created and review_rule and (not chosen or review_rule in chosen):
            _schedule_review(
                organisation,
                adoption,
                review_rule,
                adoption.adopted_on,
                "the policy was adopted",
                actor,
            )
    return adoption


def _schedule_review(
    organisation: Organisation,
    adoption: PolicyAdoption,
    rule_id: str,
    since: dt.date,
    event: str,
    actor: Any,
) -> Obligation:
    admins = Person.objects.filter(
        pk__in=RoleAssignment.objects.current()
        .filter(organisation=organisation, role=Role.ORG_ADMIN)
        .values("person")
    )
    return obligation_schedule(
        organisation=organisation,
        rule_id=rule_id,
        param="review_every",
        subject=adoption,
        # One obligation per round of the cycle: review 1, review 2, ...
        key=f"review:{_review_rounds(adoption, rule_id) + 1}",
        title=f"Review the {policies()[adoption.policy].title}",
        trigger_event=event,
        trigger_at=since,
        assignees=admins,
        oversight_role=Role.ORG_ADMIN,
        actor=actor,
    )


def _review_rounds(adoption: PolicyAdoption, rule_id: str) -> int:
    return Obligation.objects.filter(
        subject_type="policies.policyadoption", subject_id=str(adoption.pk), rule_id=rule_id
    ).count()


def policy_review_record(
    *, actor: Any, organisation: Organisation, policy: str, reviewed_on: dt.date, note: str = ""
) -> Obligation:
    """Record that the organisation reviewed the policy: meets the due review, schedules the next."""
    if not actor.has_perm("policies.change_policy", organisation):
        raise PermissionDenied("Only an organisation admin records a policy review.")
    adoption = PolicyAdoption.objects.filter(organisation=organisation, policy=policy).first()
    review_rule = policies()[policy].review_rule if policy in policies() else ""
    if adoption is None or not review_rule:
        raise ValidationError(
            {
                "policy": ValidationError(
                    "%(policy)s has no review cycle here.",
                    code="policy_review_cycle",
                    params={"policy": policy},
                )
            }
        )
    if reviewed_on > timezone.localdate():
        raise ValidationError(
            {
                "reviewed_on": ValidationError(
                    "A review is recorded once it has happened, so its date cannot be in the future.",
                    code="policy_review_not_future",
                )
            }
        )
    with transaction.atomic():
        open_review = Obligation.objects.filter(
            subject_type="policies.policyadoption",
            subject_id=str(adoption.pk),
            rule_id=review_rule,
            state=Obligation.State.OPEN,
        ).first()
        if open_review is not None:
            obligation_meet(
                subject=adoption,
                rule_id=review_rule,
                key=open_review.key,
                event="policy reviewed" + (f": {note}" if note else ""),
                actor=actor,
            )
        return _schedule_review(
            organisation, adoption, review_rule, reviewed_on, "the last review", actor
        )


def policy_value_change(
    *,
    actor: Any,
    organisation: Organisation,
    rule_id: str,
    param: str,
    value: str | None,
    reason: str,
) -> RuleOverride:
    """Change one of the organisation's numbers (or, with value None, put the default back).

    Every open obligation that depends on the rule is recomputed in the same transaction."""
    if not actor.has_perm("policies.change_policy", organisation):
        raise PermissionDenied("Only an organisation admin can change the policy's numbers.")
    try:
        found = rule(rule_id)
    except LookupError as exc:
        raise ValidationError(
            {"rule_id": ValidationError(str(exc), code="policy_rule_known")}
        ) from exc
    if param not in found.params:
        raise ValidationError(
            {
                "param": ValidationError(
                    "Rule %(rule)s has no number called “%(param)s”.",
                    code="policy_param_known",
                    params={"rule": rule_id, "param": param},
                )
            }
        )
    in_force = organisation_policy(organisation)
    if not in_force.adopts(rule_id):
        raise ValidationError(
            {
                "rule_id": ValidationError(
                    "%(org)s has not adopted rule %(rule)s.",
                    code="policy_adopted",
                    params={"org": organisation.name, "rule": rule_id},
                )
            }
        )
    if not (reason or "").strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    "Say why the number changes; members see it beside the rule.",
                    code="policy_change_reason",
                )
            }
        )
    declared = found.params[param]
    normalised: str | None = None
    if value is not None and str(value).strip() != "":
        try:
            normalised = str(declared.parse(str(value).strip()))
        except PolicyValueError as exc:
            raise ValidationError(
                {
                    "value": ValidationError(
                        "%(rule)s %(param)s: %(problem)s.",
                        code="policy_value_kind",
                        params={"rule": rule_id, "param": param, "problem": str(exc)},
                    )
                }
            ) from exc
    old = str(in_force.value(rule_id, param))
    with transaction.atomic():
        override = RuleOverride.objects.create(
            organisation=organisation,
            rule_id=rule_id,
            param=param,
            value=normalised,
            reason=reason.strip(),
            changed_by=actor,
        )
        new = normalised if normalised is not None else str(declared.default)
        audit_change(
            actor=actor,
            organisation=organisation,
            instance=override,
            action=AuditEntry.Action.UPDATE,
            changes={f"{rule_id}.{param}": [old, new]},
            summary=f"{rule_id} {param} changed"
            if normalised
            else f"{rule_id} {param} back to the policy's default",
            reason=reason.strip(),
        )
        policy_value_changed.send(
            sender=RuleOverride,
            organisation=organisation,
            rule_id=rule_id,
            param=param,
            actor=actor,
        )
    return override
