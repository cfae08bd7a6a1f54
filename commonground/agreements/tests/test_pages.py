from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonground.agreements import services
from commonground.agreements.kinds import Kind, PartyRole
from commonground.agreements.models import Agreement, Disagreement, Signature
from commonground.agreements.tests.conftest import SHARED_TERMS, World, sign_all
from commonground.audit.models import AuditEntry
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

# The party and the supporter are in the agreement; the admin sees all; nobody else may know
# it exists.
SEES = {"party": 200, "supporter": 200, "admin": 200, "unrelated": 404, "other_org": 404}
RUNS = {"party": 403, "supporter": 200, "admin": 200, "unrelated": 404, "other_org": 404}


def _url(world: World, name: str) -> str:
    return reverse(f"agreements:{name}", kwargs={"org": "riverside", "pk": world.agreement.pk})


def _statuses(client: Client, personas: Personas, url: str) -> dict[str, int]:
    out = {}
    for name, person in personas.all().items():
        client.force_login(person.user)
        out[name] = client.get(url).status_code
    return out


@pytest.mark.parametrize("name", ["agreement_detail", "agreement_print", "agreement_pdf"])
def test_the_agreement_and_its_copies_are_for_its_parties_supporters_and_the_admin(
    client: Client, world: World, name: str
) -> None:
    assert _statuses(client, world.personas, _url(world, name)) == SEES


@pytest.mark.parametrize(
    "name", ["agreement_edit", "party_add", "breach_record", "review_record", "agreement_end"]
)
def test_the_forms_that_run_an_agreement_are_for_supporters_and_the_admin(
    client: Client, world: World, name: str
) -> None:
    assert _statuses(client, world.personas, _url(world, name)) == RUNS


def test_the_list_and_the_new_agreement_page_answer_each_persona(
    client: Client, world: World
) -> None:
    listing = reverse("agreements:agreement_list", kwargs={"org": "riverside"})
    assert _statuses(client, world.personas, listing) == {
        "party": 200,
        "supporter": 200,
        "admin": 200,
        "unrelated": 200,
        "other_org": 404,
    }
    create = reverse("agreements:agreement_create", kwargs={"org": "riverside"})
    assert _statuses(client, world.personas, create) == {
        "party": 403,
        "supporter": 403,
        "admin": 200,
        "unrelated": 403,
        "other_org": 404,
    }


def test_the_list_shows_only_ones_own_agreements_and_the_admin_can_see_every_one(
    client: Client, world: World
) -> None:
    listing = reverse("agreements:agreement_list", kwargs={"org": "riverside"})
    client.force_login(world.personas.party.user)
    body = client.get(listing).content.decode()
    assert "Kitchen agreement" in body and "Waiting for your signature" in body
    client.force_login(world.personas.unrelated.user)
    assert "Kitchen agreement" not in client.get(listing + "?show=all").content.decode()
    client.force_login(world.personas.admin.user)
    assert "Kitchen agreement" not in client.get(listing).content.decode()
    assert "Kitchen agreement" in client.get(listing + "?show=all").content.decode()


def test_the_list_runs_the_same_queries_for_few_and_many(client: Client, world: World) -> None:
    client.force_login(world.personas.party.user)
    url = reverse("agreements:agreement_list", kwargs={"org": "riverside"})
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(15):
        agreement = services.agreement_create(
            actor=world.admin,
            organisation=world.personas.org,
            kind=Kind.SHARED_AGREEMENT,
            title=f"Agreement {n}",
            sections=SHARED_TERMS,
            parties=[(world.personas.party, PartyRole.PARTY)],
        )
        if n % 2:
            sign_all(agreement)
    assert count() == few


def test_the_detail_page_shows_the_terms_who_signed_and_why_the_review_date(
    client: Client, world: World
) -> None:
    sign_all(world.agreement)
    client.force_login(world.personas.party.user)
    body = client.get(_url(world, "agreement_detail")).content.decode()
    assert "We keep the shared kitchen tidy by 10pm." in body
    assert body.count("<h1") == 1
    assert "ASH-6" in body and "1 month after the agreement was signed by everyone" in body
    assert "Sign version" not in body
    reads = AuditEntry.objects.filter(action="read", object_type="agreements.agreement")
    assert reads.filter(actor=world.personas.party.user).exists()


def test_a_party_signs_from_the_page_and_only_for_themselves(client: Client, world: World) -> None:
    client.force_login(world.personas.party.user)
    page = client.get(_url(world, "agreement_detail")).content.decode()
    assert "Sign version 1" in page
    response = client.post(_url(world, "agreement_sign"), {"version": 1})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not Signature.objects.exists()
    assert (
        client.post(_url(world, "agreement_sign"), {"version": 1, "confirm": "on"}).status_code
        == 302
    )
    signature = Signature.objects.get()
    assert signature.party.person == world.personas.party
    again = client.post(_url(world, "agreement_sign"), {"version": 1, "confirm": "on"})
    assert "signed version 1 already" in again.content.decode()
    # The admin is not a party: there is nobody for them to sign as.
    client.force_login(world.personas.admin.user)
    assert (
        client.post(_url(world, "agreement_sign"), {"version": 1, "confirm": "on"}).status_code
        == 403
    )
    client.force_login(world.personas.unrelated.user)
    assert (
        client.post(_url(world, "agreement_sign"), {"version": 1, "confirm": "on"}).status_code
        == 404
    )
    assert Signature.objects.count() == 1


def test_WCC_7_a_party_notes_a_disagreement_with_their_initials_from_the_page(
    client: Client, world: World
) -> None:
    client.force_login(world.personas.party.user)
    response = client.post(
        _url(world, "agreement_disagree"), {"version": 1, "text": "Too early", "initials": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and "Too early" in body
    assert not Disagreement.objects.exists()
    response = client.post(
        _url(world, "agreement_disagree"), {"version": 1, "text": "Too early", "initials": "PP"}
    )
    assert response.status_code == 302
    assert Disagreement.objects.get().initials == "PP"


def test_creating_an_agreement_keeps_what_was_typed_and_writes_nothing_when_refused(
    client: Client, world: World
) -> None:
    client.force_login(world.personas.admin.user)
    url = reverse("agreements:agreement_create", kwargs={"org": "riverside"})
    chooser = client.get(url).content.decode()
    assert "Buddy contract (BUD-4)" in chooser
    before = Agreement.objects.count()
    response = client.post(
        url + "?kind=buddy_contract",
        {"title": "Pat and Chris", "aim": "Cook together", "starts_on": "2030-01-01"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert 'value="Pat and Chris"' in body and "Cook together" in body
    assert Agreement.objects.count() == before
    response = client.post(
        url + "?kind=shared_agreement",
        {"title": "Garden agreement", "agreements": "Share the hose."},
    )
    assert response.status_code == 302
    assert Agreement.objects.filter(title="Garden agreement", state="draft").exists()


def test_changing_the_terms_from_the_page_makes_a_new_version(client: Client, world: World) -> None:
    sign_all(world.agreement)
    client.force_login(world.personas.supporter.user)
    form = client.get(_url(world, "agreement_edit")).content.decode()
    assert "We keep the shared kitchen tidy by 10pm." in form
    response = client.post(
        _url(world, "agreement_edit"),
        {"title": "Kitchen agreement", "agreements": "Tidy by 9pm.", "change_note": "Review"},
    )
    assert response.status_code == 302
    world.agreement.refresh_from_db()
    assert world.agreement.current_version.number == 2  # type: ignore[union-attr]
    assert world.agreement.state == Agreement.State.UNDER_REVIEW


def test_the_pdf_copy_is_a_pdf_and_its_download_is_audited(client: Client, world: World) -> None:
    sign_all(world.agreement)
    client.force_login(world.personas.party.user)
    response = client.get(_url(world, "agreement_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    export = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert export.actor == world.personas.party.user
    assert export.object_id == str(world.agreement.pk)
    client.force_login(world.personas.unrelated.user)
    assert client.get(_url(world, "agreement_pdf")).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 1


def test_the_printable_copy_has_a_print_stylesheet(client: Client, world: World) -> None:
    client.force_login(world.personas.party.user)
    body = client.get(_url(world, "agreement_print")).content.decode()
    assert 'media="print"' in body and "agreements/print" in body
    assert "We keep the shared kitchen tidy by 10pm." in body


def test_recording_a_breach_from_the_page_marks_the_agreement_broken(
    client: Client, world: World
) -> None:
    sign_all(world.agreement)
    client.force_login(world.personas.admin.user)
    response = client.post(_url(world, "breach_record"), {"occurred_on": "", "description": "x"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    response = client.post(
        _url(world, "breach_record"),
        {"occurred_on": "2020-01-01", "description": "Shouting in the kitchen"},
    )
    assert response.status_code == 302
    world.agreement.refresh_from_db()
    assert world.agreement.state == Agreement.State.BROKEN
    body = client.get(_url(world, "agreement_detail")).content.decode()
    assert "Shouting in the kitchen" in body
