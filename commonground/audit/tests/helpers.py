from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError

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


@contextmanager
def nothing_written() -> Iterator[None]:
    """Asserts that the block leaves no audit entry and no organisation or people row behind."""
    from commonground.people.models import (
        MembershipChange,
        Organisation,
        Person,
        Qualification,
        RoleAssignment,
    )

    models = (AuditEntry, Organisation, Person, MembershipChange, RoleAssignment, Qualification)
    before = {m: m.objects.count() for m in models}
    yield
    assert {m: m.objects.count() for m in models} == before


def invalid(error: ValidationError, field: str, code: str) -> bool:
    """Whether `error` names `field` with `code`."""
    return code in [e.code for e in error.error_dict.get(field, [])]
