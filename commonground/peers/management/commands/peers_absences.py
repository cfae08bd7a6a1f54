"""`commonground peers_absences`: look at the groups whose sessions were held recently and open a
"seek news" action (PSP-10) for each run of absences without news that reached the number in
force. Safe to run any time: one action per run of absences, never two."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from commonground.groups.models import SUBJECT_TYPE, SupportGroup
from commonground.meetings.models import Meeting
from commonground.peers.services import absences_check


class Command(BaseCommand):
    help = "Open PSP-10 seek-news actions for runs of absences in recently held group sessions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=14, help="Sessions held in this many days (default 14)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = timezone.now() - dt.timedelta(days=max(1, options["days"]))
        ids = {
            int(s)
            for s in Meeting.objects.filter(
                subject_type=SUBJECT_TYPE, status=Meeting.Status.HELD, starts_at__gte=since
            ).values_list("subject_id", flat=True)
            if s.isdigit()
        }
        opened = 0
        for group in SupportGroup.objects.filter(pk__in=ids).select_related("organisation"):
            opened += len(absences_check(group))
        self.stdout.write(f"{len(ids)} groups looked at, {opened} seek-news actions opened.")
