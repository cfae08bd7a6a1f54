from typing import Any

from django.core.management.base import BaseCommand

from commonground.obligations.services import obligations_sweep


class Command(BaseCommand):
    help = "Move due and overdue obligations on one reminder stage each (the worker runs this too)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = obligations_sweep()
        self.stdout.write(f"{sent} obligation reminders due.")
