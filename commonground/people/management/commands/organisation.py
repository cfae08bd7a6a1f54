"""`commonground organisation create NAME --admin-email EMAIL --admin-name NAME`.

How an installation's operator adds an organisation and its first admin: everything goes through
the services, so it is all on the audit log, and the admin gets an email to choose a password.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from commonground.accounts.services import send_set_password_email
from commonground.people.models import Organisation, Person
from commonground.people.roles import Role
from commonground.people.services import organisation_create, person_create, role_assign
from commonground.policies.registry import policies
from commonground.policies.services import policy_adopt


class Command(BaseCommand):
    help = "Create an organisation with its first admin (organisation create), or list them (organisation list)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="A new organisation and its first admin.")
        create.add_argument("name")
        create.add_argument(
            "--slug", default="", help="Its address in URLs (default: from the name)."
        )
        create.add_argument(
            "--kind", default=Organisation.Kind.OTHER, choices=Organisation.Kind.values
        )
        create.add_argument("--admin-email", required=True)
        create.add_argument("--admin-name", required=True)
        create.add_argument(
            "--adopt",
            action="append",
            default=[],
            choices=sorted(policies()),
            help="A policy to adopt (repeatable), e.g. --adopt ASH.",
        )
        sub.add_parser("list", help="Every organisation on this installation.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for org in Organisation.objects.order_by("name"):
                self.stdout.write(f"{org.slug:24} {org.name} ({org.get_kind_display()})")
            return
        from django.contrib.auth import get_user_model

        email = options["admin_email"].strip().lower()
        try:
            with transaction.atomic():
                organisation = organisation_create(
                    name=options["name"], slug=options["slug"], kind=options["kind"]
                )
                admin = person_create(
                    actor=None,
                    organisation=organisation,
                    full_name=options["admin_name"],
                    email=email,
                    contact_channels=["email"],
                )
                role_assign(
                    actor=None, person=admin, role=Role.ORG_ADMIN, starts_on=timezone.localdate()
                )
                user, _ = get_user_model().objects.get_or_create(email=email)
                if not user.has_usable_password():
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                Person.objects.filter(pk=admin.pk).update(user=user)
                for code in options["adopt"]:
                    policy_adopt(actor=None, organisation=organisation, policy=code)
                transaction.on_commit(lambda: send_set_password_email(user))
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            f"Created {organisation.name} at /o/{organisation.slug}/ with {admin.full_name} <{email}> "
            "as its admin. An email with a link to choose a password is on its way."
        )
