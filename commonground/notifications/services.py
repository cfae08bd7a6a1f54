"""Queueing notifications. Call `notify` inside the transaction of the event it is about."""

from __future__ import annotations

from collections.abc import Iterable

from commonground.notifications.models import Channel, Notification
from commonground.people.models import ContactChannel, Organisation, Person

_CHANNEL_FOR = {
    ContactChannel.EMAIL: Channel.EMAIL,
    ContactChannel.SMS: Channel.SMS,
    ContactChannel.POST: Channel.LETTER,
}


def channels_for(person: Person) -> list[str]:
    """How to reach `person`: their first deliverable preference, and in-app if they have a login.

    A phone-call preference cannot be automated; such a person also gets a letter."""
    chosen: list[str] = []
    for preference in person.contact_channels or []:
        channel = (
            _CHANNEL_FOR.get(ContactChannel(preference))
            if preference in ContactChannel.values
            else None
        )
        if channel is not None:
            chosen.append(channel)
            break
    if not chosen:
        chosen.append(
            Channel.LETTER if person.postal_address or not person.user_id else Channel.IN_APP
        )
    if person.user_id and Channel.IN_APP not in chosen:
        chosen.append(Channel.IN_APP)
    return chosen


def notify(
    *,
    organisation: Organisation,
    recipients: Iterable[Person],
    kind: str,
    dedupe_key: str,
    subject: str,
    body: str,
    link: str = "",
) -> list[Notification]:
    """Write one outbox row per recipient and channel, in the caller's transaction.

    A row with the same (dedupe_key, recipient, channel) already there is left alone, so the
    same event never notifies anyone twice."""
    rows = [
        Notification(
            organisation=organisation,
            recipient=person,
            channel=channel,
            kind=kind,
            dedupe_key=dedupe_key,
            subject=subject[:200],
            body=body,
            link=link,
        )
        for person in recipients
        for channel in channels_for(person)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return rows
