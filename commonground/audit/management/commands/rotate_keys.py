"""`commonground rotate_keys` re-encrypts every confidential value under the first key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_record
from commonground.crypto import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key in FIELD_ENCRYPTION_KEYS. "
        "Run it after putting a new key first; remove the old key only after it succeeds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows read at a time (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # One transaction: either every value is under the new key, or none was rewritten.
        with transaction.atomic():
            counts = rotate_all(batch_size=options["batch_size"])
            audit_record(
                actor=None,
                organisation=None,
                action=AuditEntry.Action.SYSTEM,
                object_type="crypto.encryption_keys",
                summary="Confidential fields re-encrypted under the first key",
                changes={"rows": counts},
            )
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {count} rows re-encrypted")
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(counts.values())} rows re-encrypted under the first key. "
                "Older keys may now be removed from FIELD_ENCRYPTION_KEYS."
            )
        )
