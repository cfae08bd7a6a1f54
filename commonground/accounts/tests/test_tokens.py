from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.accounts.models import ApiToken, hash_token
from commonground.accounts.services import api_token_authenticate, api_token_create
from commonground.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST_URL = "/account/tokens/"


def test_the_urls_are_named():
    assert reverse("token_list") == LIST_URL
    assert reverse("token_revoke", kwargs={"pk": 7}) == "/account/tokens/7/revoke/"


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("token_revoke", kwargs={"pk": 1}))
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["party", "supporter", "admin", "unrelated", "other_org"])
def test_every_persona_sees_only_their_own_tokens(client, personas, who):
    for name, person in personas.all().items():
        api_token_create(actor=person.user, user=person.user, name=f"Token of {name}")
    client.force_login(getattr(personas, who).user)
    html = client.get(LIST_URL).content.decode()
    assert f"Token of {who}" in html
    for name in personas.all():
        if name != who:
            assert f"Token of {name}" not in html


def test_a_created_token_is_shown_once_and_only_its_hash_is_stored(client, personas):
    user = personas.party.user
    client.force_login(user)
    response = client.post(LIST_URL, {"name": "Spreadsheet import"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw_token"]
    assert raw.startswith("cg_")
    html = response.content.decode()
    assert raw in html
    assert html.count("<h1") == 1

    token = ApiToken.objects.get(user=user)
    assert token.name == "Spreadsheet import"
    assert token.token_hash == hash_token(raw)
    assert raw not in token.token_hash
    assert token.display_prefix == raw[:10]
    assert api_token_authenticate(raw) == user

    listing = client.get(LIST_URL).content.decode()
    assert "Spreadsheet import" in listing
    assert token.display_prefix in listing
    assert raw not in listing


def test_a_token_needs_a_name(client, personas):
    client.force_login(personas.party.user)
    response = client.post(LIST_URL, {"name": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'aria-invalid="true"' in html
    assert not ApiToken.objects.exists()


def test_making_a_token_is_audited(client, personas):
    client.force_login(personas.party.user)
    client.post(LIST_URL, {"name": "Script"})
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.summary == "API token created"
    assert entry.actor == personas.party.user


def test_revoke_stops_the_token_working(client, personas):
    user = personas.party.user
    token, raw = api_token_create(actor=user, user=user, name="Old script")
    client.force_login(user)
    response = client.post(reverse("token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(raw) is None
    listing = client.get(LIST_URL).content.decode()
    assert "Revoked" in listing
    assert "is revoked and no longer works" in listing


def test_revoke_needs_a_post(client, personas):
    user = personas.party.user
    token, _raw = api_token_create(actor=user, user=user, name="Script")
    client.force_login(user)
    assert client.get(reverse("token_revoke", kwargs={"pk": token.pk})).status_code == 405
    token.refresh_from_db()
    assert token.is_live


@pytest.mark.parametrize("who", ["supporter", "admin", "unrelated", "other_org"])
def test_someone_elses_token_is_not_found(client, personas, who):
    owner = personas.party.user
    token, raw = api_token_create(actor=owner, user=owner, name="Party's script")
    client.force_login(getattr(personas, who).user)
    response = client.post(reverse("token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_live
    assert api_token_authenticate(raw) == owner


def test_the_list_does_not_grow_queries_with_tokens(
    client, personas, django_assert_max_num_queries
):
    user = personas.party.user
    client.force_login(user)
    client.get(LIST_URL)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST_URL)
    for n in range(10):
        api_token_create(actor=user, user=user, name=f"Token {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST_URL)
