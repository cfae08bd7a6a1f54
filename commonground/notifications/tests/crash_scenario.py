"""Seeding and reading the crash tests' database from a subprocess (`python -c`)."""

from __future__ import annotations

import json

from commonground.notifications.models import Notification
from commonground.notifications.services import notify
from commonground.testing.factories import OrganisationFactory, PersonFactory, UserFactory


def seed(people: int = 40) -> None:
    org = OrganisationFactory(name="Crash Test Co-op", slug="crash-test")
    mix = [
        {"contact_channels": ["email"]},
        {"contact_channels": ["email"], "user": "login"},
        {"contact_channels": ["sms"], "phone": "07700 900001"},
        {"contact_channels": ["post"], "postal_address": "1 Mill Lane, MK1 1AA"},
    ]
    recipients = []
    for n in range(people):
        fields = dict(mix[n % len(mix)])
        if fields.pop("user", None):
            fields["user"] = UserFactory()
        recipients.append(PersonFactory(organisation=org, **fields))
    for event in range(2):
        notify(
            organisation=org,
            recipients=recipients,
            kind="obligation.due_soon",
            dedupe_key=f"obligation:{event}:1",
            subject=f"Reminder {event}",
            body="Something is due.",
            link="/notifications/",
        )


def report() -> None:
    rows = Notification.objects.order_by("pk").values(
        "pk", "dedupe_key", "recipient_id", "channel", "state", "attempts"
    )
    print(json.dumps(list(rows)))
