from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Logins are given by an organisation's admin (people → Give login), never self-made."""

    # allauth's messages, in the words the rest of the product uses.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or password is not right.",
        "too_many_login_attempts": (
            "Too many failed sign-in attempts. Wait a few minutes and try again, or reset "
            "your password."
        ),
        "enter_current_password": "Enter your current password.",
    }

    def is_open_for_signup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        return False
