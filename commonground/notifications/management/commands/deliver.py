from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from commonground.notifications.delivery import outbox_deliver


class Command(BaseCommand):
    help = "Deliver the notifications that are due, once, and stop (for cron and tests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=50, help="Rows claimed at a time.")
        parser.add_argument("--limit", type=int, help="Stop after handling this many rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = outbox_deliver(batch=options["batch"], limit=options["limit"])
        self.stdout.write(
            f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed, "
            f"{report.digests} digests made."
        )
