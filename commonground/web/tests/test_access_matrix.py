"""Every page, tried as every standing persona.

The matrix names each page's expected status for: a signed-out visitor, the party (the person
the records are about), a supporter with need to know, the admin, an unrelated member of the
same organisation and a member of another organisation. A page added without a row here fails
`test_every_page_is_in_the_matrix`, so nothing ships without its access rules being shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commonground.accounts.services import api_token_create
from commonground.audit.models import AuditEntry
from commonground.web.tests.access_extensions import modules
from commonground.web.tests.access_rows_base import PERSONAS, SIGN_IN, row
from commonground.web.tests.access_world import World, make_world

pytestmark = pytest.mark.django_db

# Pages that are not about any organisation's records: sign-in and password pages (allauth),
# the JSON API (tried persona by persona in commonground/api/tests), health check.
OUTSIDE = ("accounts/", "api/", "healthz")

MATRIX: dict[str, dict[str, int]] = {
    # Own account pages: for whoever is signed in, about themselves only.
    "dashboard": row(SIGN_IN, 200, 200, 200, 200, 200),
    "account_home": row(SIGN_IN, 200, 200, 200, 200, 200),
    "token_list": row(SIGN_IN, 200, 200, 200, 200, 200),
    # Revoking is POST only (another person's token is a 404 there: accounts/tests/test_tokens).
    "token_revoke": row(SIGN_IN, 405, 405, 405, 405, 405),
    # The organisation: its own people only; the other organisation's member gets 404.
    "organisation_home": row(SIGN_IN, 200, 200, 200, 200, 404),
    "organisation_settings": row(SIGN_IN, 403, 403, 200, 403, 404),
    "audit_log": row(SIGN_IN, 403, 403, 200, 403, 404),
    "policies:policy_rules": row(SIGN_IN, 200, 200, 200, 200, 404),
    "policies:policy_rule": row(SIGN_IN, 200, 200, 200, 200, 404),
    # Deadlines: the list shows each person only their own; a deadline itself is for the one
    # who acts on it (supporter) and who oversees it (admin).
    "obligations:obligation_list": row(SIGN_IN, 200, 200, 200, 200, 404),
    "obligations:obligation_detail": row(SIGN_IN, 404, 200, 200, 404, 404),
    # People: the directory is for those who coordinate people; a person's page for them,
    # coordinators and the admin; confidential details for them and the admin only.
    "people:person_list": row(SIGN_IN, 403, 200, 200, 403, 404),
    "people:people_export": row(SIGN_IN, 403, 403, 200, 403, 404),
    "people:person_create": row(SIGN_IN, 403, 403, 200, 403, 404),
    "people:my_details": row(SIGN_IN, 302, 302, 302, 302, 404),
    "people:person_detail": row(SIGN_IN, 200, 200, 200, 404, 404),
    "people:person_confidential": row(SIGN_IN, 200, 404, 200, 404, 404),
    # Those who may see the details anyway are sent to the ordinary page.
    "people:person_break_glass": row(SIGN_IN, 302, 404, 302, 404, 404),
    "people:person_edit": row(SIGN_IN, 200, 403, 200, 404, 404),
    "people:membership_change": row(SIGN_IN, 403, 403, 200, 404, 404),
    "people:person_invite": row(SIGN_IN, 403, 403, 200, 404, 404),
    "people:role_assign": row(SIGN_IN, 403, 403, 200, 404, 404),
    "people:role_end": row(SIGN_IN, 403, 403, 200, 404, 404),
    "people:qualification_add": row(SIGN_IN, 403, 403, 200, 404, 404),
    "people:qualification_edit": row(SIGN_IN, 403, 403, 200, 404, 404),
    "people:qualification_remove": row(SIGN_IN, 403, 403, 200, 404, 404),
    # Agreements: the parties (the party signs; the supporter helps run it) and the admin.
    "agreements:agreement_list": row(SIGN_IN, 200, 200, 200, 200, 404),
    "agreements:agreement_create": row(SIGN_IN, 403, 403, 200, 403, 404),
    "agreements:agreement_detail": row(SIGN_IN, 200, 200, 200, 404, 404),
    "agreements:agreement_print": row(SIGN_IN, 200, 200, 200, 404, 404),
    "agreements:agreement_pdf": row(SIGN_IN, 200, 200, 200, 404, 404),
    "agreements:agreement_edit": row(SIGN_IN, 403, 200, 200, 404, 404),
    "agreements:party_add": row(SIGN_IN, 403, 200, 200, 404, 404),
    "agreements:breach_record": row(SIGN_IN, 403, 200, 200, 404, 404),
    "agreements:review_start": row(SIGN_IN, 403, 200, 200, 404, 404),
    "agreements:review_record": row(SIGN_IN, 403, 200, 200, 404, 404),
    "agreements:agreement_end": row(SIGN_IN, 403, 200, 200, 404, 404),
    # Signing and noting a disagreement are POST only, by a party for themselves.
    "agreements:agreement_sign": row(SIGN_IN, 405, 405, 405, 405, 405),
    "agreements:agreement_disagree": row(SIGN_IN, 405, 405, 405, 405, 405),
    # Meetings: the facilitator (supporter) and the admin run it; the party attends. The place
    # is confidential and the notes are for facilitators and the admin (meetings/tests).
    "meetings:meeting_list": row(SIGN_IN, 200, 200, 200, 200, 404),
    "meetings:meeting_create": row(SIGN_IN, 403, 200, 200, 403, 404),
    "meetings:calendar_settings": row(SIGN_IN, 200, 200, 200, 200, 404),
    # The private feed address is its own credential (revoked: 404, in meetings/tests).
    "meetings:calendar_feed": row(200, 200, 200, 200, 200, 200),
    "meetings:meeting_detail": row(SIGN_IN, 200, 200, 200, 404, 404),
    "meetings:meeting_ics": row(SIGN_IN, 200, 200, 200, 404, 404),
    "meetings:meeting_edit": row(SIGN_IN, 403, 200, 200, 404, 404),
    "meetings:meeting_invite": row(SIGN_IN, 403, 200, 200, 404, 404),
    "meetings:meeting_apologies": row(SIGN_IN, 200, 200, 403, 404, 404),
    "meetings:meeting_attendance": row(SIGN_IN, 403, 200, 200, 404, 404),
    "meetings:meeting_notes": row(SIGN_IN, 404, 200, 200, 404, 404),
    "meetings:meeting_cancel": row(SIGN_IN, 403, 200, 200, 404, 404),
    # Notifications: each person's own messages; the letter queue is the admin's.
    "notifications:inbox": row(SIGN_IN, 200, 200, 200, 200, 200),
    "notifications:preferences": row(SIGN_IN, 200, 200, 200, 200, 200),
    "notifications:detail": row(SIGN_IN, 200, 404, 404, 404, 404),
    "notifications:read": row(SIGN_IN, 405, 405, 405, 405, 405),
    "notifications:read_all": row(SIGN_IN, 405, 405, 405, 405, 405),
    "notifications:letter_queue": row(SIGN_IN, 403, 403, 200, 403, 404),
    "notifications:letters_print": row(SIGN_IN, 403, 403, 200, 403, 404),
    "notifications:letter_print": row(SIGN_IN, 403, 403, 200, 403, 404),
    "notifications:letter_posted": row(SIGN_IN, 405, 405, 405, 405, 405),
}
# Rows from the apps' own tests/access_rows.py (see access_extensions.py).
for _module in modules():
    MATRIX.update(_module.ROWS)


def _walk(patterns: list[Any], prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = ns + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), ns + (pattern.name or "")


def pages() -> dict[str, str]:
    return {
        name: route
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith(OUTSIDE)
    }


def test_every_page_is_in_the_matrix() -> None:
    assert set(pages()) == set(MATRIX)


def _url(world: World, name: str) -> str:
    route = pages()[name]
    if name == "token_revoke":
        token, _ = api_token_create(actor=world.p.party.user, user=world.p.party.user, name="t")
        return reverse(name, kwargs={"pk": token.pk})
    kwargs = world.kwargs(name)
    if "<slug:org>" not in route:
        kwargs.pop("org")
    return reverse(name, kwargs=kwargs)


def _as(client: Client, world: World, persona: str) -> None:
    client.logout()
    if persona != "anon":
        client.force_login(getattr(world.p, persona).user)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_page_answers_each_persona_as_the_rules_say_and_refused_posts_change_nothing(
    client: Client, name: str
) -> None:
    # One world per page for both checks: building it is most of the test's time.
    world = make_world()
    url = _url(world, name)
    seen = {}
    for persona in PERSONAS:
        _as(client, world, persona)
        seen[persona] = client.get(url).status_code
    assert seen == MATRIX[name]
    refused = [
        p
        for p in PERSONAS
        if MATRIX[name][p] in (302, 403, 404) and (p == "anon" or MATRIX[name][p] != 302)
    ]
    if MATRIX[name]["unrelated"] == 405:  # POST-only: outsiders must still be refused there
        refused += ["unrelated", "other_org"]
    before = AuditEntry.objects.count()
    for persona in refused:
        _as(client, world, persona)
        response = client.post(
            url, {"reason": "x", "name": "x", "full_name": "x", "status": "left"}
        )
        assert response.status_code in (302, 403, 404, 405), (persona, response.status_code)
        if persona == "anon":
            assert "/accounts/login/" in response["Location"]
    assert AuditEntry.objects.count() == before
