"""Stand-ins for a mail server and a text-message provider that other processes can watch.

Each accepted message is appended to the file named by CG_TEST_JOURNAL (flushed and synced
before the send returns), then the send waits CG_TEST_SEND_DELAY seconds: the window in which
a killed worker has had a message accepted but not yet marked it sent."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


def _accept(line: str) -> None:
    with open(os.environ["CG_TEST_JOURNAL"], "a", encoding="utf-8") as journal:
        journal.write(line + "\n")
        journal.flush()
        os.fsync(journal.fileno())
    time.sleep(float(os.environ.get("CG_TEST_SEND_DELAY", "0")))


class JournalMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            _accept(f"email {message.extra_headers['Message-ID']}")
        return len(email_messages)


class JournalSMSBackend:
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        _accept(f"sms {idempotency_key}")
        return idempotency_key
