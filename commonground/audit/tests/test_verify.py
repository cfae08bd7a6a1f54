"""`commonground audit verify` finds any entry changed, removed or added outside the log."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonground.audit.management.commands.audit import Command as AuditCommand
from commonground.audit.models import AuditChainHead, AuditEntry
from commonground.audit.services import (
    GENESIS_HASH,
    audit_record,
    audit_verify,
    compute_hash,
    request_context,
)
from commonground.audit.tests import tamper
from commonground.audit.tests.helpers import write_entries
from commonground.testing.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=StringIO())
    assert failure.value.returncode == 1
    return str(failure.value)


def test_an_intact_chain_passes() -> None:
    write_entries(5)

    output = verify()

    assert "5 entries checked; the chain is intact." in output
    assert f"Last entry #5 has hash {AuditEntry.objects.get(seq=5).entry_hash}" in output


def test_an_empty_log_passes() -> None:
    assert "0 entries checked; the chain is intact." in verify()


def test_a_broken_chain_exits_with_status_1_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_entries(3)
    tamper.rewrite(2, "summary", "Nothing happened")

    with pytest.raises(SystemExit) as exit_:
        AuditCommand().run_from_argv(["commonground", "audit", "--skip-checks", "verify"])

    assert exit_.value.code == 1
    assert "Entry #2 was changed after it was written" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("summary", "Nothing to see"),
        ("changes", json.dumps({"n": [None, 99]})),
        ("actor_label", "someone-else@example.test"),
        ("reason", "A reason added later"),
        ("action", "read"),
        ("object_type", "people.person"),
        ("object_id", "999"),
        ("ip_address", "10.0.0.9"),
        ("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_a_column_changed_in_the_database_is_found(column: str, value: object) -> None:
    write_entries(4)
    tamper.rewrite(3, column, value)

    message = verify_fails()

    assert "Entry #3 was changed after it was written" in message
    assert audit_verify().broken_seq == 3


def test_a_changed_actor_is_found() -> None:
    user = UserFactory()
    audit_record(actor=None, organisation=None, action="system", object_type="tests.thing")
    audit_record(actor=user, organisation=None, action="update", object_type="tests.thing")
    someone_else = UserFactory()

    tamper.rewrite(2, "actor_id", someone_else.pk)

    assert "Entry #2 was changed" in verify_fails()


def test_a_changed_organisation_is_found() -> None:
    ours, theirs = OrganisationFactory(), OrganisationFactory()
    write_entries(2, organisation=ours)

    tamper.rewrite(1, "organisation_id", theirs.pk)

    assert "Entry #1 was changed" in verify_fails()


def test_an_altered_link_is_found() -> None:
    write_entries(3)

    tamper.rewrite(2, "prev_hash", "f" * 64)

    assert "Entry #2 does not follow entry #1" in verify_fails()


def test_an_entry_rehashed_without_the_key_is_found(settings: Any) -> None:
    # Someone who can write to the database but does not hold AUDIT_HMAC_KEY cannot make a
    # changed entry look right: a hash computed with any other key does not verify.
    write_entries(3)
    entry = AuditEntry.objects.get(seq=3)
    entry.summary = "Rewritten"
    real_key = settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY = "a-guess"
    forged = compute_hash(entry, entry.prev_hash)
    settings.AUDIT_HMAC_KEY = real_key
    tamper.rewrite(3, "summary", "Rewritten")
    tamper.rewrite(3, "entry_hash", forged)
    tamper.set_head(3, forged)

    assert audit_verify().broken_seq == 3


def test_a_deleted_middle_row_is_found() -> None:
    write_entries(5)

    tamper.remove(3)

    message = verify_fails()
    assert "Entry #3 is missing: the chain jumps to #4." in message


def test_a_deleted_first_row_is_found() -> None:
    write_entries(3)

    tamper.remove(1)

    assert "Entry #1 is missing" in verify_fails()


def test_removed_tail_rows_are_found() -> None:
    write_entries(6)

    tamper.remove(5, 6)

    message = verify_fails()
    assert "The log ends at entry #4 but #6 was written" in message
    assert "entries #5 to #6 were removed" in message


def insert_after(last: AuditEntry, *, entry_hash: str | None = None) -> None:
    forged = AuditEntry(
        seq=last.seq + 1,
        created_at=last.created_at,
        actor_label="x",
        action="system",
        object_type="tests.thing",
        prev_hash=last.entry_hash,
    )
    tamper.execute(
        "INSERT INTO audit_auditentry (seq, created_at, actor_label, action, object_type, "
        "object_id, summary, changes, reason, prev_hash, entry_hash) "
        "VALUES (%s, %s, 'x', 'system', 'tests.thing', '', '', '{}', '', %s, %s)",
        [
            forged.seq,
            forged.created_at,
            forged.prev_hash,
            entry_hash or compute_hash(forged, last.entry_hash),
        ],
    )


def test_a_row_added_without_the_key_is_found() -> None:
    write_entries(3)

    insert_after(AuditEntry.objects.get(seq=3), entry_hash="0" * 64)

    assert "Entry #4 was changed after it was written" in verify_fails()


def test_a_row_added_beyond_the_head_is_found_even_with_the_key() -> None:
    write_entries(3)

    insert_after(AuditEntry.objects.get(seq=3))

    assert "Entries #4 to #4 are beyond the chain head" in verify_fails()


def test_a_removed_chain_head_is_found() -> None:
    write_entries(2)

    tamper.remove_head()

    assert "The chain head was removed" in verify_fails()


def test_a_head_that_does_not_match_the_last_entry_is_found() -> None:
    write_entries(3)

    tamper.set_head(3, "e" * 64)

    assert "Entry #3 does not match the chain head." in verify_fails()


def test_a_long_form_ipv6_address_is_stored_and_verified() -> None:
    with request_context("2001:0db8:0000:0000:0000:0000:0000:0001"):
        entry = write_entries(1)[0]

    assert AuditEntry.objects.get(seq=entry.seq).ip_address == "2001:db8::1"
    assert "1 entries checked; the chain is intact." in verify()


def test_an_address_that_is_not_an_ip_is_not_recorded() -> None:
    with request_context("not-an-address, 10.0.0.1"):
        entry = write_entries(1)[0]

    assert entry.ip_address is None
    assert audit_verify().ok


def test_the_first_entry_follows_the_genesis_hash() -> None:
    first = write_entries(1)[0]

    assert first.seq == 1
    assert first.prev_hash == GENESIS_HASH
    head = AuditChainHead.objects.get()
    assert (head.seq, head.entry_hash) == (1, first.entry_hash)
