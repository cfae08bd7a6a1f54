"""Each person is reached the way they asked to be, and each channel delivers once."""

from __future__ import annotations

import pytest
from django.core import mail

from commonground.notifications import sms
from commonground.notifications.delivery import outbox_deliver
from commonground.notifications.models import Channel, Notification
from commonground.notifications.services import channels_for
from commonground.notifications.tests.helpers import person, queue
from commonground.testing.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():  # type: ignore[no-untyped-def]
    return OrganisationFactory(name="Riverside Housing Co-op")


def test_email_people_get_an_email_and_with_a_login_the_app_too(org) -> None:  # type: ignore[no-untyped-def]
    assert channels_for(person(org, ["email"])) == [Channel.EMAIL]
    assert channels_for(person(org, ["email", "sms"], user=UserFactory())) == [
        Channel.EMAIL,
        Channel.IN_APP,
    ]


def test_text_message_people_get_a_text_message(org) -> None:  # type: ignore[no-untyped-def]
    assert channels_for(person(org, ["sms", "email"])) == [Channel.SMS]


def test_IMHP_12_people_without_electronic_communication_get_a_letter(org) -> None:  # type: ignore[no-untyped-def]
    by_post = person(org, ["post"], postal_address="1 Mill Lane\nMilton Keynes\nMK1 1AA")
    by_phone = person(org, ["phone"], postal_address="2 Mill Lane\nMilton Keynes\nMK1 1AB")
    assert channels_for(by_post) == [Channel.LETTER]
    # A phone call cannot be automated: they get the letter instead.
    assert channels_for(by_phone) == [Channel.LETTER]

    queue(org, [by_post, by_phone])
    outbox_deliver()
    letters = Notification.objects.filter(channel=Channel.LETTER, state="sent", posted_at=None)
    assert {n.recipient_id for n in letters} == {by_post.pk, by_phone.pk}
    assert mail.outbox == [] and sms.outbox == []


def test_ASH_8_a_letter_without_a_postal_address_fails_and_says_why(org) -> None:  # type: ignore[no-untyped-def]
    nobody_home = person(org, ["post"], postal_address="")
    [row] = queue(org, [nobody_home])
    outbox_deliver()
    row.refresh_from_db()
    assert row.state == "failed" and "postal address" in row.last_error


def test_an_email_carries_a_message_id_made_from_its_row(org) -> None:  # type: ignore[no-untyped-def]
    [row] = queue(org, [person(org, ["email"])], subject="Review due")
    outbox_deliver()
    [message] = mail.outbox
    assert (
        message.extra_headers["Message-ID"] == f"<notification-{row.pk}@commonground.example.org>"
    )
    assert message.subject == "[Riverside Housing Co-op] Review due"
    row.refresh_from_db()
    assert row.state == "sent" and row.provider_message_id == message.extra_headers["Message-ID"]


def test_a_text_message_carries_an_idempotency_key_and_no_details(org) -> None:  # type: ignore[no-untyped-def]
    [row] = queue(org, [person(org, ["sms"])], subject="Review due", body="Private details")
    outbox_deliver()
    [text] = sms.outbox
    assert text.idempotency_key == f"commonground-notification-{row.pk}"
    assert "Review due" in text.body and "Private details" not in text.body
    assert text.to == "07700 900123"


def test_an_in_app_notification_arrives_in_the_inbox_unread(org) -> None:  # type: ignore[no-untyped-def]
    member = person(org, [], user=UserFactory())
    [row] = queue(org, [member])
    assert row.channel == Channel.IN_APP
    outbox_deliver()
    row.refresh_from_db()
    assert row.state == "sent" and row.sent_at is not None and row.read_at is None


def test_no_email_address_fails_at_once_without_retrying(org) -> None:  # type: ignore[no-untyped-def]
    [row] = queue(org, [person(org, ["email"], email="")])
    outbox_deliver()
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == 1 and "email address" in row.last_error


def test_no_phone_number_fails_at_once(org) -> None:  # type: ignore[no-untyped-def]
    [row] = queue(org, [person(org, ["sms"], phone="")])
    outbox_deliver()
    row.refresh_from_db()
    assert row.state == "failed" and "phone number" in row.last_error
