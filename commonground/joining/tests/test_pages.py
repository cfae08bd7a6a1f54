"""The way-in pages: the list's query count, the peer's own view, refusals naming the step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonground.joining import services
from commonground.joining.tests.conftest import attend_workshop, converse, whole_way
from commonground.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _url(name, w, **kw):
    return reverse(f"joining:{name}", kwargs={"org": w.p.org.slug, **kw})


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_way_in_list_takes_the_same_queries_for_one_or_many(way, client):
    client.force_login(way.p.supporter.user)
    url = _url("way_in", way)
    attend_workshop(way)
    converse(way)
    one = _count(client, url)
    for n in range(8):
        person = PersonFactory(organisation=way.p.org, full_name=f"Peer {n}")
        services.journey_enquire(actor=way.p.admin.user, organisation=way.p.org, person=person)
    many = _count(client, url)
    assert many == one
    page = client.get(url).content.decode()
    assert "Peer 7" in page and "Ash Ahmed" in page


def test_PSP_1_a_peer_sees_their_own_journey_without_other_peoples_details(way, client):
    attempt = converse(way)
    services.names_declare(actor=way.ash.user, attempt=attempt, names="Jo Bloggs")
    services.conflict_record(
        actor=way.p.supporter.user, attempt=attempt, member=way.member, source="declared"
    )
    client.force_login(way.ash.user)
    page = client.get(_url("mine", way)).content.decode()
    assert "My way into a group" in page
    assert "The facilitators will be in touch" in page
    assert "Joanne" not in page and "Bloggs" not in page and "agreement" not in page
    assert "Ready, they said" not in page  # the facilitators' note
    assert client.get(_url("name_check", way, pk=attempt.pk)).status_code == 403


def test_PSP_3_the_facilitator_sees_the_match_list(way, client):
    attempt = converse(way)
    services.names_declare(actor=way.ash.user, attempt=attempt, names="jo BLOGGS")
    client.force_login(way.p.supporter.user)
    page = client.get(_url("name_check", way, pk=attempt.pk)).content.decode()
    assert "could be <strong>Joanne Bloggs</strong>" in page


def test_PSP_2_join_one_step_early_shows_the_missing_step_and_keeps_the_form(way, client):
    attend_workshop(way)
    client.force_login(way.p.supporter.user)
    response = client.post(_url("join", way, pk=way.journey.pk), {"group": way.group.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "PSP-2: Ash Ahmed has not yet had an initial conversation" in page
    assert "PSP-3:" in page and "PSP-1:" not in page
    assert not way.group.members.filter(person=way.ash).exists()


def test_joining_through_the_page_after_the_whole_way(way, client):
    whole_way(way)
    client.force_login(way.second.user)
    response = client.post(_url("join", way, pk=way.journey.pk), {"group": way.group.pk})
    assert response.status_code == 302
    assert way.group.members.filter(person=way.ash, ends_on=None).count() == 1
    page = client.get(_url("journey", way, pk=way.journey.pk)).content.decode()
    assert "Member of Tuesday evening group" in page


def test_PSP_2_the_outcome_form_refuses_a_score(way, client):
    attempt, _ = services.conversation_arrange(
        actor=way.p.supporter.user,
        journey=way.journey,
        group=way.group,
        starts_at=timezone.now(),
        duration=dt.timedelta(minutes=40),
        mode="call",
        facilitators=way.facilitators,
    )
    client.force_login(way.p.supporter.user)
    response = client.post(_url("outcome", way, pk=attempt.pk), {"outcome": "8/10"})
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.outcome == ""
