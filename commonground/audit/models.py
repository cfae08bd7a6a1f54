"""The append-only audit log.

Every change of a record and every read of a confidential one is an AuditEntry. Entries form
one chain: each carries an HMAC of its own content and of the entry before it, keyed by
settings.AUDIT_HMAC_KEY, so a row edited, removed or inserted directly in the database breaks
the chain at that point and `commonground audit verify` names it.

Entries cannot be changed or removed through the ORM (save of an existing entry, delete, and
queryset update, delete and bulk writes all raise AppendOnlyError), and the migration
`0002_append_only_guard` adds database triggers that refuse UPDATE (and, on PostgreSQL,
DELETE) of an entry. See docs/developers/audit.md.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    # Every path by which a queryset writes to existing rows, or adds rows outside the chain.
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def _update(self, values: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are added one at a time, by audit_record.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def _raw_delete(self, using: Any) -> NoReturn:
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

    # The entry's number in the chain is its primary key, so every stored column is covered by
    # the hash (there is no surrogate id that could be changed unnoticed).
    seq = models.BigIntegerField(primary_key=True)
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
        # Related managers and Django internals use the base manager; it must refuse writes too.
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["organisation", "-seq"], name="audit_org_recent"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["organisation", "action", "-seq"], name="audit_org_action"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("update_fields") is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        # Insert only: never let Django turn this into an UPDATE of an entry with the same seq.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditChainHead(models.Model):
    """One row: the last entry's number and hash. Locked while an entry is appended.

    The row is made by migration 0002; if it is missing (a flushed test database) the first
    writer makes it. It only moves forward one entry at a time (a database trigger checks).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
