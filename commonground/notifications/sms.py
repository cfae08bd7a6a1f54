"""Text messages: a small backend interface, chosen by settings.SMS_BACKEND (a dotted path).

A provider's backend sends one message and returns the provider's id for it. It is given an
idempotency key that stays the same for every attempt at the same notification, so a provider
that supports idempotency keys drops a repeat (see docs/developers/notifications.md).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SMSBackend(Protocol):
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Send `body` to the phone number `to`; return the provider's id for the message.

        Raise an exception if the provider did not accept it (it will be tried again)."""
        ...


class ConsoleSMSBackend:
    """Prints each text message (the demo, and development)."""

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        sys.stdout.write(f"Text message to {to} [{idempotency_key}]\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return idempotency_key


@dataclass(frozen=True)
class SentText:
    to: str
    body: str
    idempotency_key: str


# Messages "sent" by the locmem backend, like django.core.mail.outbox. Tests clear it.
outbox: list[SentText] = []
_outbox_lock = threading.Lock()


class LocmemSMSBackend:
    """Keeps each text message in `outbox` (tests)."""

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        with _outbox_lock:
            outbox.append(SentText(to=to, body=body, idempotency_key=idempotency_key))
        return idempotency_key


def get_sms_backend() -> SMSBackend:
    backend: SMSBackend = import_string(settings.SMS_BACKEND)()
    return backend
