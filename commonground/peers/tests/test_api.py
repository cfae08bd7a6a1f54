"""The peers API: the same rules as the pages, and malformed input refused by name."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from commonground.peers import services
from commonground.peers.models import Donation, GroupGuideline
from commonground.peers.tests.helpers import held_session, session

pytestmark = pytest.mark.django_db


def base(personas, group):
    return f"/organisations/{personas.org.slug}/peers/groups/{group.pk}"


def fields(response):
    return [e["field"] for e in json.loads(response.content)["errors"]]


def test_PSP_5_guidelines_api_access_per_persona(api, personas, group):
    services.guideline_propose(
        actor=personas.party.user, group=group, topic="phones", text="Phones away."
    )
    path = base(personas, group) + "/guidelines"
    expected = {"party": 200, "supporter": 200, "admin": 200, "unrelated": 404, "other_org": 404}
    for who, status in expected.items():
        assert api.get(path, as_=who).status_code == status, who
    assert json.loads(api.get(path, as_="party").content)[0]["proposed_by"] is None
    assert json.loads(api.get(path, as_="supporter").content)[0]["proposed_by"]
    behaviour = f"/organisations/{personas.org.slug}/peers/guidelines"
    assert api.get(behaviour, as_="unrelated").status_code == 200
    assert api.get(behaviour, as_="other_org").status_code == 404


def test_PSP_5_propose_and_decide_through_the_api(api, personas, group):
    path = base(personas, group) + "/guidelines"
    response = api.post(path, {"topic": "lighting", "text": "Soft light."}, as_="party")
    assert response.status_code == 201
    gid = json.loads(response.content)["id"]
    decision = {"agreed": "yes", "decided_on": str(timezone.localdate()), "how_decided": "Round"}
    assert api.post(f"{path}/{gid}/decision", decision, as_="party").status_code == 403
    response = api.post(f"{path}/{gid}/decision", decision, as_="supporter")
    assert response.status_code == 200
    assert json.loads(response.content)["review_due_on"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topic": "weather", "text": "x"}, "topic"),
        ({"topic": "phones", "text": ""}, "text"),
        ({"topic": "phones", "text": 5}, "text"),
        ({"topic": "phones"}, "text"),
        ({"topic": "phones", "text": "x", "surprise": 1}, "surprise"),
    ],
)
def test_PSP_5_malformed_proposals_are_refused_by_name(api, personas, group, body, field):
    response = api.post(base(personas, group) + "/guidelines", body, as_="party")
    assert response.status_code == 400 and field in fields(response)
    assert not GroupGuideline.objects.exists()


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "99999999999999999999"])
def test_PSP_5_bad_ids_are_refused(api, personas, group, bad):
    response = api.get(f"/organisations/{personas.org.slug}/peers/groups/{bad}/guidelines")
    assert response.status_code in (400, 404)
    assert json.loads(response.content)["errors"]


def test_PSP_5_bad_decision_dates_and_types(api, personas, group):
    g = services.guideline_propose(
        actor=personas.party.user, group=group, topic="phones", text="Phones away."
    )
    path = base(personas, group) + f"/guidelines/{g.pk}/decision"
    for body, field in (
        ({"agreed": True, "decided_on": str(timezone.localdate()), "how_decided": "x"}, "agreed"),
        ({"agreed": "yes", "decided_on": "2026-02-30", "how_decided": "x"}, "decided_on"),
        ({"agreed": "yes", "decided_on": "tomorrow", "how_decided": "x"}, "decided_on"),
        (
            {
                "agreed": "yes",
                "decided_on": str(timezone.localdate() + dt.timedelta(days=3)),
                "how_decided": "x",
            },
            "decided_on",
        ),
        (
            {
                "agreed": "yes",
                "decided_on": str(timezone.localdate()),
                "how_decided": "x",
                "session_id": 999999,
            },
            "session_id",
        ),
    ):
        response = api.post(path, body, as_="supporter")
        assert response.status_code == 400 and field in fields(response), body
    g.refresh_from_db()
    assert g.state == "proposed"


def test_PSP_10_apologies_and_absences_through_the_api(api, personas, group):
    held_session(personas, group, 1, {personas.party.pk: "absent"})
    absences = base(personas, group) + "/absences"
    assert api.get(absences, as_="party").status_code == 403
    body = json.loads(api.get(absences, as_="supporter").content)
    row = next(r for r in body["items"] if r["person_id"] == personas.party.pk)
    assert row["absences_in_a_row"] == 1 and body["seek_news_after_absences"] == 3
    meeting = session(personas, group, when=timezone.now() + dt.timedelta(days=2))
    path = base(personas, group) + f"/sessions/{meeting.pk}/apologies"
    assert api.post(path, {}, as_="party").status_code == 200
    response = api.post(
        path, {"person_id": personas.party.pk, "received_by": "carrier pigeon"}, as_="supporter"
    )
    assert response.status_code == 400 and "received_by" in fields(response)
    response = api.post(
        path, {"person_id": personas.party.pk, "received_by": "phone call"}, as_="supporter"
    )
    assert json.loads(response.content)["received_by"] == "phone call"
    assert api.post(path, {}, as_="unrelated").status_code == 404


def test_PSP_12_donations_api_admin_only_and_malformed(api, personas, group):
    path = f"/organisations/{personas.org.slug}/peers/donations"
    good = {"amount_pence": 500, "received_on": str(timezone.localdate()), "anonymous": "yes"}
    assert api.post(path, good, as_="supporter").status_code == 403
    assert api.get(path, as_="party").status_code == 403
    for bad, field in (
        ({**good, "amount_pence": 0}, "amount_pence"),
        ({**good, "amount_pence": "500"}, "amount_pence"),
        ({**good, "amount_pence": 1.5}, "amount_pence"),
        ({**good, "received_on": "31/12/2025"}, "received_on"),
        ({**good, "gift_aid": "yes"}, "gift_aid"),
        ({**good, "gift_aid": True}, "gift_aid"),
        ({**good, "anonymous": True}, "anonymous"),
        ({"received_on": str(timezone.localdate())}, "amount_pence"),
    ):
        response = api.post(path, bad, as_="admin")
        assert response.status_code == 400 and field in fields(response), bad
    assert not Donation.objects.exists()
    assert api.post(path, good, as_="admin").status_code == 201
    assert json.loads(api.get(path).content)["months"][0]["total_pence"] == 500
