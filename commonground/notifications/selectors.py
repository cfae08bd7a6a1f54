"""Reads of notifications, already filtered by who may see them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from commonground.notifications.models import Channel, Notification, NotificationPreference
from commonground.people.models import Organisation, Person


def inbox(*, actor: Any) -> QuerySet[Notification]:
    """The actor's in-app notifications in every organisation, newest first."""
    return (
        Notification.objects.filter(
            recipient__user=actor, channel=Channel.IN_APP, state=Notification.State.SENT
        )
        .select_related("organisation")
        .order_by("-sent_at", "-pk")
    )


def inbox_unread_count(*, actor: Any) -> int:
    return inbox(actor=actor).filter(read_at__isnull=True).count()


def inbox_item_get(*, actor: Any, pk: int) -> Notification:
    """One of the actor's in-app notifications; anyone else's looks like a missing one."""
    notification = (
        Notification.objects.filter(pk=pk, channel=Channel.IN_APP, state=Notification.State.SENT)
        .select_related("organisation", "recipient")
        .first()
    )
    if notification is None or not actor.has_perm("notifications.view_notification", notification):
        raise Http404("No such notification.")
    return notification


def _letters(*, actor: Any, organisation: Organisation) -> QuerySet[Notification]:
    if not actor.has_perm("notifications.manage_letters", organisation):
        raise PermissionDenied("The letter queue is for the organisation's admin.")
    return Notification.objects.filter(
        organisation=organisation, channel=Channel.LETTER
    ).select_related("recipient")


def letters_to_post(*, actor: Any, organisation: Organisation) -> QuerySet[Notification]:
    """Letters waiting to be printed and posted, oldest first (IMHP-12, ASH-8)."""
    return (
        _letters(actor=actor, organisation=organisation)
        .filter(state=Notification.State.SENT, posted_at__isnull=True)
        .order_by("sent_at", "pk")
    )


def letters_undeliverable(*, actor: Any, organisation: Organisation) -> QuerySet[Notification]:
    """Letters that could not be queued (no postal address on record)."""
    return (
        _letters(actor=actor, organisation=organisation)
        .filter(state=Notification.State.FAILED)
        .order_by("-created_at", "-pk")
    )


def letter_get(*, actor: Any, organisation: Organisation, pk: int) -> Notification:
    letter = _letters(actor=actor, organisation=organisation).filter(pk=pk).first()
    if letter is None:
        raise Http404("No such letter.")
    return letter


def my_preferences(*, actor: Any) -> list[tuple[Person, bool]]:
    """Each of the actor's memberships, with whether they chose the daily digest there."""
    people = list(
        Person.objects.filter(user=actor).select_related("organisation").order_by("organisation")
    )
    chosen = set(
        NotificationPreference.objects.filter(person__in=people, daily_digest=True).values_list(
            "person_id", flat=True
        )
    )
    return [(person, person.pk in chosen) for person in people]
