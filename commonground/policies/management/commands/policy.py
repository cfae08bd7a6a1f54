"""`commonground policy show ORG`: the rules in force for an organisation, and their source."""

from __future__ import annotations

import textwrap
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.people.models import Organisation
from commonground.policies.registry import policies
from commonground.policies.selectors import organisation_policy


class Command(BaseCommand):
    help = "Show the policy rules in force for an organisation (policy show ORG), or check the files (policy check)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser(
            "show", help="The rules in force for ORG (its slug) and where each comes from."
        )
        show.add_argument("org")
        sub.add_parser("check", help="Load every policy file and report the first problem.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            loaded = policies()
            count = sum(len(p.rules) for p in loaded.values())
            self.stdout.write(f"{len(loaded)} policy files, {count} rules: all valid.")
            return
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug “{options['org']}”.")
        in_force = organisation_policy(organisation).in_force()
        if not in_force:
            raise CommandError(f"{organisation.name} has not adopted any policy.")
        wrap = textwrap.TextWrapper(width=96, initial_indent="    ", subsequent_indent="    ")
        for policy in in_force:
            p = policy.policy
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    f"{p.code}: {p.title} ({p.organisation}; source {p.source})"
                )
            )
            for item in policy.rules:
                r = item.rule
                self.stdout.write(f"\n  {r.id} [{r.kind}] {r.summary}")
                for param in item.params:
                    line = f"    {param.name} = {param.value}"
                    if param.changed and param.override is not None:
                        line += (
                            f"  (policy says {param.default}; changed {param.override.changed_at:%d %b %Y}"
                            f": {param.override.reason})"
                        )
                    self.stdout.write(line)
                self.stdout.write(wrap.fill(f"Source: “{r.clause}”"))
            self.stdout.write("")
