"""Make the audit log append-only in the database itself, not only in the ORM.

- The entry number (seq) becomes the primary key, so every stored column is covered by the hash.
- Triggers refuse UPDATE of an audit entry (SQLite and PostgreSQL) and DELETE of one
  (PostgreSQL). On SQLite there is no DELETE trigger: Django empties a SQLite database with
  DELETE FROM (`flush`, and between transactional tests), which a trigger would block; PostgreSQL
  empties it with TRUNCATE, which row triggers do not see.
- The chain head may only move forward one entry at a time, to an entry that exists, and on
  PostgreSQL it cannot be removed.

Someone with database superuser rights can still drop the triggers; the hash chain is what
shows that they did (`commonground audit verify`). See docs/developers/audit.md.
"""

from django.db import migrations, models

GENESIS_HASH = "0" * 64

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries are append-only: % of audit_auditentry refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$;
    """,
    """
    CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
    """,
    """
    CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'the audit chain head cannot be removed'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
           OR NEW.entry_hash IS DISTINCT FROM
              (SELECT entry_hash FROM audit_auditentry WHERE seq = NEW.seq) THEN
            RAISE EXCEPTION 'the audit chain head moves forward one written entry at a time'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END
    $$;
    """,
    """
    CREATE TRIGGER audit_auditchainhead_forward_only
    BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
    """,
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditchainhead_forward_only ON audit_auditchainhead;",
    "DROP FUNCTION IF EXISTS audit_head_forward_only();",
    "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;",
    "DROP FUNCTION IF EXISTS audit_entry_refuse_change();",
]

SQLITE_FORWARD = [
    """
    CREATE TRIGGER audit_auditentry_no_update
    BEFORE UPDATE ON audit_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE of audit_auditentry refused');
    END;
    """,
    """
    CREATE TRIGGER audit_auditchainhead_forward_only
    BEFORE UPDATE ON audit_auditchainhead
    WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
         OR NEW.entry_hash IS NOT (SELECT entry_hash FROM audit_auditentry WHERE seq = NEW.seq)
    BEGIN
        SELECT RAISE(ABORT, 'the audit chain head moves forward one written entry at a time');
    END;
    """,
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditchainhead_forward_only;",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
]


def _run(schema_editor, statements_by_vendor):  # type: ignore[no-untyped-def]
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def add_guards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD})


def remove_guards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})


def make_chain_head(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The head row exists from the start, so concurrent first writers only ever lock it.
    head_model = apps.get_model("audit", "AuditChainHead")
    entry_model = apps.get_model("audit", "AuditEntry")
    if head_model.objects.using(schema_editor.connection.alias).filter(id=1).exists():
        return
    last = entry_model.objects.using(schema_editor.connection.alias).order_by("-seq").first()
    head_model.objects.using(schema_editor.connection.alias).create(
        id=1,
        seq=last.seq if last else 0,
        entry_hash=last.entry_hash if last else GENESIS_HASH,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_hash_chained_audit_log"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={"base_manager_name": "objects", "ordering": ["-seq"]},
        ),
        migrations.RemoveField(
            model_name="auditentry",
            name="id",
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(primary_key=True, serialize=False),
        ),
        migrations.RunPython(make_chain_head, migrations.RunPython.noop),
        migrations.RunPython(add_guards, remove_guards),
    ]
