"""Which policies an organisation has adopted, and the numbers it has changed for itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PolicyAdoption(models.Model):
    """An organisation follows a policy: all its rules, or only those listed (IMHP-1, IMHP-2)."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="policy_adoptions"
    )
    policy = models.CharField(max_length=20)
    # Empty: every rule of the policy. Otherwise only these rule ids.
    only_rules = models.JSONField(default=list, blank=True)
    adopted_on = models.DateField(default=timezone.localdate)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "policy"], name="one_adoption_per_policy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} adopts {self.policy}"


class RuleOverride(models.Model):
    """One change of a rule's number by an organisation. The newest per parameter is in force;
    a row with no value puts the policy's own default back. Rows are never edited."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="rule_overrides"
    )
    rule_id = models.CharField(max_length=20)
    param = models.CharField(max_length=60)
    # NULL (not "") marks "back to the policy default", distinct from any real value.
    value = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["organisation", "rule_id", "param", "-changed_at"], name="override_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}.{self.param} = {self.value}"
