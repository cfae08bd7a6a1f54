import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig


class Command(BaseCommand):
    help = (
        "Run the background worker: delivers notifications every minute, sweeps obligations "
        "every five. Uses the SQLite queue under var/, or Redis when REDIS_URL is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, help="Worker threads (default WORKER_THREADS).")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Run queued tasks only and leave the schedule to another worker.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from huey.contrib.djhuey import HUEY

        from commonground.notifications import tasks  # noqa: F401  (registers the jobs)

        autodiscover_modules("tasks")
        huey_settings: dict[str, Any] = settings.HUEY
        consumer_options: dict[str, Any] = dict(huey_settings.get("consumer", {}))
        if options["workers"]:
            consumer_options["workers"] = options["workers"]
        if options["no_periodic"]:
            consumer_options["periodic"] = False
        config = ConsumerConfig(**consumer_options)
        config.validate()
        # Django's LOGGING sends huey's records to the console with everything else.
        logging.getLogger("huey").setLevel(logging.DEBUG if config.verbose else logging.INFO)
        HUEY.create_consumer(**config.values).run()
