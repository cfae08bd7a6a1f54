from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonground.accounts.models import ApiToken, hash_token
from commonground.accounts.services import api_token_authenticate
from commonground.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_prints_one_working_token():
    user = UserFactory(email="ops@example.test")
    raw = run("create", "ops@example.test", "--name", "Nightly export")
    assert "\n" not in raw
    assert api_token_authenticate(raw) == user
    token = ApiToken.objects.get(user=user)
    assert token.name == "Nightly export"
    assert token.token_hash == hash_token(raw)


def test_create_finds_the_login_whatever_the_case():
    user = UserFactory(email="ops@example.test")
    assert api_token_authenticate(run("create", "OPS@example.test")) == user


def test_create_fails_cleanly_for_an_unknown_email():
    with pytest.raises(CommandError, match=r"No login has the email address nobody@example\.test"):
        run("create", "nobody@example.test")
    assert not ApiToken.objects.exists()


def test_create_refuses_a_switched_off_login():
    UserFactory(email="gone@example.test", is_active=False)
    with pytest.raises(CommandError, match="switched off"):
        run("create", "gone@example.test")


def test_an_unknown_email_exits_non_zero_from_the_command_line():
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["commonground", "token", "create", "nobody@example.test"])
    with pytest.raises(SystemExit) as exit_info:
        utility.execute()
    assert exit_info.value.code != 0


def test_list_shows_prefixes_never_tokens():
    UserFactory(email="ops@example.test")
    raw = run("create", "ops@example.test", "--name", "Export")
    listing = run("list", "ops@example.test")
    assert raw[:10] in listing
    assert raw not in listing
    assert "Export" in listing and "live" in listing


def test_revoke_by_prefix_stops_the_token():
    UserFactory(email="ops@example.test")
    raw = run("create", "ops@example.test")
    assert "Revoked" in run("revoke", raw[:10])
    assert api_token_authenticate(raw) is None
    with pytest.raises(CommandError, match="No live token"):
        run("revoke", raw[:10])


def test_revoke_by_whole_token():
    UserFactory(email="ops@example.test")
    raw = run("create", "ops@example.test")
    run("revoke", raw)
    assert api_token_authenticate(raw) is None


def test_revoke_needs_enough_of_the_prefix():
    with pytest.raises(CommandError, match="at least"):
        run("revoke", "cg_")
