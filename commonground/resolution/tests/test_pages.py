"""The CRM pages as the party, a supporter, an S&W member, an unrelated member and another
organisation; bad input keeps what was typed and writes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.resolution import services
from commonground.resolution.models import CommunityResolutionMeeting
from commonground.resolution.tests.setup import CaseWorld
from commonground.testing.personas import Personas


def _url(cw: CaseWorld, name: str, **kwargs: int) -> str:
    return reverse(f"resolution:{name}", kwargs={"org": cw.org.slug, **kwargs})


def _crm(cw: CaseWorld) -> CommunityResolutionMeeting:
    return services.crm_call(
        actor=cw.supporter.user, case=cw.case, stuck_reason="S.", harm_reason="H."
    )


def test_ASH_7_the_call_page_shows_the_checklist_and_keeps_what_was_typed(
    client: Client, cw: CaseWorld
) -> None:
    client.force_login(cw.supporter.user)
    url = _url(cw, "crm_call", case_pk=cw.case.pk)
    page = client.get(url)
    assert page.status_code == 200 and b"no Shared Agreement was reached" in page.content
    before = AuditEntry.objects.count()
    response = client.post(url, {"stuck_reason": "Every tool tried.", "harm_reason": ""})
    assert response.status_code == 200
    assert b"Every tool tried." in response.content
    assert b"significant harm is happening" in response.content
    assert AuditEntry.objects.count() == before
    response = client.post(url, {"stuck_reason": "Every tool tried.", "harm_reason": "Distress."})
    assert response.status_code == 302
    assert CommunityResolutionMeeting.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("party", 200), ("supporter", 200), ("sw_member", 200), ("unrelated", 404), ("admin", 200)],
)
def test_the_crm_page_answers_each_person(
    client: Client, cw: CaseWorld, who: str, status: int
) -> None:
    crm = _crm(cw)
    client.force_login(getattr(cw, who).user)
    assert client.get(_url(cw, "crm_detail", pk=crm.pk)).status_code == status


def test_another_organisation_gets_404(client: Client, cw: CaseWorld, personas: Personas) -> None:
    crm = _crm(cw)
    client.force_login(personas.other_org.user)
    assert client.get(_url(cw, "crm_detail", pk=crm.pk)).status_code == 404


def test_ASH_12_notes_are_shown_only_to_the_supporters(client: Client, cw: CaseWorld) -> None:
    crm = _crm(cw)
    services.crm_write_notes(actor=cw.supporter.user, crm=crm, notes="Has asthma.")
    client.force_login(cw.supporter.user)
    assert b"Has asthma." in client.get(_url(cw, "crm_detail", pk=crm.pk)).content
    for who in ("party", "sw_member", "admin"):
        client.force_login(getattr(cw, who).user)
        assert b"Has asthma." not in client.get(_url(cw, "crm_detail", pk=crm.pk)).content
        assert client.get(_url(cw, "crm_notes", pk=crm.pk)).status_code == 403


def test_ASH_9_a_party_sees_only_their_own_private_contribution(
    client: Client, cw: CaseWorld
) -> None:
    crm = _crm(cw)
    a, b = crm.parties.order_by("case_party__alias")
    services.contribution_save(
        actor=cw.party.user, party=a, author=cw.party, needs="Sleep A.", requests="R."
    )
    services.contribution_save(
        actor=cw.other_party.user, party=b, author=cw.other_party, needs="Sleep B.", requests="R."
    )
    client.force_login(cw.party.user)
    page = client.get(_url(cw, "crm_detail", pk=crm.pk)).content
    assert b"Sleep A." in page and b"Sleep B." not in page
    assert client.get(_url(cw, "contribution_edit", pk=crm.pk, party_pk=b.pk)).status_code == 403
