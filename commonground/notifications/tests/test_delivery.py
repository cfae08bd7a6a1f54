"""The outbox protocol: dedupe, claims with a lease, back-off and failure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from commonground.notifications import delivery
from commonground.notifications.delivery import outbox_claim, outbox_deliver, retry_delay
from commonground.notifications.models import Notification
from commonground.notifications.tests.helpers import person, queue
from commonground.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return OrganisationFactory()


class FlakyMail:
    """A mail backend that refuses the first `failures` messages, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.accepted: list[Any] = []

    def __call__(self, **kwargs: Any) -> FlakyMail:
        return self

    def send_messages(self, messages: list[Any]) -> int:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("mail server down")
        self.accepted.extend(messages)
        return len(messages)

    def close(self) -> None:
        pass


def test_the_same_event_notifies_each_person_once(org) -> None:  # type: ignore[no-untyped-def]
    member = person(org, ["email"])
    queue(org, [member], key="obligation:9:1")
    queue(org, [member], key="obligation:9:1", subject="Said again")
    assert Notification.objects.filter(dedupe_key="obligation:9:1").count() == 1
    outbox_deliver()
    outbox_deliver()
    assert len(mail.outbox) == 1


def test_a_claim_holds_rows_so_a_second_worker_takes_others(org) -> None:  # type: ignore[no-untyped-def]
    people = [person(org, ["email"]) for _ in range(5)]
    queue(org, people)
    first = outbox_claim(batch=3)
    second = outbox_claim(batch=3)
    assert len(first) == 3 and len(second) == 2
    assert not {n.pk for n in first} & {n.pk for n in second}
    assert outbox_claim(batch=3) == []
    assert {n.state for n in first + second} == {"sending"}


def test_a_dead_workers_rows_are_taken_again_after_the_lease(org) -> None:  # type: ignore[no-untyped-def]
    [row] = queue(org, [person(org, ["email"])])
    [claimed] = outbox_claim()
    assert outbox_claim() == []
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301)):
        [again] = outbox_claim()
    assert again.pk == row.pk and again.attempts == 2 and again.claim_token != claimed.claim_token


def test_a_worker_that_lost_its_claim_cannot_mark_the_row(org) -> None:  # type: ignore[no-untyped-def]
    queue(org, [person(org, [], user=None, postal_address="1 Lane")])
    [stale] = outbox_claim()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=301)):
        [fresh] = outbox_claim()
    assert delivery.deliver_claimed(stale) == "lost"
    assert Notification.objects.get(pk=fresh.pk).state == "sending"
    assert delivery.deliver_claimed(fresh) == "sent"


def test_a_failed_attempt_waits_longer_each_time(org, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(20).total_seconds() == 3600
    flaky = FlakyMail(failures=2)
    monkeypatch.setattr(delivery, "get_connection", flaky)
    [row] = queue(org, [person(org, ["email"])])
    start = timezone.now()

    report = outbox_deliver()
    row.refresh_from_db()
    assert (report.retrying, row.state, row.attempts) == (1, "pending", 1)
    assert "mail server down" in row.last_error
    assert row.next_attempt_at >= start + dt.timedelta(seconds=60)
    assert outbox_deliver().sent == 0  # not yet due

    with time_machine.travel(start + dt.timedelta(seconds=61)):
        outbox_deliver()
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 2)
    assert row.next_attempt_at >= start + dt.timedelta(seconds=61 + 120)

    with time_machine.travel(start + dt.timedelta(seconds=61 + 121)):
        assert outbox_deliver().sent == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    assert len(flaky.accepted) == 1


def test_after_the_last_attempt_it_fails_for_good(org, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(delivery, "get_connection", FlakyMail(failures=99))
    [row] = queue(org, [person(org, ["email"])])
    moment = timezone.now()
    for _ in range(6):
        with time_machine.travel(moment):
            outbox_deliver()
        moment += dt.timedelta(hours=2)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 4)
    assert "ConnectionRefusedError: mail server down" in row.last_error


def test_a_row_whose_worker_died_on_the_last_attempt_is_not_sent_again(org) -> None:  # type: ignore[no-untyped-def]
    [row] = queue(org, [person(org, ["email"])])
    Notification.objects.filter(pk=row.pk).update(
        state="sending", attempts=4, claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    outbox_deliver()
    row.refresh_from_db()
    assert row.state == "failed" and "may or may not" in row.last_error
    assert mail.outbox == []


def test_a_claim_nearly_out_of_time_gives_the_row_back_untried(org, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_SEND_TIMEOUT = 400  # longer than the lease
    [row] = queue(org, [person(org, ["email"])])
    assert outbox_deliver().sent == 0
    row.refresh_from_db()
    assert (row.state, row.attempts, row.claim_token) == ("pending", 0, "")
    assert mail.outbox == []
