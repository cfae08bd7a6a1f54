"""Logins and API tokens."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import ApiToken, hash_token
from commonground.audit.models import AuditEntry
from commonground.audit.services import audit_change


def set_password_url(user: Any) -> str:
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    return settings.SITE_URL.rstrip("/") + path


def send_set_password_email(user: Any) -> None:
    context = {"url": set_password_url(user), "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"[{settings.SITE_NAME}] Your login",
        message=render_to_string("accounts/email/invite.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def api_token_create(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """Make a personal API token for `user`. Returns the record and the token, shown once.

    `actor` is the owner, or None for the installation's operator at the command line.
    """
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied("A personal token can be made only by its owner.")
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            {
                "name": ValidationError(
                    "Name the token so you can tell it apart later.", code="required"
                )
            }
        )
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            token_hash=hash_token(raw),
            display_prefix=raw[: ApiToken.DISPLAY_LENGTH],
        )
        audit_change(
            actor=actor,
            organisation=None,
            instance=token,
            action=AuditEntry.Action.CREATE,
            changes={"name": [None, token.name], "user": [None, user.email]},
            summary="API token created" if actor else "API token created at the command line",
        )
    return token, raw


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once. `actor` is the owner, or None for the operator's command line."""
    if actor is not None and actor.pk != token.user_id:
        raise PermissionDenied("Only the token's owner can revoke it.")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_change(
                actor=actor,
                organisation=None,
                instance=token,
                action=AuditEntry.Action.UPDATE,
                changes={"revoked_at": [None, token.revoked_at]},
                summary="API token revoked" if actor else "API token revoked at the command line",
            )
    return token


def api_token_authenticate(raw: str) -> Any:
    """The live token's user for a bearer token, or None. Notes when the token was last used."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
