"""What someone with database superuser rights could do to the audit tables.

The append-only triggers refuse these statements, so each helper first drops (SQLite) or switches
off (PostgreSQL) them, as a superuser could. Tests run in a transaction, so the triggers come back
when the test's transaction is rolled back.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

ENTRY_TABLE = "audit_auditentry"
HEAD_TABLE = "audit_auditchainhead"


def drop_guards() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Superuser only: ordinary triggers do not fire for the rest of the transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditentry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditchainhead_forward_only")


# Table and column names below come from the tests themselves; values are always parameters.


def execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rewrite(seq: int, column: str, value: Any) -> None:
    """UPDATE one column of entry `seq` directly in the database."""
    drop_guards()
    placeholder = "CAST(%s AS jsonb)" if column == "changes" and _postgres() else "%s"
    execute(f"UPDATE {ENTRY_TABLE} SET {column} = {placeholder} WHERE seq = %s", [value, seq])  # noqa: S608


def remove(*seqs: int) -> None:
    drop_guards()
    marks = ", ".join(["%s"] * len(seqs))
    execute(f"DELETE FROM {ENTRY_TABLE} WHERE seq IN ({marks})", list(seqs))  # noqa: S608


def set_head(seq: int, entry_hash: str) -> None:
    drop_guards()
    execute(f"UPDATE {HEAD_TABLE} SET seq = %s, entry_hash = %s WHERE id = 1", [seq, entry_hash])  # noqa: S608


def remove_head() -> None:
    drop_guards()
    execute(f"DELETE FROM {HEAD_TABLE}")  # noqa: S608


def raw_rows(table: str) -> str:
    """Everything stored in `table`, as one string, to search for text that must not be there."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return repr(cursor.fetchall())


def _postgres() -> bool:
    return connection.vendor == "postgresql"
