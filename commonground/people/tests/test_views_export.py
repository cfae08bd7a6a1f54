from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.people.views import csv_safe
from commonground.testing.factories import PersonFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

URL = reverse("people:people_export", kwargs={"org": "riverside"})


def rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("party", 403), ("supporter", 403), ("admin", 200), ("unrelated", 403), ("other_org", 404)],
)
def test_each_persona_gets_the_right_answer_for_the_export(
    client, personas: Personas, persona: str, status: int
) -> None:
    client.force_login(personas.all()[persona].user)
    response = client.get(URL)
    assert response.status_code == status
    if status != 200:
        assert AuditEntry.objects.filter(action="export").count() == 0


def test_someone_signed_out_is_sent_to_sign_in(client, personas: Personas) -> None:
    assert client.get(URL).status_code == 302


def test_the_export_is_the_directory_without_contact_or_confidential_details(
    client, personas: Personas
) -> None:
    client.force_login(personas.admin.user)
    response = client.get(URL)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = rows(response)
    assert table[0][:5] == [
        "Full name",
        "Preferred name",
        "Pronouns",
        "Current roles",
        "Membership status",
    ]
    names = [row[0] for row in table[1:]]
    assert names == ["Alex Admin", "Pat Party", "Sam Supporter", "Uma Unrelated"]
    text = response.content.decode()
    assert "party@example.test" not in text
    assert "wheelchair" not in text
    assert "woman" not in text.lower()
    assert "Olu Other" not in text


def test_the_export_writes_an_audit_entry(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    client.get(URL)
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
    assert entry.actor == personas.admin.user
    assert entry.organisation == personas.org
    assert entry.changes["rows"] == 4


def test_the_export_follows_the_search(client, personas: Personas) -> None:
    client.force_login(personas.admin.user)
    response = client.get(URL + "?q=Supporter")
    assert [row[0] for row in rows(response)[1:]] == ["Sam Supporter"]
    entry = AuditEntry.objects.get(action="export")
    assert entry.changes["filters"]["search"] == "Supporter"


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_made_harmless(
    client, personas: Personas
) -> None:
    PersonFactory(
        organisation=personas.org,
        full_name='=HYPERLINK("http://evil.test","Click")',
        preferred_name="+1",
        pronouns="@them",
    )
    client.force_login(personas.admin.user)
    table = rows(client.get(URL))
    [row] = [r for r in table if "HYPERLINK" in r[0]]
    assert row[0].startswith("'=")
    assert row[1] == "'+1"
    assert row[2] == "'@them"


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("-2", "'-2"), ("+3", "'+3"), ("@x", "'@x"), ("Ann", "Ann"), ("", "")],
)
def test_csv_safe_prefixes_formula_starts(value: str, safe: str) -> None:
    assert csv_safe(value) == safe
