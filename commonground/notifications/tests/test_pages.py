"""Notification pages tried as the recipient, another member, an unrelated member, the admin
and another organisation's member."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.notifications.delivery import outbox_deliver
from commonground.notifications.models import Notification, NotificationPreference
from commonground.notifications.tests.helpers import person, queue
from commonground.testing.factories import PersonFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _statuses(client: Client, personas: Personas, url: str, method: str = "get") -> dict[str, int]:
    out = {}
    for name, someone in personas.all().items():
        client.force_login(someone.user)
        out[name] = getattr(client, method)(url).status_code
    return out


@pytest.fixture
def in_app(personas: Personas) -> Notification:
    """An in-app notification for the party, delivered."""
    queue(personas.org, [personas.party], key="obligation:1:1", subject="Your review is due")
    outbox_deliver()
    return Notification.objects.get(recipient=personas.party, channel="in_app")


@pytest.fixture
def letter(personas: Personas) -> Notification:
    by_post = person(
        personas.org,
        ["post"],
        full_name="Peggy Post",
        postal_address="1 Mill Lane\nMilton Keynes\nMK1 1AA",
    )
    queue(personas.org, [by_post], key="obligation:2:2", subject="Overdue: the group meeting")
    outbox_deliver()
    return Notification.objects.get(recipient=by_post, channel="letter")


def test_my_notifications_are_listed_from_every_organisation(
    client: Client, personas: Personas, in_app: Notification
) -> None:
    elsewhere = PersonFactory(organisation=personas.other, user=personas.party.user)
    queue(personas.other, [elsewhere], key="x:1", subject="Hilltop says hello")
    outbox_deliver()
    client.force_login(personas.party.user)
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert "Your review is due" in body and "Hilltop says hello" in body
    assert "Riverside Housing Co-op" in body and "Hilltop Peer Support" in body


def test_nobody_else_sees_my_notifications_in_their_list(
    client: Client, personas: Personas, in_app: Notification
) -> None:
    for name, someone in personas.all().items():
        if name == "party":
            continue
        client.force_login(someone.user)
        assert (
            "Your review is due" not in client.get(reverse("notifications:inbox")).content.decode()
        )


def test_a_notification_page_is_for_its_recipient_only(
    client: Client, personas: Personas, in_app: Notification
) -> None:
    url = reverse("notifications:detail", kwargs={"pk": in_app.pk})
    assert _statuses(client, personas, url) == {
        "party": 200,
        "supporter": 404,
        "admin": 404,
        "unrelated": 404,
        "other_org": 404,
    }


def test_only_the_recipient_can_mark_it_read(
    client: Client, personas: Personas, in_app: Notification
) -> None:
    url = reverse("notifications:read", kwargs={"pk": in_app.pk})
    for name in ("supporter", "admin", "unrelated", "other_org"):
        client.force_login(getattr(personas, name).user)
        assert client.post(url).status_code == 404
    in_app.refresh_from_db()
    assert in_app.read_at is None
    client.force_login(personas.party.user)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    in_app.refresh_from_db()
    assert in_app.read_at is not None


def test_mark_all_read_touches_only_my_own(
    client: Client, personas: Personas, in_app: Notification
) -> None:
    queue(personas.org, [personas.unrelated], key="obligation:1:1")
    outbox_deliver()
    client.force_login(personas.party.user)
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.get(pk=in_app.pk).read_at is not None
    assert Notification.objects.get(recipient=personas.unrelated, channel="in_app").read_at is None


def test_signed_out_people_are_sent_to_sign_in(client: Client, in_app: Notification) -> None:
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_inbox_runs_the_same_queries_for_many_notifications(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.party.user)
    queue(personas.org, [personas.party], key="n:0")
    outbox_deliver()
    client.get(reverse("notifications:inbox"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:inbox"))
    for n in range(1, 25):
        queue(personas.org, [personas.party], key=f"n:{n}")
    elsewhere = PersonFactory(organisation=personas.other, user=personas.party.user)
    queue(personas.other, [elsewhere], key="n:other")
    outbox_deliver()
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("notifications:inbox")).content.decode()
    assert body.count("Mark as read<span") == 26
    assert len(many) == len(few)


def test_the_letter_queue_is_for_the_organisations_admin(
    client: Client, personas: Personas, letter: Notification
) -> None:
    url = reverse("notifications:letter_queue", kwargs={"org": personas.org.slug})
    assert _statuses(client, personas, url) == {
        "party": 403,
        "supporter": 403,
        "admin": 200,
        "unrelated": 403,
        "other_org": 404,
    }
    client.force_login(personas.admin.user)
    body = client.get(url).content.decode()
    assert "Peggy Post" in body and "Overdue: the group meeting" in body


def test_the_print_view_lays_out_a_letter_with_the_address(
    client: Client, personas: Personas, letter: Notification
) -> None:
    one = reverse("notifications:letter_print", kwargs={"org": personas.org.slug, "pk": letter.pk})
    every = reverse("notifications:letters_print", kwargs={"org": personas.org.slug})
    statuses = _statuses(client, personas, one)
    assert statuses["admin"] == 200 and statuses["other_org"] == 404
    assert {statuses[n] for n in ("party", "supporter", "unrelated")} == {403}
    client.force_login(personas.admin.user)
    for url in (one, every):
        body = client.get(url).content.decode()
        assert "1 Mill Lane" in body and "Dear Peggy Post" in body and "Something is due." in body


def test_another_organisations_admin_cannot_reach_our_letters_through_theirs(
    client: Client, personas: Personas, letter: Notification
) -> None:
    client.force_login(personas.other_org.user)
    url = reverse(
        "notifications:letter_print", kwargs={"org": personas.other.slug, "pk": letter.pk}
    )
    assert client.get(url).status_code == 404
    posted = reverse(
        "notifications:letter_posted", kwargs={"org": personas.other.slug, "pk": letter.pk}
    )
    assert client.post(posted).status_code == 404


def test_the_admin_marks_a_letter_posted_and_it_leaves_the_queue(
    client: Client, personas: Personas, letter: Notification
) -> None:
    url = reverse("notifications:letter_posted", kwargs={"org": personas.org.slug, "pk": letter.pk})
    for name in ("party", "supporter", "unrelated"):
        client.force_login(getattr(personas, name).user)
        assert client.post(url).status_code == 403
    client.force_login(personas.admin.user)
    assert client.post(url).status_code == 302
    letter.refresh_from_db()
    assert letter.posted_at is not None and letter.posted_by == personas.admin.user
    assert AuditEntry.objects.filter(
        object_type="notifications.notification", object_id=str(letter.pk)
    ).exists()
    queue_url = reverse("notifications:letter_queue", kwargs={"org": personas.org.slug})
    page = client.get(queue_url).content.decode()
    assert "marked as posted" in page and "letter to Peggy Post" not in page
    # Posting twice is refused, politely.
    response = client.post(url, follow=True)
    assert "not waiting to be posted" in response.content.decode()


def test_a_person_chooses_the_daily_digest_for_themselves(
    client: Client, personas: Personas
) -> None:
    url = reverse("notifications:preferences")
    client.force_login(personas.party.user)
    page = client.get(url).content.decode()
    assert "Riverside Housing Co-op: one email a day" in page
    field = f"digest_{personas.party.pk}"
    assert client.post(url, {field: "on"}).status_code == 302
    assert NotificationPreference.objects.get(person=personas.party).daily_digest is True
    assert AuditEntry.objects.filter(summary="Daily email digest on").count() == 1
    # Someone else's person cannot be set by naming it in the form.
    client.force_login(personas.unrelated.user)
    client.post(url, {field: ""})
    assert NotificationPreference.objects.get(person=personas.party).daily_digest is True
    client.force_login(personas.party.user)
    client.post(url, {})
    assert NotificationPreference.objects.get(person=personas.party).daily_digest is False
