from typing import Any

from django.core.management.base import BaseCommand

from commonground.meetings.services import meetings_staffing_recheck


class Command(BaseCommand):
    help = (
        "Check the staffing of meetings in the next few days again and alert the organisers "
        "once per meeting and problem (the worker runs this daily)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="How many days ahead to look.")

    def handle(self, *args: Any, **options: Any) -> None:
        found = meetings_staffing_recheck(days=options["days"])
        self.stdout.write(f"{found} meeting staffing problems found.")
