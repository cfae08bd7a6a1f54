"""Keeps open obligations in step with the organisation's numbers."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from commonground.obligations.services import obligations_recompute
from commonground.policies.signals import policy_value_changed


@receiver(policy_value_changed, dispatch_uid="obligations-recompute-on-policy-change")
def recompute_on_policy_change(
    sender: Any, organisation: Any, rule_id: str, actor: Any = None, **kwargs: Any
) -> None:
    obligations_recompute(organisation=organisation, rule_id=rule_id, actor=actor)
