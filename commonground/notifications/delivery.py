"""Delivering the outbox, exactly once per (dedupe_key, recipient, channel).

The protocol (docs/developers/notifications.md explains it in full):

1. Claim. In one short transaction a worker takes up to `batch` due rows: pending ones whose
   time has come, and "sending" ones whose lease ran out (their worker died). It sets them to
   "sending" with a fresh claim token and `claimed_until` = now + lease, and counts the attempt.
   On PostgreSQL the rows are locked with SELECT ... FOR UPDATE SKIP LOCKED, so workers take
   different rows without waiting; SQLite runs the transaction with BEGIN IMMEDIATE, so claims
   are one at a time. Either way no two live claims hold the same row.
2. Deliver. In-app and letter rows are delivered by the database itself: marking the row sent
   is what puts it in the inbox or the letter queue, one UPDATE guarded by the claim token.
   Email and text messages go to the provider, with a Message-ID / idempotency key made from
   the row's id, the same on every attempt.
3. Mark. Only the holder of the claim token may mark the row sent, or failed, or due again
   after a back-off. A worker that lost its claim changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from commonground.notifications.models import Channel, Notification, NotificationPreference
from commonground.notifications.services import absolute_url
from commonground.notifications.sms import SMSBackend, get_sms_backend
from commonground.people.models import Person

logger = logging.getLogger(__name__)

DIGEST_KIND = "notifications.daily_digest"
DATABASE_CHANNELS = frozenset({Channel.IN_APP, Channel.LETTER})


class Undeliverable(Exception):
    """Trying again will not help (no email address, no phone number, no postal address)."""


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    digests: int = 0
    lost_claims: int = 0


def message_id(notification: Notification) -> str:
    """The same Message-ID on every attempt, so a resend is recognisably the same message."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}@{domain}>"


def idempotency_key(notification: Notification) -> str:
    return f"commonground-notification-{notification.pk}"


def retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8... times the base after the 1st, 2nd, 3rd... failed attempt, up to the cap."""
    seconds = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFICATION_RETRY_MAX_SECONDS))


def _held_for_digest() -> Q:
    """Emails of people who chose the daily digest wait for it (the digest itself does not)."""
    chose_digest = Exists(
        NotificationPreference.objects.filter(
            person=OuterRef("recipient"), daily_digest=True, person__user__isnull=False
        )
    )
    return Q(channel=Channel.EMAIL) & ~Q(kind=DIGEST_KIND) & Q(chose_digest)


def _due(now: dt.datetime) -> Q:
    return Q(state=Notification.State.PENDING, next_attempt_at__lte=now) | Q(
        state=Notification.State.SENDING, claimed_until__lt=now
    )


def outbox_claim(*, now: dt.datetime | None = None, batch: int = 50) -> list[Notification]:
    """Take up to `batch` due rows for this worker; see the module's docstring."""
    moment = now or timezone.now()
    lease = dt.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = Notification.objects.filter(_due(moment)).exclude(_held_for_digest())
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        # A worker died holding these after their last allowed attempt: whether the provider
        # got them is unknown, and trying again could send them twice, so they fail for good.
        Notification.objects.filter(
            pk__in=ids,
            state=Notification.State.SENDING,
            attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS,
        ).update(
            state=Notification.State.FAILED,
            claim_token="",
            claimed_until=None,
            last_error="The worker stopped during the last attempt; it may or may not have gone.",
        )
        # The due condition again: it is what makes the claim safe on any database.
        Notification.objects.filter(pk__in=ids).filter(_due(moment)).update(
            state=Notification.State.SENDING,
            claim_token=token,
            claimed_until=moment + lease,
            attempts=F("attempts") + 1,
        )
    return list(
        Notification.objects.filter(claim_token=token)
        .select_related("recipient", "organisation")
        .order_by("pk")
    )


def _mine(notification: Notification) -> Any:
    return Notification.objects.filter(
        pk=notification.pk, claim_token=notification.claim_token, state=Notification.State.SENDING
    )


def _mark_sent(notification: Notification, provider_message_id: str = "") -> bool:
    updated = _mine(notification).update(
        state=Notification.State.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_message_id,
        claim_token="",
        claimed_until=None,
        last_error="",
    )
    if not updated:
        logger.warning("Notification %s: claim lost before it was marked sent.", notification.pk)
    return bool(updated)


def _mark_failed(notification: Notification, error: str, *, permanent: bool) -> str:
    now = timezone.now()
    final = permanent or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
    state = Notification.State.FAILED if final else Notification.State.PENDING
    _mine(notification).update(
        state=state,
        next_attempt_at=now if final else now + retry_delay(notification.attempts),
        claim_token="",
        claimed_until=None,
        last_error=error[:2000],
    )
    return str(state)


def _release(notification: Notification) -> None:
    """Give a claimed row back untried (the lease is nearly over): the attempt does not count."""
    _mine(notification).update(
        state=Notification.State.PENDING,
        claim_token="",
        claimed_until=None,
        attempts=F("attempts") - 1,
    )


class _Senders:
    """The mail connection and the text-message backend, opened once per run."""

    def __init__(self) -> None:
        self._mail: Any = None
        self._sms: SMSBackend | None = None

    def mail(self) -> Any:
        if self._mail is None:
            self._mail = get_connection(timeout=settings.NOTIFICATION_SEND_TIMEOUT)
        return self._mail

    def sms(self) -> SMSBackend:
        if self._sms is None:
            self._sms = get_sms_backend()
        return self._sms

    def reset_mail(self) -> None:
        if self._mail is not None:
            # A broken connection is being thrown away; its close may fail too.
            with contextlib.suppress(Exception):
                self._mail.close()
        self._mail = None

    def close(self) -> None:
        self.reset_mail()


def _send_email(notification: Notification, senders: _Senders) -> str:
    person = notification.recipient
    if not person.email:
        raise Undeliverable("There is no email address for this person.")
    link = absolute_url(notification.link)
    body = notification.body
    if link and link not in body:
        body = f"{body.rstrip()}\n\n{link}\n"
    msg_id = message_id(notification)
    email = EmailMessage(
        subject=f"[{notification.organisation.name}] {notification.subject}",
        body=body,
        to=[person.email],
        headers={"Message-ID": msg_id, "X-Common-Ground-Notification": str(notification.pk)},
        connection=senders.mail(),
    )
    if email.send() != 1:
        raise RuntimeError("The mail server did not accept the message.")
    return msg_id


def _send_sms(notification: Notification, senders: _Senders) -> str:
    person = notification.recipient
    if not person.phone:
        raise Undeliverable("There is no phone number for this person.")
    # A text message can be read by anyone holding the phone: the subject and a link only.
    text = f"{notification.organisation.name}: {notification.subject}"
    link = absolute_url(notification.link)
    if link:
        text = f"{text} {link}"
    return senders.sms().send(
        to=person.phone, body=text, idempotency_key=idempotency_key(notification)
    )


def deliver_claimed(notification: Notification, senders: _Senders | None = None) -> str:
    """Deliver one row this worker has claimed; returns what became of it."""
    own = senders or _Senders()
    try:
        if notification.channel in DATABASE_CHANNELS:
            if notification.channel == Channel.LETTER and not notification.recipient.postal_address:
                raise Undeliverable("There is no postal address for this person.")
            # Marking it sent is the delivery: the row is then in the person's inbox or the
            # organisation's letter queue. One guarded UPDATE, so it happens once or not at all.
            with transaction.atomic():
                return "sent" if _mark_sent(notification) else "lost"
        remaining = (notification.claimed_until or timezone.now()) - timezone.now()
        if remaining.total_seconds() <= settings.NOTIFICATION_SEND_TIMEOUT:
            _release(notification)
            return "released"
        if notification.channel == Channel.EMAIL:
            provider_id = _send_email(notification, own)
        elif notification.channel == Channel.SMS:
            provider_id = _send_sms(notification, own)
        else:
            raise Undeliverable(f"Unknown channel {notification.channel!r}.")
    except Undeliverable as error:
        return _mark_failed(notification, str(error), permanent=True)
    except Exception as error:
        logger.warning(
            "Notification %s: attempt %s failed: %r", notification.pk, notification.attempts, error
        )
        if notification.channel == Channel.EMAIL:
            own.reset_mail()
        return _mark_failed(notification, f"{type(error).__name__}: {error}", permanent=False)
    finally:
        if senders is None:
            own.close()
    return "sent" if _mark_sent(notification, provider_id) else "lost"


def digests_build(*, now: dt.datetime | None = None) -> int:
    """Hand each digest-choosing person's pending emails to today's digest, once per day.

    The digest is an ordinary email row whose dedupe key names the person and the day, so the
    unique constraint makes a second digest that day impossible; it is delivered like any other."""
    moment = now or timezone.now()
    local = timezone.localtime(moment)
    if local.hour < settings.NOTIFICATION_DIGEST_HOUR:
        return 0
    day = local.date()
    waiting = Notification.objects.filter(
        recipient=OuterRef("pk"),
        channel=Channel.EMAIL,
        state=Notification.State.PENDING,
        next_attempt_at__lte=moment,
    ).exclude(kind=DIGEST_KIND)
    people = (
        Person.objects.filter(user__isnull=False, notification_preference__daily_digest=True)
        .filter(Exists(waiting))
        .exclude(pk__in=_people_with_digest(day))
        .select_related("organisation")
    )
    built = 0
    for person in people:
        if _digest_build_one(person=person, day=day, moment=moment):
            built += 1
    return built


def _digest_key(person_pk: Any, day: dt.date) -> str:
    return f"digest:{person_pk}:{day.isoformat()}"


def _people_with_digest(day: dt.date) -> Any:
    return Notification.objects.filter(
        kind=DIGEST_KIND, dedupe_key__endswith=f":{day.isoformat()}"
    ).values("recipient_id")


def _digest_build_one(*, person: Person, day: dt.date, moment: dt.datetime) -> bool:
    with transaction.atomic():
        rows = Notification.objects.filter(
            recipient=person,
            channel=Channel.EMAIL,
            state=Notification.State.PENDING,
            next_attempt_at__lte=moment,
        ).exclude(kind=DIGEST_KIND)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        included = list(rows.order_by("created_at", "pk"))
        if not included:
            return False
        count = len(included)
        lines = [
            f"Good morning {person.display_name}. Here {'is' if count == 1 else 'are'} "
            f"{count} {'notification' if count == 1 else 'notifications'} from "
            f"{person.organisation.name} since your last digest.",
            "",
        ]
        for row in included:
            lines.append(f"- {row.subject}")
            if row.link:
                lines.append(f"  {absolute_url(row.link)}")
        lines += [
            "",
            "You get one email a day because you chose it. To get each email as it happens, "
            f"change it here: {absolute_url('/notifications/settings/')}",
        ]
        digest = Notification(
            organisation=person.organisation,
            recipient=person,
            channel=Channel.EMAIL,
            kind=DIGEST_KIND,
            dedupe_key=_digest_key(person.pk, day),
            subject=f"Your daily digest for {day:%-d %B %Y}: {count} "
            f"{'notification' if count == 1 else 'notifications'}",
            body="\n".join(lines) + "\n",
            link="/notifications/",
        )
        try:
            with transaction.atomic():
                digest.save()
        except IntegrityError:
            # Another worker made today's digest first.
            return False
        Notification.objects.filter(
            pk__in=[row.pk for row in included], state=Notification.State.PENDING
        ).update(state=Notification.State.IN_DIGEST, digest=digest)
    return True


def outbox_deliver(
    *, now: dt.datetime | None = None, batch: int = 50, limit: int | None = None
) -> DeliveryReport:
    """Build due digests, then claim and deliver due rows until none are left (or `limit`)."""
    report = DeliveryReport(digests=digests_build(now=now))
    senders = _Senders()
    handled = 0
    try:
        while limit is None or handled < limit:
            size = batch if limit is None else min(batch, limit - handled)
            claimed = outbox_claim(now=now, batch=size)
            released = 0
            for notification in claimed:
                outcome = deliver_claimed(notification, senders)
                if outcome == "sent":
                    report.sent += 1
                elif outcome == Notification.State.PENDING:
                    report.retrying += 1
                elif outcome == Notification.State.FAILED:
                    report.failed += 1
                elif outcome == "lost":
                    report.lost_claims += 1
                elif outcome == "released":
                    released += 1
            handled += len(claimed) - released
            if released and released == len(claimed):
                # Not one row could be tried inside its lease: the lease is set too short.
                logger.error(
                    "NOTIFICATION_LEASE_SECONDS must be well above NOTIFICATION_SEND_TIMEOUT."
                )
                break
            if len(claimed) < size and not released:
                break
    finally:
        senders.close()
    return report
