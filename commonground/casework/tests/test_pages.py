"""The case pages as each person sees them, bad input, and list query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.casework import services
from commonground.casework.models import Case, CaseSupporter
from commonground.casework.tests.conftest import Setup, with_pair
from commonground.testing.factories import person_with_login

pytestmark = pytest.mark.django_db


def url(s: Setup, name: str = "case_detail", **kw: object) -> str:
    return reverse(f"casework:{name}", kwargs={"org": s.p.org.slug, "pk": s.case.pk, **kw})


def get(client: Client, person: object, address: str) -> int:
    client.force_login(person.user)  # type: ignore[attr-defined]
    return client.get(address).status_code


def test_a_party_sees_their_case_but_not_the_other_partys_conversation_or_the_notes(
    client: Client, setup: Setup
) -> None:
    case = with_pair(setup)
    services.note_write(actor=setup.sw1.user, case=case, text="Health detail XYZZY")
    services.initial_conversation_record(actor=setup.sw1.user, case=case, held_at=timezone.now())
    services.path_choose(actor=setup.sw1.user, case=case, path="facilitated")
    other = case.parties.get(person=setup.neighbour)
    services.individual_conversation_record(
        actor=setup.sw1.user, case=case, party=other, held_at=timezone.now()
    )
    client.force_login(setup.p.party.user)
    page = client.get(url(setup)).content.decode()
    assert "Noise between flats" in page and "Initial conversation" in page
    assert f"Individual conversation with {other.alias}" not in page
    assert "XYZZY" not in page and "Confidential note" not in page
    assert client.get(url(setup, "case_notes")).status_code == 404


def test_the_pair_sees_everything_and_the_notes(client: Client, setup: Setup) -> None:
    with_pair(setup)
    assert get(client, setup.sw1, url(setup)) == 200
    assert get(client, setup.sw1, url(setup, "case_notes")) == 200


def test_another_sw_member_sees_only_that_the_case_exists(client: Client, setup: Setup) -> None:
    with_pair(setup)
    client.force_login(setup.other_sw.user)
    page = client.get(url(setup)).content.decode()
    assert setup.case.reference in page and "Ada Pair" in page
    assert "Noise between flats" not in page
    assert client.get(url(setup, "case_notes")).status_code == 404
    assert client.get(url(setup, "case_screening")).status_code == 404


def test_unrelated_members_and_other_organisations_get_404(client: Client, setup: Setup) -> None:
    assert get(client, setup.p.unrelated, url(setup)) == 404
    assert get(client, setup.p.other_org, url(setup)) == 404


def test_an_external_facilitator_sees_only_this_case_until_their_end_date(
    client: Client, setup: Setup
) -> None:
    external = person_with_login(setup.p.org, full_name="Eve External")
    row = services.supporter_assign(
        actor=setup.p.admin.user,
        case=setup.case,
        person=external,
        role=CaseSupporter.Role.EXTERNAL,
        ends_on=timezone.localdate() + dt.timedelta(days=10),
    )
    assert get(client, external, url(setup)) == 200
    other_case = services.case_request(
        actor=setup.p.unrelated.user,
        organisation=setup.p.org,
        title="Other",
        parties=[setup.neighbour],
    )
    assert (
        get(
            client,
            external,
            reverse("casework:case_detail", kwargs={"org": setup.p.org.slug, "pk": other_case.pk}),
        )
        == 404
    )
    CaseSupporter.objects.filter(pk=row.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=20),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert get(client, external, url(setup)) == 404


def test_bad_input_keeps_what_was_typed_and_writes_nothing(client: Client, setup: Setup) -> None:
    client.force_login(setup.p.party.user)
    before = (Case.objects.count(), AuditEntry.objects.count())
    response = client.post(
        reverse("casework:case_request", kwargs={"org": setup.p.org.slug}),
        {"title": "Typed title kept", "summary": "Typed summary kept"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Typed title kept" in page and "Typed summary kept" in page and "There is a problem" in page
    )
    assert (Case.objects.count(), AuditEntry.objects.count()) == before


def test_a_refusal_from_a_rule_shows_on_the_field(client: Client, setup: Setup) -> None:
    untrained = person_with_login(setup.p.org, "sw_member", full_name="Una Untrained")
    client.force_login(setup.p.admin.user)
    before = AuditEntry.objects.count()
    response = client.post(
        url(setup, "supporter_assign"), {"person": untrained.pk, "role": "facilitator"}
    )
    assert response.status_code == 200
    assert "introductory course" in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_the_case_list_takes_the_same_queries_however_many_cases(
    client: Client, setup: Setup
) -> None:
    with_pair(setup)
    client.force_login(setup.p.admin.user)
    address = reverse("casework:case_list", kwargs={"org": setup.p.org.slug}) + "?show=all"
    client.get(address)
    with CaptureQueriesContext(connection) as few:
        assert client.get(address).status_code == 200
    for i in range(5):
        case = services.case_request(
            actor=setup.p.admin.user,
            organisation=setup.p.org,
            title=f"Case {i}",
            parties=[setup.neighbour],
            requested_by=setup.p.unrelated,
        )
        services.supporter_assign(
            actor=setup.p.admin.user, case=case, person=setup.other_sw, role="facilitator"
        ) if i == 0 else None
    with CaptureQueriesContext(connection) as many:
        assert client.get(address).status_code == 200
    assert len(many) == len(few)


def test_the_whole_path_through_the_pages(client: Client, setup: Setup) -> None:
    case = with_pair(setup)
    client.force_login(setup.sw1.user)
    now = f"{timezone.localtime() - dt.timedelta(minutes=5):%Y-%m-%dT%H:%M}"
    assert client.post(url(setup, "initial_conversation"), {"held_at": now}).status_code == 302
    assert client.post(url(setup, "path_choose"), {"path": "facilitated"}).status_code == 302
    for party in case.parties.all():
        r = client.post(url(setup, "individual_conversation"), {"party": party.pk, "held_at": now})
        assert r.status_code == 302
    assert client.post(url(setup, "group_meeting_held"), {"held_at": now}).status_code == 302
    r = client.post(
        url(setup, "shared_agreement"), {"title": "Quiet", "agreements": "Quiet after 11."}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.stage == Case.Stage.GROUP_MEETING
    assert client.get(url(setup)).status_code == 200


def test_ASH_12_the_request_summary_is_read_only_by_the_supporters_and_each_read_is_audited(
    client: Client, setup: Setup
) -> None:
    case = with_pair(setup)
    case.summary = "Noise at night from flat 4; the member has a health condition."
    case.save(update_fields=["summary"])
    reads = AuditEntry.objects.filter(action="read", object_id=str(case.pk))
    before = reads.count()
    client.force_login(setup.sw1.user)
    assert "health condition" in client.get(url(setup, "case_notes")).content.decode()
    assert reads.count() == before + 1
    for outsider in (setup.p.party, setup.p.admin, setup.other_sw):
        client.force_login(outsider.user)
        response = client.get(url(setup, "case_notes"))
        assert response.status_code == 404
        assert "health condition" not in client.get(url(setup)).content.decode()


def test_ASH_19_a_supporter_is_ended_early_from_the_case_page_with_a_reason(
    client: Client, setup: Setup
) -> None:
    case = with_pair(setup)
    row = case.supporters.get(person=setup.sw2)
    address = url(setup, "supporter_end", supporter_pk=row.pk)
    client.force_login(setup.sw1.user)
    page = client.get(url(setup))
    assert address in page.content.decode()
    before = AuditEntry.objects.count()
    refused = client.post(address, {"reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert AuditEntry.objects.count() == before
    response = client.post(address, {"reason": "Stepping back for a while."})
    assert response.status_code == 302
    row.refresh_from_db()
    assert not row.is_current()
    entry = AuditEntry.objects.latest("pk")
    assert entry.reason == "Stepping back for a while."
    assert "no longer supports" in entry.summary
    # Once ended, there is no such current supporter.
    assert client.get(address).status_code == 404
    client.force_login(setup.p.party.user)
    assert client.get(address).status_code == 403
