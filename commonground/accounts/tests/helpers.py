"""Small helpers shared by the account tests."""

from __future__ import annotations

import re
import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.test import Client
from django.urls import reverse

from commonground.testing.factories import PASSWORD


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def totp_code(user: Any, at: float | None = None) -> str:
    """The code the person's authenticator app would show now."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))


def sign_in_with_code(client: Client, user: Any, password: str = PASSWORD) -> Any:
    response = sign_in(client, user.email, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})


def link_in(body: str) -> str:
    """The first link in an email body, as a path on this site."""
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
