from __future__ import annotations

from typing import Any

from django import template

from commonground.obligations.models import Obligation
from commonground.obligations.selectors import explain

register = template.Library()


@register.inclusion_tag("obligations/includes/why.html")
def obligation_why(obligation: Obligation, org_slug: str) -> dict[str, Any]:
    """The "why" of a date: the rule, the number in force, the trigger and the source clause."""
    return {"obligation": obligation, "why": explain(obligation), "org_slug": org_slug}
