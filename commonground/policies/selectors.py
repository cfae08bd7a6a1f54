"""The rules in force for an organisation: the policy's numbers with its own changes applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commonground.people.models import Organisation
from commonground.policies.models import PolicyAdoption, RuleOverride
from commonground.policies.registry import Policy, Rule, policies, rule
from commonground.policies.values import PolicyValue


class PolicyNotAdopted(LookupError):
    pass


@dataclass(frozen=True)
class ParamInForce:
    name: str
    value: PolicyValue
    default: PolicyValue
    note: str
    override: RuleOverride | None

    @property
    def changed(self) -> bool:
        return self.override is not None and self.override.value is not None


@dataclass(frozen=True)
class RuleInForce:
    rule: Rule
    params: list[ParamInForce]


@dataclass(frozen=True)
class PolicyInForce:
    policy: Policy
    rules: list[RuleInForce]


class OrganisationPolicy:
    """What `organisation` has adopted, with its own numbers. Build once per request or job."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self._adoptions = {
            a.policy: a for a in PolicyAdoption.objects.filter(organisation=organisation)
        }
        latest: dict[tuple[str, str], RuleOverride] = {}
        for override in (
            RuleOverride.objects.filter(organisation=organisation)
            .select_related("changed_by")
            .order_by("changed_at", "pk")
        ):
            latest[(override.rule_id, override.param)] = override
        self._overrides = latest

    def adopts(self, rule_id: str) -> bool:
        code = rule_id.split("-", 1)[0]
        adoption = self._adoptions.get(code)
        if adoption is None:
            return False
        return not adoption.only_rules or rule_id in adoption.only_rules

    def override(self, rule_id: str, param: str) -> RuleOverride | None:
        return self._overrides.get((rule_id, param))

    def value(self, rule_id: str, param: str) -> Any:
        """The number in force for `param` of `rule_id` (the policy's, or the organisation's own)."""
        if not self.adopts(rule_id):
            raise PolicyNotAdopted(f"{self.organisation} has not adopted rule {rule_id}.")
        found = rule(rule_id)
        if param not in found.params:
            raise LookupError(f"Rule {rule_id} has no parameter “{param}”.")
        declared = found.params[param]
        override = self._overrides.get((rule_id, param))
        if override is not None and override.value is not None:
            return declared.parse(override.value)
        return declared.default

    def in_force(self) -> list[PolicyInForce]:
        result = []
        for code, policy in policies().items():
            if code not in self._adoptions:
                continue
            rules = [
                self.rule_in_force(rule_id) for rule_id in policy.rules if self.adopts(rule_id)
            ]
            result.append(PolicyInForce(policy=policy, rules=rules))
        return result

    def rule_in_force(self, rule_id: str) -> RuleInForce:
        found = rule(rule_id)
        params = [
            ParamInForce(
                name=name,
                value=self.value(rule_id, name),
                default=p.default,
                note=p.note,
                override=self._overrides.get((rule_id, name)),
            )
            for name, p in found.params.items()
        ]
        return RuleInForce(rule=found, params=params)


def organisation_policy(organisation: Organisation) -> OrganisationPolicy:
    return OrganisationPolicy(organisation)


def override_history(*, organisation: Organisation, rule_id: str) -> list[RuleOverride]:
    return list(
        RuleOverride.objects.filter(organisation=organisation, rule_id=rule_id)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    )
