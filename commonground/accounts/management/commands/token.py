"""Personal API tokens for administrators and scripts: `commonground token create EMAIL`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from commonground.accounts import selectors, services
from commonground.accounts.models import ApiToken, hash_token


class Command(BaseCommand):
    help = "Make, list or revoke a person's API tokens. `create` prints the token, once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="Make a token and print it (it is shown only once).")
        create.add_argument("email", help="The email address the person signs in with.")
        create.add_argument("--name", default="Command line", help="What the token is for.")
        listing = sub.add_parser(
            "list", help="List a person's tokens (never the tokens themselves)."
        )
        listing.add_argument("email")
        revoke = sub.add_parser("revoke", help="Revoke the live token that starts with PREFIX.")
        revoke.add_argument("prefix", help="The first characters of the token, as `list` shows.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self.create(options["email"], options["name"])
        elif action == "list":
            self.list(options["email"])
        else:
            self.revoke(options["prefix"])

    def _user(self, email: str) -> Any:
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No login has the email address {email}.")
        if not user.is_active:
            raise CommandError(f"The login {email} is switched off.")
        return user

    def create(self, email: str, name: str) -> None:
        user = self._user(email)
        try:
            _token, raw = services.api_token_create(actor=None, user=user, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        # Only the token on stdout, so a script can capture it; the note goes to stderr.
        self.stderr.write(f"Token made for {user.email}. It is shown only this once.")
        self.stdout.write(raw)

    def list(self, email: str) -> None:
        user = self._user(email)
        for token in selectors.api_tokens_of(user):
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "live"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
            self.stdout.write(f"{token.display_prefix}\t{token.name}\t{state}\t{used}")

    def revoke(self, prefix: str) -> None:
        prefix = prefix.strip().rstrip("…")
        live = ApiToken.objects.filter(revoked_at__isnull=True).select_related("user")
        if len(prefix) > ApiToken.DISPLAY_LENGTH:
            # A whole token: find it by its hash.
            tokens = list(live.filter(token_hash=hash_token(prefix)))
        elif len(prefix) < len(ApiToken.PREFIX) + 4:
            raise CommandError(f"Give at least the first {len(ApiToken.PREFIX) + 4} characters.")
        else:
            tokens = list(live.filter(display_prefix__startswith=prefix))
        if not tokens:
            raise CommandError(f"No live token starts with {prefix}.")
        if len(tokens) > 1:
            raise CommandError(f"{len(tokens)} live tokens start with {prefix}; give more of it.")
        token = services.api_token_revoke(actor=None, token=tokens[0])
        self.stdout.write(f"Revoked {token.display_prefix}… ({token.name}) of {token.user.email}.")
