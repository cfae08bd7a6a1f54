"""Settings for the worker subprocesses of the crash tests: the project's, with journal backends."""

from commonground.settings import *  # noqa: F403

EMAIL_BACKEND = "commonground.notifications.tests.journal.JournalMailBackend"
SMS_BACKEND = "commonground.notifications.tests.journal.JournalSMSBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
