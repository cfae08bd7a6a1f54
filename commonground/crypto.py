"""Confidential text encrypted at rest.

Values are Fernet tokens (AES-128-CBC with HMAC-SHA256) under the keys in
settings.FIELD_ENCRYPTION_KEYS. The first key encrypts; every key decrypts, so a key is rotated by
putting a new one first and running `commonground rotate_keys`, which re-encrypts every value
under it (see docs/developers/encryption.md). Encrypted fields cannot be searched or filtered
in the database, by design.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys "
            "(make one with `commonground generate_encryption_key`)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A confidential value could not be decrypted with any key in FIELD_ENCRYPTION_KEYS. "
            "Was a key removed before `commonground rotate_keys` finished?"
        ) from exc


class EncryptedTextField(models.TextField):
    """A text field whose value is encrypted before it reaches the database.

    The empty string is stored as it is, so "nothing recorded" stays visible to queries; any
    other value is stored only as ciphertext.
    """

    description = "Text encrypted at rest"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertext differs every time, so only "is it empty / null" can be asked of it.
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EmptyOnlyExact(Exact):
    """`field=""` works; `field="some text"` would silently match nothing, so it is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted, so it can only be compared with the "
                "empty string."
            )
        return super().get_prep_lookup()


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields, and those fields' names."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            yield model, names


def rotate_all(batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every confidential value under the first key. Returns rows touched per model.

    Rows are read in primary-key batches rather than through one open cursor, so a value that
    cannot be decrypted stops the rotation cleanly (the caller's transaction rolls back).
    """
    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        touched = 0
        queryset = model._base_manager.order_by("pk").only("pk", *names)
        last_pk: Any = None
        while True:
            batch = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
            rows = list(batch[:batch_size])
            for obj in rows:
                values = {name: getattr(obj, name) for name in names}
                # update() writes through get_prep_value, i.e. under the first (newest) key, and
                # bypasses save() so the rotation is not mistaken for a change of the record.
                model._base_manager.filter(pk=obj.pk).update(**values)
                touched += 1
            if len(rows) < batch_size:
                break
            last_pk = rows[-1].pk
        counts[model._meta.label] = touched
    return counts
