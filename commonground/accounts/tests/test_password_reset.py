from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from commonground.accounts.models import User
from commonground.accounts.tests.helpers import is_signed_in, link_in, sign_in
from commonground.people.services import person_invite
from commonground.testing.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-pass-phrase"


def choose_password(client, link: str, password: str = NEW_PASSWORD):
    """Follow an emailed set-password link and choose a password on the page it leads to."""
    response = client.get(link)
    # allauth moves the key out of the address before showing the form.
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url)
    assert page.status_code == 200
    assert "<h1>Choose a new password</h1>" in page.content.decode()
    return client.post(form_url, {"password1": password, "password2": password})


@pytest.mark.real_password_hashing
def test_a_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="pat@example.test")
    response = client.post(reverse("account_reset_password"), {"email": "pat@example.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@example.test"]
    assert message.subject.startswith("[Common Ground] ")

    done = choose_password(client, link_in(message.body))
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2")
    sign_in(client, "pat@example.test", NEW_PASSWORD)
    assert is_signed_in(client)


def test_a_reset_link_works_only_once(client):
    UserFactory(email="pat@example.test")
    client.post(reverse("account_reset_password"), {"email": "pat@example.test"})
    link = link_in(mail.outbox[0].body)
    choose_password(client, link)
    response = client.get(link, follow=True)
    assert "This link does not work" in response.content.decode()


def test_a_reset_for_an_unknown_address_looks_the_same_and_offers_no_sign_up(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "there is no account for this email address" in body
    assert "signup" not in body
    assert reverse("account_signup") not in body


def test_a_new_password_must_meet_the_rules(client):
    UserFactory(email="pat@example.test")
    client.post(reverse("account_reset_password"), {"email": "pat@example.test"})
    response = choose_password(client, link_in(mail.outbox[0].body), "short")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_password1"' in html


def test_person_invite_emails_a_set_password_link_that_works_end_to_end(
    client, personas, django_capture_on_commit_callbacks
):
    person = PersonFactory(organisation=personas.org, email="new.person@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        user = person_invite(actor=personas.admin.user, person=person)
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.test"]

    done = choose_password(client, link_in(message.body))
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    sign_in(client, "new.person@example.test", NEW_PASSWORD)
    assert is_signed_in(client)
    assert User.objects.get(email="new.person@example.test").people.get() == person
