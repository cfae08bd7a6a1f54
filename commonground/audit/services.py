"""Writing to the audit log, and checking its chain.

Services call `audit_change` inside their transaction, so a change and its entry are saved
together or not at all. Selectors that show a confidential record call `audit_read`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from commonground.audit.models import AuditChainHead, AuditEntry
from commonground.crypto import EncryptedTextField

GENESIS_HASH = "0" * 64
CONFIDENTIAL_MARK = "(confidential: changed)"

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_ip", default=None)


def normalise_ip(value: str | None) -> str | None:
    """The address as the database will store it, or None if it is not an IP address.

    The hash is computed before the entry is saved, so it must be computed over the stored form
    (PostgreSQL's inet and Django both rewrite IPv6 addresses to their shortest form).
    """
    if not value:
        return None
    value = value.strip()
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return clean_ipv6_address(value) if ":" in value else value


@contextmanager
def request_context(ip_address: str | None) -> Iterator[None]:
    token = _request_ip.set(normalise_ip(ip_address))
    try:
        yield
    finally:
        _request_ip.reset(token)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def _payload(entry: AuditEntry) -> str:
    created = entry.created_at.astimezone(dt.UTC).isoformat()
    return json.dumps(
        {
            "seq": entry.seq,
            "created_at": created,
            "organisation": entry.organisation_id,
            "actor": entry.actor_id,
            "actor_label": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "summary": entry.summary,
            "changes": entry.changes,
            "reason": entry.reason,
            "ip": entry.ip_address,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def compute_hash(entry: AuditEntry, prev_hash: str) -> str:
    message = (prev_hash + _payload(entry)).encode()
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


def object_label(instance: models.Model) -> str:
    return instance._meta.label_lower


def audit_record(
    *,
    actor: Any,
    organisation: Any,
    action: str,
    object_type: str,
    object_id: Any = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Runs in the caller's transaction if there is one."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        # The head row is locked for the rest of the transaction, so writers queue here and
        # each takes the next number. The row is made by migration; should it be missing, two
        # first writers may both try to make it: get_or_create inserts in a savepoint, and the
        # loser's IntegrityError makes it read (and lock) the winner's row instead.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            created_at=timezone.now(),
            organisation=organisation,
            actor=user,
            actor_label=getattr(user, "email", "") or "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id or ""),
            summary=summary[:300],
            changes=_jsonable(changes or {}),
            reason=reason,
            ip_address=_request_ip.get(),
            prev_hash=head.entry_hash,
        )
        entry.entry_hash = compute_hash(entry, head.entry_hash)
        entry.save()
        head.seq = entry.seq
        head.entry_hash = entry.entry_hash
        head.save(update_fields=["seq", "entry_hash"])
    return entry


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, ready to compare with `diff` after a change."""
    return {name: getattr(instance, name) for name in fields}


def diff(instance: models.Model, before: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that changed; confidential values never in clear."""
    changes: dict[str, list[Any]] = {}
    for name, old in before.items():
        new = getattr(instance, name)
        if old == new:
            continue
        field = instance._meta.get_field(name)
        if isinstance(field, EncryptedTextField):
            changes[name] = [CONFIDENTIAL_MARK, CONFIDENTIAL_MARK]
        else:
            changes[name] = [old, new]
    return changes


def creation_changes(instance: models.Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name in fields:
        value = getattr(instance, name)
        field = instance._meta.get_field(name)
        if isinstance(field, EncryptedTextField):
            changes[name] = [None, CONFIDENTIAL_MARK if value else ""]
        else:
            changes[name] = [None, value]
    return changes


def audit_change(
    *,
    actor: Any,
    organisation: Any,
    instance: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    summary: str = "",
    reason: str = "",
) -> AuditEntry:
    return audit_record(
        actor=actor,
        organisation=organisation,
        action=action,
        object_type=object_label(instance),
        object_id=instance.pk,
        summary=summary,
        changes=changes,
        reason=reason,
    )


def audit_read(
    *,
    actor: Any,
    organisation: Any,
    instance: models.Model,
    fields: Iterable[str],
    reason: str = "",
    break_glass: bool = False,
) -> AuditEntry:
    """Record that `actor` was shown confidential `fields` of `instance`."""
    names = sorted(fields)
    return audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.BREAK_GLASS if break_glass else AuditEntry.Action.READ,
        object_type=object_label(instance),
        object_id=instance.pk,
        summary="Viewed " + ", ".join(names),
        changes={"fields": names},
        reason=reason,
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    message: str = ""
    head_hash: str = GENESIS_HASH


def _head() -> tuple[int, str] | None:
    head = AuditChainHead.objects.filter(id=1).values_list("seq", "entry_hash").first()
    return (int(head[0]), str(head[1])) if head else None


def audit_verify() -> ChainReport:
    """Walk the chain from the first entry; report the first entry that does not hold.

    Safe to run while entries are being written: the head is read before and after the walk,
    and entries written meanwhile are not mistaken for tampering.
    """
    head_before = _head()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                expected_seq,
                f"Entry #{expected_seq} is missing: the chain jumps to #{entry.seq}.",
            )
        if entry.prev_hash != expected_prev:
            return ChainReport(
                False,
                checked,
                entry.seq,
                f"Entry #{entry.seq} does not follow entry #{entry.seq - 1}: its link was altered.",
            )
        if not hmac.compare_digest(compute_hash(entry, expected_prev), entry.entry_hash):
            return ChainReport(
                False,
                checked,
                entry.seq,
                f"Entry #{entry.seq} was changed after it was written "
                f"({entry.action} {entry.object_type}:{entry.object_id}).",
            )
        expected_prev = entry.entry_hash
        expected_seq += 1
        checked += 1
    head_after = _head()
    if head_after is None:
        if checked:
            return ChainReport(
                False,
                checked,
                checked,
                f"The chain head was removed; the log has {checked} entries.",
            )
        return ChainReport(True, 0, None, "0 entries checked; the chain is intact.")
    if head_before is not None and checked < head_before[0]:
        return ChainReport(
            False,
            checked,
            checked + 1,
            f"The log ends at entry #{checked} but #{head_before[0]} was written: "
            f"entries #{checked + 1} to #{head_before[0]} were removed.",
        )
    if checked > head_after[0]:
        return ChainReport(
            False,
            checked,
            head_after[0] + 1,
            f"Entries #{head_after[0] + 1} to #{checked} are beyond the chain head: "
            "they were not written through the audit log.",
        )
    for head in (head_before, head_after):
        if head is not None and head[0] == checked and head[1] != expected_prev:
            return ChainReport(
                False,
                checked,
                checked,
                f"Entry #{checked} does not match the chain head.",
            )
    return ChainReport(
        True,
        checked,
        None,
        f"{checked} entries checked; the chain is intact.",
        head_hash=expected_prev,
    )
