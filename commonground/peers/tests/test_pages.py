"""The peers pages: what each persona sees and can do, refusals that keep what was typed."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.groups.services import member_add
from commonground.obligations.models import Obligation
from commonground.peers import services
from commonground.peers.models import Donation, GroupGuideline
from commonground.peers.tests.helpers import held_session, session
from commonground.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def url(name, personas, **kw):
    return reverse(f"peers:{name}", kwargs={"org": personas.org.slug, **kw})


def test_PSP_5_member_proposes_from_the_page_and_members_do_not_see_who(client, personas, group):
    client.force_login(personas.party.user)
    page = url("guideline_propose", personas, group_id=group.pk)
    response = client.post(page, {"topic": "eating_drinking", "text": ""})
    assert response.status_code == 200 and b"aria-invalid" in response.content
    assert not GroupGuideline.objects.exists()
    response = client.post(page, {"topic": "eating_drinking", "text": "No crisps in rounds."})
    assert response.status_code == 302
    listing = url("group_guidelines", personas, group_id=group.pk)
    name = personas.party.display_name.encode()
    body = client.get(listing).content
    assert b"No crisps in rounds." in body and b"by " + name not in body
    client.force_login(personas.supporter.user)
    assert b"by " + name in client.get(listing).content


def test_PSP_5_facilitator_records_the_decision_and_the_review_date_shows(client, personas, group):
    guideline = services.guideline_propose(
        actor=personas.party.user, group=group, topic="lighting", text="Lamps, not the strip light."
    )
    client.force_login(personas.supporter.user)
    response = client.post(
        url("guideline_decide", personas, group_id=group.pk, pk=guideline.pk),
        {"agreed": "yes", "decided_on": timezone.localdate().isoformat(), "how_decided": "Round"},
    )
    assert response.status_code == 302
    body = client.get(url("group_guidelines", personas, group_id=group.pk)).content.decode()
    assert "Next review due" in body and "PSP-5" in body


def test_PSP_10_peer_sends_apologies_from_the_page(client, personas, group):
    meeting = session(personas, group)
    client.force_login(personas.party.user)
    response = client.post(
        url("apologies", personas, group_id=group.pk, meeting_id=meeting.pk), {"reason": ""}
    )
    assert response.status_code == 302
    assert meeting.participants.get(person=personas.party).status == "apologies"


def test_PSP_10_facilitator_records_a_text_message_on_a_peers_behalf(client, personas, group):
    meeting = session(personas, group)
    client.force_login(personas.supporter.user)
    page = url("apologies", personas, group_id=group.pk, meeting_id=meeting.pk)
    assert b"How they let you know" in client.get(page).content
    response = client.post(
        page, {"person": personas.party.pk, "received_by": "text message", "reason": ""}
    )
    assert response.status_code == 302
    row = meeting.participants.get(person=personas.party)
    assert row.apologies_received_by == "text message"


def test_PSP_10_absences_page_queries_do_not_grow_with_members(client, personas, group):
    held_session(personas, group, 1, {personas.party.pk: "absent"})
    client.force_login(personas.supporter.user)
    page = url("absences", personas, group_id=group.pk)
    with CaptureQueriesContext(connection) as one:
        assert client.get(page).status_code == 200
    for n in range(6):
        member_add(
            actor=personas.admin.user,
            group=group,
            person=PersonFactory(organisation=personas.org, full_name=f"Peer {n}"),
        )
    held_session(personas, group, 0, {personas.party.pk: "absent"})
    with CaptureQueriesContext(connection) as many:
        response = client.get(page)
    assert response.status_code == 200 and b"Peer 5" in response.content
    assert len(many) <= len(one) + 1


def test_PSP_10_news_page_meets_the_seek_news_action(client, personas, group):
    for weeks in (3, 2, 1):
        held_session(personas, group, weeks, {personas.party.pk: "absent"})
    client.force_login(personas.supporter.user)
    assert b"Due" in client.get(url("absences", personas, group_id=group.pk)).content
    response = client.post(
        url("news_record", personas, group_id=group.pk, person_id=personas.party.pk),
        {"outcome": "could_not_reach"},
    )
    assert response.status_code == 302
    assert Obligation.objects.get(rule_id="PSP-10").state == "met"


def test_PSP_11_eligibility_refusal_keeps_the_form(client, personas, group):
    client.force_login(personas.supporter.user)
    response = client.post(
        url("eligibility_record", personas, person_id=personas.party.pk),
        {"eligible": "no", "checked_on": timezone.localdate().isoformat(), "reason": "x"},
    )
    assert response.status_code == 200
    assert b"Only the organisation admin" in response.content


def test_PSP_12_membership_page_shows_the_policys_fee_and_joins_for_free(client, personas, group):
    client.force_login(personas.unrelated.user)
    page = url("membership", personas)
    body = client.get(page).content.decode()
    assert "£0.00" in body
    assert client.post(page, {}).status_code == 200
    assert client.post(page, {"supports_objects": "on"}).status_code == 302
    assert "You are a member" in client.get(page).content.decode()


def test_PSP_12_donations_export_is_audited_and_safe_from_formulas(client, personas, group):
    services.donation_record(
        actor=personas.admin.user,
        organisation=personas.org,
        amount_pence=1234,
        received_on=timezone.localdate(),
        donor_name='=HYPERLINK("x")',
        note="+1 from the raffle",
    )
    client.force_login(personas.admin.user)
    before = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    response = client.get(url("donations_export", personas))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][1] == "12.34"
    assert rows[1][2].startswith("'=") and rows[1][5].startswith("'+")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == before + 1


def test_PSP_12_donation_page_records_in_pence_and_totals_by_month(client, personas, group):
    client.force_login(personas.admin.user)
    response = client.post(
        url("donation_add", personas),
        {"amount": "20.50", "received_on": timezone.localdate().isoformat(), "anonymous": "on"},
    )
    assert response.status_code == 302
    assert Donation.objects.get().amount_pence == 2050
    body = client.get(url("donations", personas)).content.decode()
    assert "£20.50" in body
    with CaptureQueriesContext(connection) as one:
        client.get(url("donations", personas))
    for _ in range(5):
        services.donation_record(
            actor=personas.admin.user,
            organisation=personas.org,
            amount_pence=100,
            received_on=timezone.localdate(),
            anonymous=True,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url("donations", personas))
    assert len(many) == len(one)
