"""The rules an organisation follows, with its own numbers, and the admin's changes to them."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Path, Router

from commonground.api.routers.common import ERRORS, Slug, actor, organisation
from commonground.api.schemas import PolicyOut, PolicyParamOut, PolicyRuleOut, PolicyValueIn
from commonground.policies.selectors import RuleInForce, organisation_policy
from commonground.policies.services import policy_value_change

router = Router()

RuleId = Annotated[
    str, Path(max_length=20, pattern=r"^[A-Z]+-\d{1,4}$", description="A rule id such as ASH-8.")
]
ParamName = Annotated[
    str, Path(max_length=60, pattern=r"^[a-z_]+$", description="The number's name.")
]


def _rule_out(item: RuleInForce) -> PolicyRuleOut:
    return PolicyRuleOut(
        id=item.rule.id,
        kind=item.rule.kind,
        summary=item.rule.summary,
        clause=item.rule.clause,
        params=[
            PolicyParamOut(
                name=p.name,
                kind=p.value.kind,
                value=str(p.value),
                default=str(p.default),
                changed=p.changed,
                reason=p.override.reason if p.changed and p.override else "",
                note=p.note,
            )
            for p in item.params
        ],
    )


@router.get(
    "/organisations/{slug}/policy",
    response={200: list[PolicyOut], **ERRORS},
    summary="The rules in force",
    description="Every rule of every policy the organisation adopted, with its own numbers.",
)
def policy_rules(request: HttpRequest, slug: Slug) -> list[PolicyOut]:
    org = organisation(request, slug)
    if not actor(request).has_perm("policies.view_policy", org):
        raise Http404
    return [
        PolicyOut(
            code=p.policy.code,
            title=p.policy.title,
            source=p.policy.source,
            rules=[_rule_out(r) for r in p.rules],
        )
        for p in organisation_policy(org).in_force()
    ]


@router.put(
    "/organisations/{slug}/policy/{rule_id}/{param}",
    response={200: PolicyRuleOut, **ERRORS},
    summary="Change one of the organisation's numbers (admin)",
    description="Audited; every open deadline that depends on the rule moves.",
)
def policy_value_put(
    request: HttpRequest, slug: Slug, rule_id: RuleId, param: ParamName, payload: PolicyValueIn
) -> Any:
    org = organisation(request, slug)
    in_force = organisation_policy(org)
    if not in_force.adopts(rule_id):
        raise Http404
    policy_value_change(
        actor=actor(request),
        organisation=org,
        rule_id=rule_id,
        param=param,
        value=payload.value,
        reason=payload.reason,
    )
    return _rule_out(organisation_policy(org).rule_in_force(rule_id))
