from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.tests.helpers import is_signed_in, sign_in
from commonground.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    UserFactory(email="pat@example.test")
    response = sign_in(client, "pat@example.test")
    assert is_signed_in(client)
    return response


def test_the_session_cookie_lasts_only_until_the_browser_closes(signed_in):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_session_ends_after_the_idle_time_on_the_server(client, signed_in):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert client.session.get_expire_at_browser_close() is True
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 60 * 60


def test_the_next_request_after_the_idle_time_is_signed_out(client, signed_in):
    later = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("account_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not is_signed_in(client)


def test_each_request_moves_the_idle_time_on(client, signed_in):
    start = timezone.now()
    almost_idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 120)
    with time_machine.travel(start + almost_idle, tick=False):
        assert client.get(reverse("account_home")).status_code == 200
    with time_machine.travel(start + 2 * almost_idle, tick=False):
        assert client.get(reverse("account_home")).status_code == 200
    assert is_signed_in(client)
