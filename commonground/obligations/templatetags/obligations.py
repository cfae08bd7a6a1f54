from __future__ import annotations

from typing import Any

from django import template

from commonground.obligations.models import Obligation
from commonground.obligations.selectors import explain
from commonground.policies.selectors import OrganisationPolicy, organisation_policy

register = template.Library()


@register.inclusion_tag("obligations/includes/why.html", takes_context=True)
def obligation_why(context: Any, obligation: Obligation, org_slug: str) -> dict[str, Any]:
    """The "why" of a date: the rule, the number in force, the trigger and the source clause.

    The organisation's policy is read once per page, however many dates the page explains."""
    cache: dict[int, OrganisationPolicy] = context.render_context.setdefault(
        "policies_in_force", {}
    )
    org_id = obligation.organisation_id
    if org_id not in cache:
        cache[org_id] = organisation_policy(obligation.organisation)
    return {
        "obligation": obligation,
        "why": explain(obligation, cache[org_id]),
        "org_slug": org_slug,
    }
