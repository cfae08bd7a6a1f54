"""The opt-in daily digest: one email a day instead of one per notification, sent once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from commonground.notifications.delivery import DIGEST_KIND, outbox_deliver
from commonground.notifications.models import Notification, NotificationPreference
from commonground.notifications.tests.helpers import person, queue
from commonground.policies.values import LONDON
from commonground.testing.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

EARLY = dt.datetime(2027, 3, 1, 6, 30, tzinfo=LONDON)
MORNING = dt.datetime(2027, 3, 1, 7, 5, tzinfo=LONDON)


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return OrganisationFactory(name="Hilltop Peer Support")


def _digest_reader(org):  # type: ignore[no-untyped-def]
    reader = person(org, ["email"], user=UserFactory())
    NotificationPreference.objects.create(person=reader, daily_digest=True)
    return reader


def test_a_person_who_chose_the_digest_gets_no_email_for_each_one(org) -> None:  # type: ignore[no-untyped-def]
    reader = _digest_reader(org)
    with time_machine.travel(EARLY):
        queue(org, [reader], key="a", subject="Review due")
        queue(org, [reader], key="b", subject="Group meeting due")
        outbox_deliver()
    assert mail.outbox == []
    # In the app they arrive as they happen.
    assert (
        Notification.objects.filter(recipient=reader, channel="in_app", state="sent").count() == 2
    )


def test_the_digest_lists_the_days_emails_in_one_message(org) -> None:  # type: ignore[no-untyped-def]
    reader = _digest_reader(org)
    with time_machine.travel(EARLY):
        queue(org, [reader], key="a", subject="Review due")
        queue(org, [reader], key="b", subject="Group meeting due")
    with time_machine.travel(MORNING):
        report = outbox_deliver()
    assert report.digests == 1
    [message] = mail.outbox
    assert message.to == [reader.email]
    assert "daily digest for 1 March 2027: 2 notifications" in message.subject
    assert "- Review due" in message.body and "- Group meeting due" in message.body
    emails = Notification.objects.filter(recipient=reader, channel="email").exclude(
        kind=DIGEST_KIND
    )
    digest = Notification.objects.get(recipient=reader, kind=DIGEST_KIND)
    assert {(n.state, n.digest_id) for n in emails} == {("in_digest", digest.pk)}
    assert digest.state == "sent" and digest.dedupe_key == f"digest:{reader.pk}:2027-03-01"


def test_the_digest_is_sent_once_a_day(org) -> None:  # type: ignore[no-untyped-def]
    reader = _digest_reader(org)
    with time_machine.travel(EARLY):
        queue(org, [reader], key="a")
    with time_machine.travel(MORNING):
        outbox_deliver()
        queue(org, [reader], key="b", subject="Later that morning")
    with time_machine.travel(MORNING + dt.timedelta(hours=3)):
        assert outbox_deliver().digests == 0
    assert len(mail.outbox) == 1
    # What came after today's digest goes in tomorrow's.
    with time_machine.travel(MORNING + dt.timedelta(days=1)):
        assert outbox_deliver().digests == 1
    assert len(mail.outbox) == 2 and "Later that morning" in mail.outbox[1].body


def test_no_digest_when_there_is_nothing_to_tell(org) -> None:  # type: ignore[no-untyped-def]
    _digest_reader(org)
    with time_machine.travel(MORNING):
        assert outbox_deliver().digests == 0
    assert mail.outbox == []


def test_turning_the_digest_off_releases_the_waiting_emails(org) -> None:  # type: ignore[no-untyped-def]
    reader = _digest_reader(org)
    with time_machine.travel(EARLY):
        queue(org, [reader], key="a", subject="Review due")
        outbox_deliver()
        NotificationPreference.objects.filter(person=reader).update(daily_digest=False)
        outbox_deliver()
    assert [m.subject for m in mail.outbox] == ["[Hilltop Peer Support] Review due"]


def test_people_who_did_not_choose_it_get_each_email(org) -> None:  # type: ignore[no-untyped-def]
    _digest_reader(org)
    other = person(org, ["email"], user=UserFactory())
    with time_machine.travel(EARLY):
        queue(org, [other], key="a")
        outbox_deliver()
    assert len(mail.outbox) == 1
