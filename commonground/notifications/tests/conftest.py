from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail

from commonground.notifications import sms


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "redis: needs Redis at 127.0.0.1:6379 (skipped when it is not there)"
    )


@pytest.fixture(autouse=True)
def _notification_settings(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    # Fast hashing: these tests sign people in with force_login, never with a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_BACKEND = "commonground.notifications.sms.LocmemSMSBackend"
    settings.SITE_URL = "https://commonground.example.org"
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 3600
    settings.NOTIFICATION_LEASE_SECONDS = 300
    settings.NOTIFICATION_SEND_TIMEOUT = 30
    settings.NOTIFICATION_DIGEST_HOUR = 7
    sms.outbox.clear()
    mail.outbox = []
    yield
    sms.outbox.clear()
