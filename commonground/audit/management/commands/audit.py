"""`commonground audit verify` checks the hash chain; `commonground audit show` prints entries."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_verify
from commonground.people.models import Organisation


class Command(BaseCommand):
    help = "Check the audit log's hash chain (verify), or print recent entries (show)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser(
            "verify",
            help="Walk the whole chain; exit 1 naming the first entry that does not hold.",
        )
        show = subcommands.add_parser("show", help="Print the most recent entries.")
        show.add_argument("--org", metavar="SLUG", help="Only this organisation's entries.")
        show.add_argument("--limit", type=int, default=20, help="How many entries (default 20).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify()
        else:
            self.show(org=options.get("org"), limit=options["limit"])

    def verify(self) -> None:
        report = audit_verify()
        if not report.ok:
            raise CommandError(f"The audit chain is broken. {report.message}", returncode=1)
        self.stdout.write(self.style.SUCCESS(report.message))
        if report.checked:
            # Kept outside the database, this line shows later whether entries at the end were
            # removed together with the chain head.
            self.stdout.write(f"Last entry #{report.checked} has hash {report.head_hash}.")

    def show(self, *, org: str | None, limit: int) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        entries = AuditEntry.objects.select_related("organisation").order_by("-seq")
        if org:
            organisation = Organisation.objects.filter(slug=org).first()
            if organisation is None:
                raise CommandError(f"No organisation has the slug “{org}”.")
            entries = entries.filter(organisation=organisation)
        rows = list(entries[:limit])
        if not rows:
            self.stdout.write("No audit entries.")
            return
        for entry in rows:
            when = timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S")
            where = entry.organisation.slug if entry.organisation else "-"
            line = (
                f"#{entry.seq}  {when}  {where}  {entry.actor_label or '-'}  "
                f"{entry.action}  {entry.object_type}:{entry.object_id}  {entry.summary}"
            )
            if entry.reason:
                line += f"  (reason: {entry.reason})"
            self.stdout.write(line)
