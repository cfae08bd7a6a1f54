"""Queueing notifications, and the things a person does with them.

Call `notify` inside the transaction of the event it is about: the outbox rows are saved with
the event or not at all. The worker delivers them afterwards (`delivery.outbox_deliver`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_change
from commonground.notifications.models import Channel, Notification, NotificationPreference
from commonground.obligations.models import Obligation
from commonground.people.models import ContactChannel, Organisation, Person, RoleAssignment
from commonground.people.roles import Role

_CHANNEL_FOR = {
    ContactChannel.EMAIL: Channel.EMAIL,
    ContactChannel.SMS: Channel.SMS,
    ContactChannel.POST: Channel.LETTER,
}


def channels_for(person: Person) -> list[str]:
    """How to reach `person`: their first deliverable preference, and in-app if they have a login.

    A phone-call preference cannot be automated; such a person gets a letter (IMHP-12, ASH-8:
    people who use no electronic communication are kept informed on paper)."""
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


def absolute_url(link: str) -> str:
    return urljoin(settings.SITE_URL.rstrip("/") + "/", link.lstrip("/")) if link else ""


# Obligation reminders ----------------------------------------------------------------------

KIND_DUE_SOON = "obligation.due_soon"
KIND_OVERDUE = "obligation.overdue"


def _long_date(day: Any) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def obligation_reminder_notify(*, obligation: Obligation, stage: int) -> list[Notification]:
    """Remind the people who must act on `obligation` that it is due soon or overdue.

    Overdue ones also go to the people holding its oversight role in that organisation. Runs
    inside the sweep's transaction, so the reminder stage and the outbox rows commit together."""
    organisation = obligation.organisation
    overdue = stage == Obligation.Stage.OVERDUE
    link = reverse(
        "obligations:obligation_detail", kwargs={"org": organisation.slug, "pk": obligation.pk}
    )
    due = _long_date(obligation.due_on)
    trigger = _long_date(timezone.localtime(obligation.trigger_at).date())
    if overdue:
        subject = f"Overdue: {obligation.title} (was due {obligation.due_on:%-d %B %Y}, {obligation.rule_id})"
        opening = f"{obligation.title} was due by {due} and is not yet marked as done."
    else:
        subject = (
            f"Due soon: {obligation.title} by {obligation.due_on:%-d %B %Y} ({obligation.rule_id})"
        )
        opening = f"{obligation.title} is due by {due}."
    why = (
        f"The date comes from rule {obligation.rule_id} of {organisation.name}'s policy, "
        f"counted from {obligation.trigger_event} on {trigger}."
    )
    see = f"See the deadline and why it falls then: {absolute_url(link)}"
    key = f"obligation:{obligation.pk}:{stage}"
    kind = KIND_OVERDUE if overdue else KIND_DUE_SOON

    assignees = list(obligation.assignees.all())
    rows = notify(
        organisation=organisation,
        recipients=assignees,
        kind=kind,
        dedupe_key=key,
        subject=subject,
        body=f"{opening}\n\n{why}\n\n{see}\n",
        link=link,
    )
    if overdue and obligation.oversight_role:
        assignee_ids = {p.pk for p in assignees}
        overseer_ids = (
            RoleAssignment.objects.current()
            .filter(organisation=organisation, role=obligation.oversight_role)
            .values("person_id")
        )
        overseers = [
            p
            for p in Person.objects.filter(organisation=organisation, pk__in=overseer_ids)
            if p.pk not in assignee_ids
        ]
        role_label = dict(Role.choices).get(obligation.oversight_role, obligation.oversight_role)
        oversight = f"You are told because, as {role_label.lower()}, you oversee this deadline."
        rows += notify(
            organisation=organisation,
            recipients=overseers,
            kind=kind,
            dedupe_key=key,
            subject=subject,
            body=f"{opening}\n\n{oversight}\n\n{why}\n\n{see}\n",
            link=link,
        )
    return rows


# What a person does with their notifications ----------------------------------------------


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    if not actor.has_perm("notifications.view_notification", notification):
        raise PermissionDenied("This is not your notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark every in-app notification of the actor, in every organisation, as read."""
    return Notification.objects.filter(
        recipient__user=actor,
        channel=Channel.IN_APP,
        state=Notification.State.SENT,
        read_at__isnull=True,
    ).update(read_at=timezone.now())


def letter_mark_posted(*, actor: Any, notification: Notification) -> Notification:
    """The organisation's admin printed the letter and put it in the post."""
    if notification.channel != Channel.LETTER or not actor.has_perm(
        "notifications.manage_letters", notification.organisation
    ):
        raise PermissionDenied("Only the organisation's admin posts letters.")
    with transaction.atomic():
        letter = Notification.objects.select_for_update().get(pk=notification.pk)
        if letter.state != Notification.State.SENT or letter.posted_at is not None:
            raise ValidationError(
                "This letter is not waiting to be posted.", code="letter_not_waiting"
            )
        letter.posted_at = timezone.now()
        letter.posted_by = actor
        letter.save(update_fields=["posted_at", "posted_by"])
        audit_change(
            actor=actor,
            organisation=letter.organisation,
            instance=letter,
            action=AuditEntry.Action.UPDATE,
            changes={"posted_at": [None, letter.posted_at]},
            summary=f"Letter to person {letter.recipient_id} posted ({letter.kind})",
        )
    return letter


def notification_preference_set(
    *, actor: Any, person: Person, daily_digest: bool
) -> NotificationPreference:
    """A person chooses one daily email instead of an email for each notification."""
    if person.user_id is None or person.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("People choose how they hear from us for themselves.")
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
            person=person
        )
        if preference.daily_digest != daily_digest:
            old = preference.daily_digest
            preference.daily_digest = daily_digest
            preference.save(update_fields=["daily_digest", "updated_at"])
            audit_change(
                actor=actor,
                organisation=person.organisation,
                instance=preference,
                action=AuditEntry.Action.UPDATE,
                changes={"daily_digest": [old, daily_digest]},
                summary="Daily email digest " + ("on" if daily_digest else "off"),
            )
    return preference
