"""Receivers for allauth's sign-in signals."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.http import HttpRequest

# A password typed this recently counts as confirming it is you.
FRESH_SECONDS = 60


def count_fresh_password_as_confirmation(request: HttpRequest, **kwargs: Any) -> None:
    """Someone who has just signed in with their password is not asked for it again at once.

    allauth asks for the password again before second-factor changes, even straight after
    signing in; a person whose role obliges them to set one up would be asked twice in a row.
    """
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    now = time.time()
    changed = False
    for record in records:
        if record.get("method") == "password" and now - record.get("at", 0) < FRESH_SECONDS:
            record["reauthenticated"] = True
            changed = True
    if changed:
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
