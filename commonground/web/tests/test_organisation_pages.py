from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.people.models import Organisation
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _status(
    client: Client, personas: Personas, url: str, method: str = "get", data: dict | None = None
) -> dict[str, int]:
    result = {}
    for name, person in personas.all().items():
        client.force_login(person.user)
        response = getattr(client, method)(url, data or {})
        result[name] = response.status_code
    return result


def test_organisation_home_is_for_its_own_people_only(client: Client, personas: Personas) -> None:
    url = reverse("organisation_home", kwargs={"org": personas.org.slug})
    assert _status(client, personas, url) == {
        "party": 200,
        "supporter": 200,
        "admin": 200,
        "unrelated": 200,
        "other_org": 404,
    }


def test_an_unknown_organisation_is_a_404(client: Client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    assert (
        client.get(reverse("organisation_home", kwargs={"org": "no-such-org"})).status_code == 404
    )


def test_settings_are_for_the_admin_only(client: Client, personas: Personas) -> None:
    url = reverse("organisation_settings", kwargs={"org": personas.org.slug})
    assert _status(client, personas, url) == {
        "party": 403,
        "supporter": 403,
        "admin": 200,
        "unrelated": 403,
        "other_org": 404,
    }


def test_the_admin_changes_the_settings_with_an_audit_entry(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    url = reverse("organisation_settings", kwargs={"org": personas.org.slug})
    response = client.post(
        url,
        {
            "name": "Riverside Co-op",
            "kind": "housing_coop",
            "contact_email": "office@riverside.test",
            "phone": "",
            "address": "",
            "description": "We live together.",
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=personas.org.pk).name == "Riverside Co-op"
    entry = AuditEntry.objects.filter(object_type="people.organisation").first()
    assert entry is not None and entry.changes["name"] == [
        "Riverside Housing Co-op",
        "Riverside Co-op",
    ]


def test_bad_settings_keep_what_was_typed_and_change_nothing(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    before = AuditEntry.objects.count()
    url = reverse("organisation_settings", kwargs={"org": personas.org.slug})
    response = client.post(
        url,
        {
            "name": "",
            "kind": "spaceship",
            "contact_email": "not-an-email",
            "description": "Kept text",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "Kept text" in body
    assert Organisation.objects.get(pk=personas.org.pk).name == "Riverside Housing Co-op"
    assert AuditEntry.objects.count() == before


def test_others_cannot_post_settings(client: Client, personas: Personas) -> None:
    url = reverse("organisation_settings", kwargs={"org": personas.org.slug})
    for name in ("party", "supporter", "unrelated", "other_org"):
        client.force_login(getattr(personas, name).user)
        response = client.post(url, {"name": "Hijacked", "kind": "other"})
        assert response.status_code == (404 if name == "other_org" else 403), name
    assert Organisation.objects.get(pk=personas.org.pk).name == "Riverside Housing Co-op"


def test_the_audit_log_is_for_the_admin_only(client: Client, personas: Personas) -> None:
    url = reverse("audit_log", kwargs={"org": personas.org.slug})
    assert _status(client, personas, url) == {
        "party": 403,
        "supporter": 403,
        "admin": 200,
        "unrelated": 403,
        "other_org": 404,
    }


def test_the_audit_log_shows_only_this_organisations_entries(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    other_ids = set(
        AuditEntry.objects.filter(organisation=personas.other).values_list("seq", flat=True)
    )
    shown = client.get(reverse("audit_log", kwargs={"org": personas.org.slug})).context["entries"]
    assert other_ids.isdisjoint({e.seq for e in shown})


def test_the_audit_log_filters_by_action_and_survives_bad_filters(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    url = reverse("audit_log", kwargs={"org": personas.org.slug})
    assert client.get(url, {"action": "break_glass"}).status_code == 200
    assert client.get(url, {"action": "nonsense", "page": "x"}).status_code == 200
    assert client.get(url, {"page": "99999"}).status_code == 200


def test_the_audit_log_runs_the_same_queries_however_long_it_is(
    client: Client, personas: Personas
) -> None:
    from commonground.audit.services import audit_record

    client.force_login(personas.admin.user)
    url = reverse("audit_log", kwargs={"org": personas.org.slug})
    client.get(url)  # warm the session and caches

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for i in range(60):
        audit_record(
            actor=personas.admin.user,
            organisation=personas.org,
            action="update",
            object_type="people.person",
            object_id=i,
            summary="x",
        )
    few = count()
    for i in range(120):
        audit_record(
            actor=personas.admin.user,
            organisation=personas.org,
            action="update",
            object_type="people.person",
            object_id=i,
            summary="x",
        )
    assert count() == few
