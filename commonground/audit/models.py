"""The append-only audit log.

Every change of a record and every read of a confidential one is an AuditEntry. Entries form
one chain: each carries an HMAC of its own content and of the entry before it, keyed by
settings.AUDIT_HMAC_KEY, so a row edited, removed or inserted directly in the database breaks
the chain at that point and `commonground audit verify` names it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Removed"
        READ = "read", "Read confidential record"
        BREAK_GLASS = "break_glass", "Break-glass read"
        EXPORT = "export", "Exported"
        SYSTEM = "system", "System"

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    organisation = models.ForeignKey(
        "people.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    # The actor's email at the time, kept even if the account changes later.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    # {field: [old, new]}; confidential fields appear as "(changed)", never in clear.
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["organisation", "-seq"], name="audit_org_recent"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["organisation", "action", "-seq"], name="audit_org_action"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditChainHead(models.Model):
    """One row: the last entry's number and hash. Locked while an entry is appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
