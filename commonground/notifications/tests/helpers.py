"""Small builders shared by the notification tests."""

from __future__ import annotations

from typing import Any

from commonground.notifications.models import Notification
from commonground.notifications.services import notify
from commonground.people.models import Organisation, Person
from commonground.testing.factories import PersonFactory


def person(organisation: Organisation, channels: list[str], **fields: Any) -> Person:
    defaults: dict[str, Any] = {"phone": "07700 900123", "postal_address": ""}
    defaults.update(fields)
    return PersonFactory(organisation=organisation, contact_channels=channels, **defaults)


def queue(
    organisation: Organisation, recipients: list[Person], key: str = "test:1", **fields: Any
) -> list[Notification]:
    notify(
        organisation=organisation,
        recipients=recipients,
        kind=fields.pop("kind", "test.notice"),
        dedupe_key=key,
        subject=fields.pop("subject", "A reminder"),
        body=fields.pop("body", "Something is due."),
        link=fields.pop("link", "/notifications/"),
    )
    return list(Notification.objects.filter(dedupe_key=key).order_by("pk"))
