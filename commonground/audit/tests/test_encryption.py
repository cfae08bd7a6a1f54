"""Confidential fields are ciphertext in the database, and keys can be rotated safely."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command

from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_verify
from commonground.audit.tests.tamper import raw_rows
from commonground.people.models import Person, Qualification
from commonground.testing.factories import PersonFactory, QualificationFactory

pytestmark = pytest.mark.django_db

SUPPORT_NEEDS = "Uses a wheelchair; asthma."
REFERENCE = "001234567890"


def new_key() -> str:
    return Fernet.generate_key().decode()


def stored(table: str, column: str, pk: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def confidential_records() -> tuple[Person, Qualification]:
    person = PersonFactory(gender="non_binary", support_needs=SUPPORT_NEEDS)
    qualification = QualificationFactory(person=person, reference=REFERENCE)
    return person, qualification


def test_support_needs_gender_and_reference_are_ciphertext_in_the_database() -> None:
    person, qualification = confidential_records()

    rows = raw_rows("people_person") + raw_rows("people_qualification")

    for clear in (SUPPORT_NEEDS, "non_binary", REFERENCE):
        assert clear not in rows
    assert stored("people_person", "support_needs", person.pk).startswith("gAAAA")
    assert stored("people_person", "gender", person.pk).startswith("gAAAA")
    assert stored("people_qualification", "reference", qualification.pk).startswith("gAAAA")


def test_confidential_values_read_back_in_clear_through_the_orm() -> None:
    person, qualification = confidential_records()

    assert Person.objects.get(pk=person.pk).support_needs == SUPPORT_NEEDS
    assert Person.objects.get(pk=person.pk).gender == "non_binary"
    assert Qualification.objects.get(pk=qualification.pk).reference == REFERENCE


def test_the_same_value_is_stored_differently_each_time() -> None:
    first = PersonFactory(support_needs=SUPPORT_NEEDS)
    second = PersonFactory(support_needs=SUPPORT_NEEDS)

    assert stored("people_person", "support_needs", first.pk) != stored(
        "people_person", "support_needs", second.pk
    )


def test_an_empty_value_is_stored_empty_so_it_can_be_asked_about() -> None:
    PersonFactory(support_needs="")
    PersonFactory(support_needs=SUPPORT_NEEDS)

    assert Person.objects.filter(support_needs="").count() == 1
    assert Person.objects.exclude(support_needs="").count() == 1


def test_searching_inside_an_encrypted_field_is_refused() -> None:
    with pytest.raises(FieldError):
        Person.objects.filter(support_needs__icontains="asthma").count()
    with pytest.raises(FieldError, match="encrypted"):
        Person.objects.filter(support_needs=SUPPORT_NEEDS).count()


def test_keys_can_be_rotated_and_the_old_key_then_removed(settings: Any) -> None:
    old, new = new_key(), new_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    person, qualification = confidential_records()
    untouched = PersonFactory(support_needs="")
    old_token = stored("people_person", "support_needs", person.pk)

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_keys", stdout=out)

    assert "people.Person: 2 rows re-encrypted" in out.getvalue()
    assert "people.Qualification: 1 rows re-encrypted" in out.getvalue()
    assert stored("people_person", "support_needs", person.pk) != old_token
    assert stored("people_person", "support_needs", untouched.pk) == ""

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Person.objects.get(pk=person.pk).support_needs == SUPPORT_NEEDS
    assert Person.objects.get(pk=person.pk).gender == "non_binary"
    assert Qualification.objects.get(pk=qualification.pk).reference == REFERENCE


def test_rotation_writes_one_system_audit_entry_with_the_counts(settings: Any) -> None:
    confidential_records()
    before = AuditEntry.objects.count()

    call_command("rotate_keys", stdout=StringIO())

    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == AuditEntry.Action.SYSTEM
    assert entry.changes["rows"]["people.Person"] == 1
    assert entry.changes["rows"]["people.Qualification"] == 1
    assert audit_verify().ok


def test_rotation_does_not_touch_updated_at(settings: Any) -> None:
    person, _ = confidential_records()
    updated_at = Person.objects.get(pk=person.pk).updated_at

    call_command("rotate_keys", stdout=StringIO())

    assert Person.objects.get(pk=person.pk).updated_at == updated_at


def test_reading_with_only_a_wrong_key_says_what_went_wrong(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    person, _ = confidential_records()

    settings.FIELD_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(ImproperlyConfigured, match="could not be decrypted with any key"):
        Person.objects.get(pk=person.pk)


def test_rotation_with_a_missing_key_changes_nothing(settings: Any) -> None:
    old = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    person, _ = confidential_records()
    token = stored("people_person", "support_needs", person.pk)
    entries = AuditEntry.objects.count()

    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    with pytest.raises(ImproperlyConfigured):
        call_command("rotate_keys", stdout=StringIO())

    assert stored("people_person", "support_needs", person.pk) == token
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key"]], ids=["no key", "malformed key"])
def test_bad_key_settings_are_refused_clearly(settings: Any, keys: list[str]) -> None:
    settings.FIELD_ENCRYPTION_KEYS = keys

    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        PersonFactory(support_needs=SUPPORT_NEEDS)


def test_generate_encryption_key_prints_a_usable_key() -> None:
    out = StringIO()

    call_command("generate_encryption_key", stdout=out)

    key = out.getvalue().strip()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"


def test_rotation_reads_in_batches(settings: Any) -> None:
    people = [PersonFactory(support_needs=f"Need {n}") for n in range(5)]
    out = StringIO()

    call_command("rotate_keys", "--batch-size", "2", stdout=out)

    assert "people.Person: 5 rows re-encrypted" in out.getvalue()
    assert [Person.objects.get(pk=p.pk).support_needs for p in people] == [
        f"Need {n}" for n in range(5)
    ]
