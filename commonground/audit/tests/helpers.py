from __future__ import annotations

from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_record


def write_entries(count: int, *, organisation: object = None) -> list[AuditEntry]:
    return [
        audit_record(
            actor=None,
            organisation=organisation,
            action=AuditEntry.Action.SYSTEM,
            object_type="tests.thing",
            object_id=n,
            summary=f"Thing {n} happened",
            changes={"n": [None, n]},
        )
        for n in range(1, count + 1)
    ]
