"""`commonground load_demo`: five demo organisations, one per source policy, with logins."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from commonground.demo.data import DEMO_PASSWORD
from commonground.demo.loader import (
    DemoLogin,
    demo_logins,
    existing_demo_organisations,
    load_demo,
)


class Command(BaseCommand):
    help = (
        "Load five demo organisations (one per source policy) with people, roles, "
        "qualifications and demo logins. SQLite only; never in production. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo logins share a published password: they must never reach a real installation.
        if settings.PRODUCTION:
            raise CommandError(
                "load_demo refuses to run with PRODUCTION=true: the demo logins share a "
                "published password."
            )
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        if vendor != "sqlite":
            raise CommandError(
                f"load_demo loads only into a SQLite database, and this one is {vendor}. "
                "The demo logins share a published password; unset DATABASE_URL to use the "
                "SQLite database under var/."
            )
        existing = existing_demo_organisations()
        if existing:
            self.stdout.write(
                "The demo organisations are loaded already ("
                + ", ".join(existing)
                + "); nothing was changed."
            )
            self._print_logins(demo_logins())
            return
        started = time.monotonic()
        report = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {report.organisations} demo organisations and {report.people} people "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
        self._print_logins(report.logins)

    def _print_logins(self, logins: tuple[DemoLogin, ...]) -> None:
        headers = ("Email", "Organisation", "Role")
        rows = [(login.email, login.organisation, login.role) for login in logins]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(3)]

        def line(cells: tuple[str, str, str]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

        self.stdout.write("")
        self.stdout.write(f"Demo logins (every one has the password {DEMO_PASSWORD}):")
        self.stdout.write("")
        self.stdout.write(line(headers).rstrip())
        self.stdout.write("  ".join("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line(row).rstrip())
        self.stdout.write("")
