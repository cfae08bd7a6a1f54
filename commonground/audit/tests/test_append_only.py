"""Audit entries cannot be changed or removed through the ORM, nor by plain SQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections, transaction

from commonground.audit.models import AppendOnlyError, AuditChainHead, AuditEntry
from commonground.audit.services import audit_record, audit_verify
from commonground.audit.tests import tamper
from commonground.audit.tests.helpers import write_entries
from commonground.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and DELETE trigger"
)


def _change_saved_entry(entry: AuditEntry) -> None:
    entry.summary = "Changed"
    entry.save()


def _save_with_update_fields(entry: AuditEntry) -> None:
    entry.summary = "Changed"
    entry.save(update_fields=["summary"])


ORM_WRITES: dict[str, Callable[[AuditEntry], Any]] = {
    "save of a saved entry": _change_saved_entry,
    "save with update_fields": _save_with_update_fields,
    "delete of an entry": lambda e: e.delete(),
    "queryset update": lambda e: AuditEntry.objects.filter(seq=e.seq).update(summary="x"),
    "queryset delete": lambda e: AuditEntry.objects.all().delete(),
    "bulk_update": lambda e: AuditEntry.objects.bulk_update([e], ["summary"]),
    "update_or_create": lambda e: AuditEntry.objects.update_or_create(
        seq=e.seq, defaults={"summary": "x"}
    ),
    "bulk_create": lambda e: AuditEntry.objects.bulk_create(
        [AuditEntry(seq=99, action="system", object_type="x", prev_hash="", entry_hash="")]
    ),
    "base manager update": lambda e: AuditEntry._base_manager.filter(seq=e.seq).update(summary="x"),
    "related manager delete": lambda e: e.organisation.audit_entries.all().delete(),
}


@pytest.mark.parametrize("write", ORM_WRITES.values(), ids=ORM_WRITES.keys())
def test_the_orm_refuses_to_change_or_remove_an_entry(write: Callable[[AuditEntry], Any]) -> None:
    entry = write_entries(2, organisation=OrganisationFactory())[0]

    with pytest.raises(AppendOnlyError):
        write(AuditEntry.objects.get(seq=entry.seq))

    assert AuditEntry.objects.get(seq=entry.seq).summary == entry.summary
    assert AuditEntry.objects.count() == 2
    assert audit_verify().ok


def test_the_database_refuses_an_update_of_an_entry() -> None:
    write_entries(2)

    with pytest.raises(DatabaseError), transaction.atomic():
        tamper.execute("UPDATE audit_auditentry SET summary = 'x' WHERE seq = 1")

    assert AuditEntry.objects.get(seq=1).summary == "Thing 1 happened"


@postgresql_only
def test_the_database_refuses_a_delete_of_an_entry() -> None:
    write_entries(2)

    with pytest.raises(DatabaseError), transaction.atomic():
        tamper.execute("DELETE FROM audit_auditentry WHERE seq = 2")

    assert AuditEntry.objects.count() == 2


HEAD_MOVES = {
    "backwards": lambda hashes: (4, hashes[4]),
    "to an entry that was never written": lambda hashes: (6, "f" * 64),
    "to a different hash in place": lambda hashes: (5, hashes[4]),
}


@pytest.mark.parametrize("move", HEAD_MOVES.values(), ids=HEAD_MOVES.keys())
def test_the_database_keeps_the_chain_head_moving_one_entry_at_a_time(
    move: Callable[[dict[int, str]], tuple[int, str]],
) -> None:
    hashes = {e.seq: e.entry_hash for e in write_entries(5)}
    seq, entry_hash = move(hashes)

    with pytest.raises(DatabaseError), transaction.atomic():
        tamper.execute(
            "UPDATE audit_auditchainhead SET seq = %s, entry_hash = %s WHERE id = 1",
            [seq, entry_hash],
        )

    assert AuditChainHead.objects.get().seq == 5


def test_a_missing_chain_head_is_made_by_the_first_writer() -> None:
    tamper.remove_head()

    entry = audit_record(actor=None, organisation=None, action="system", object_type="x")

    assert entry.seq == 1
    assert AuditChainHead.objects.get().seq == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_each_take_the_next_number() -> None:
    writers, per_writer = 6, 15
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write() -> None:
        try:
            start.wait()
            for n in range(per_writer):
                with transaction.atomic():
                    audit_record(
                        actor=None, organisation=None, action="system", object_type="x", object_id=n
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))
    assert audit_verify().ok


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_writers_share_one_chain_head_when_it_is_missing() -> None:
    # As after `flush`: PostgreSQL's TRUNCATE is not seen by the row triggers.
    tamper.execute("TRUNCATE audit_auditchainhead")
    writers = 4
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write() -> None:
        try:
            start.wait()
            with transaction.atomic():
                audit_record(actor=None, organisation=None, action="system", object_type="x")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditChainHead.objects.get().seq == writers
    assert audit_verify().ok
