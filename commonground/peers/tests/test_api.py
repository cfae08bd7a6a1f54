"""The peers API: the same rules as the pages, and malformed input refused by name."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from commonground.groups.models import GroupMember
from commonground.peers import services
from commonground.peers.models import (
    CharityMember,
    Donation,
    EligibilityCheck,
    GroupGuideline,
    GuidelineReview,
    NewsRecord,
)
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


def errors(response):
    return [(e["field"], e["rule"]) for e in json.loads(response.content)["errors"]]


def _agreed(personas, group):
    g = services.guideline_propose(
        actor=personas.party.user, group=group, topic="phones", text="Phones away."
    )
    return services.guideline_decide(
        actor=personas.supporter.user,
        guideline=g,
        agreed=True,
        decided_on=timezone.localdate(),
        how_decided="Round",
    )


def test_PSP_5_review_a_guideline_through_the_api(api, personas, group):
    g = _agreed(personas, group)
    path = base(personas, group) + f"/guidelines/{g.pk}/review"
    today = str(timezone.localdate())
    body = {"outcome": "changed", "reviewed_on": today, "how_decided": "Round", "text": "Off."}
    expected = {"party": 403, "unrelated": 404, "other_org": 404}
    for who, status in expected.items():
        assert api.post(path, body, as_=who).status_code == status, who
    assert not GuidelineReview.objects.exists()
    response = api.post(path, body, as_="supporter")
    assert response.status_code == 200
    out = json.loads(response.content)
    assert out["outcome"] == "changed" and out["guideline"]["text"] == "Off."
    assert out["guideline"]["review_due_on"]
    retire = {"outcome": "retired", "reviewed_on": today, "how_decided": "Round"}
    out = json.loads(api.post(path, retire, as_="supporter").content)
    assert out["guideline"]["state"] == "retired" and out["guideline"]["review_due_on"] is None


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"outcome": "maybe"}, "outcome", None),
        ({"outcome": True}, "outcome", None),
        ({"outcome": "changed", "text": ""}, "text", "required"),
        ({"outcome": "changed", "text": "Phones away."}, "text", "unchanged"),
        ({"reviewed_on": "2026-02-30"}, "reviewed_on", None),
        ({"reviewed_on": "FUTURE"}, "reviewed_on", "not_in_future"),
        ({"how_decided": ""}, "how_decided", None),
        ({"session_id": 999999}, "session_id", "group_session"),
        ({"session_id": "1"}, "session_id", None),
    ],
)
def test_PSP_5_bad_reviews_are_refused_by_name(api, personas, group, body, field, rule):
    g = _agreed(personas, group)
    good = {"outcome": "kept", "reviewed_on": str(timezone.localdate()), "how_decided": "Round"}
    if body.get("reviewed_on") == "FUTURE":
        body = {"reviewed_on": str(timezone.localdate() + dt.timedelta(days=2))}
    response = api.post(
        base(personas, group) + f"/guidelines/{g.pk}/review", good | body, as_="supporter"
    )
    assert response.status_code == 400 and field in fields(response), response.content
    if rule:
        assert (field, rule) in errors(response)
    assert not GuidelineReview.objects.exists()
    g.refresh_from_db()
    assert g.reviews_held == 0 and g.text == "Phones away."


def test_PSP_5_a_proposal_is_not_reviewed(api, personas, group):
    g = services.guideline_propose(
        actor=personas.party.user, group=group, topic="phones", text="Phones away."
    )
    body = {"outcome": "kept", "reviewed_on": str(timezone.localdate()), "how_decided": "x"}
    response = api.post(base(personas, group) + f"/guidelines/{g.pk}/review", body, as_="admin")
    # The admin does not facilitate this group: the facilitators record reviews.
    assert response.status_code == 403
    response = api.post(base(personas, group) + f"/guidelines/{g.pk}/review", body, as_="supporter")
    assert response.status_code == 400 and ("outcome", "PSP-5") in errors(response)


def _member(group, person):
    return GroupMember.objects.filter(group=group, person=person).get()


def test_PSP_10_a_peer_leaves_through_the_api(api, personas, group):
    path = base(personas, group) + "/leave"
    for who, status in {"unrelated": 404, "other_org": 404, "supporter": 403}.items():
        # The supporter facilitates and is not a member: leaving for themselves is not theirs.
        assert api.post(path, {}, as_=who).status_code == status, who
    assert _member(group, personas.party).ends_on is None
    response = api.post(path, {"reason": "Moving away"}, as_="party")
    assert response.status_code == 200
    out = json.loads(response.content)
    assert out["person_id"] == personas.party.pk and out["ends_on"] == str(timezone.localdate())
    assert _member(group, personas.party).ends_on == timezone.localdate()


def test_PSP_10_a_facilitator_records_a_peer_leaving(api, personas, group):
    path = base(personas, group) + "/leave"
    body = {"person_id": personas.party.pk, "received_by": "text message"}
    for who, status in {"unrelated": 404, "other_org": 404}.items():
        assert api.post(path, body, as_=who).status_code == status, who
    for bad, field, rule in (
        ({"person_id": personas.party.pk}, "received_by", "PSP-10"),
        ({**body, "received_by": "carrier pigeon"}, "received_by", None),
        ({**body, "person_id": personas.unrelated.pk}, "person_id", "group_member"),
        ({**body, "person_id": "1"}, "person_id", None),
        ({**body, "reason": "x" * 501}, "reason", None),
    ):
        response = api.post(path, bad, as_="supporter")
        assert response.status_code == 400 and field in fields(response), bad
        if rule:
            assert (field, rule) in errors(response)
    assert _member(group, personas.party).ends_on is None
    assert api.post(path, body, as_="supporter").status_code == 200
    assert _member(group, personas.party).ends_on is not None


def _three_absences(personas, group):
    for weeks in (3, 2, 1):
        held_session(personas, group, weeks, {personas.party.pk: "absent"})
    services.absences_check(group)


def test_PSP_10_seek_news_and_record_news_through_the_api(api, personas, group):
    _three_absences(personas, group)
    listing = base(personas, group) + "/seek-news"
    expected = {"party": 403, "unrelated": 404, "other_org": 404, "supporter": 200, "admin": 200}
    for who, status in expected.items():
        assert api.get(listing, as_=who).status_code == status, who
    (action,) = json.loads(api.get(listing, as_="supporter").content)
    assert action["person_id"] == personas.party.pk
    path = base(personas, group) + f"/members/{personas.party.pk}/news"
    body = {"outcome": "could_not_reach"}
    for who, status in {"party": 403, "unrelated": 404, "other_org": 404}.items():
        assert api.post(path, body, as_=who).status_code == status, who
    assert not NewsRecord.objects.exists()
    response = api.post(path, body, as_="supporter")
    assert response.status_code == 201
    assert json.loads(response.content)["outcome"] == "could_not_reach"
    assert json.loads(api.get(listing, as_="supporter").content) == []
    assert _member(group, personas.party).ends_on is None


def test_PSP_10_news_that_the_peer_is_leaving_ends_membership(api, personas, group):
    path = base(personas, group) + f"/members/{personas.party.pk}/news"
    assert api.post(path, {"outcome": "leaving"}, as_="supporter").status_code == 201
    assert _member(group, personas.party).ends_on == timezone.localdate()


@pytest.mark.parametrize("body", [{"outcome": "gossip"}, {"outcome": True}, {}, {"outcome": ""}])
def test_PSP_10_bad_news_is_refused_by_name(api, personas, group, body):
    path = base(personas, group) + f"/members/{personas.party.pk}/news"
    response = api.post(path, body, as_="supporter")
    assert response.status_code == 400 and "outcome" in fields(response)
    assert not NewsRecord.objects.exists()


def test_PSP_10_news_of_someone_not_in_the_group_is_not_found(api, personas, group):
    path = base(personas, group) + f"/members/{personas.unrelated.pk}/news"
    assert api.post(path, {"outcome": "news_received"}, as_="supporter").status_code == 404
    assert not NewsRecord.objects.exists()


def test_PSP_11_eligibility_through_the_api(api, personas, group):
    path = f"/organisations/{personas.org.slug}/peers/people/{personas.party.pk}/eligibility"
    today = str(timezone.localdate())
    yes = {"eligible": "yes", "checked_on": today}
    no = {"eligible": "no", "checked_on": today, "reason": "Moved out of the area"}
    for who, status in {"party": 403, "unrelated": 403, "other_org": 404}.items():
        assert api.post(path, yes, as_=who).status_code == status, who
    # Only the admin records "no longer eligible".
    assert api.post(path, no, as_="supporter").status_code == 403
    assert not EligibilityCheck.objects.exists()
    response = api.post(path, yes, as_="supporter")
    assert response.status_code == 201 and json.loads(response.content)["eligible"] is True
    assert _member(group, personas.party).ends_on is None
    response = api.post(path, no, as_="admin")
    assert response.status_code == 201 and json.loads(response.content)["eligible"] is False
    assert _member(group, personas.party).ends_on == timezone.localdate()
    other = f"/organisations/{personas.org.slug}/peers/people/{personas.other_org.pk}/eligibility"
    assert api.post(other, yes, as_="admin").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"eligible": "no"}, "reason", "required"),
        ({"eligible": True}, "eligible", None),
        ({"eligible": "maybe"}, "eligible", None),
        ({"checked_on": "2026-13-01"}, "checked_on", None),
        ({"checked_on": "FUTURE"}, "checked_on", "not_in_future"),
        ({"reason": "x" * 501}, "reason", None),
    ],
)
def test_PSP_11_bad_eligibility_is_refused_by_name(api, personas, group, body, field, rule):
    if body.get("checked_on") == "FUTURE":
        body = {"checked_on": str(timezone.localdate() + dt.timedelta(days=1))}
    good = {"eligible": "yes", "checked_on": str(timezone.localdate())}
    path = f"/organisations/{personas.org.slug}/peers/people/{personas.party.pk}/eligibility"
    response = api.post(path, good | body, as_="admin")
    assert response.status_code == 400 and field in fields(response), response.content
    if rule:
        assert (field, rule) in errors(response)
    assert not EligibilityCheck.objects.exists()
    assert _member(group, personas.party).ends_on is None


def test_PSP_12_becoming_a_member_of_the_charity(api, personas, group):
    path = f"/organisations/{personas.org.slug}/peers/membership"
    assert api.post(path, {"supports_objects": "yes"}, as_="other_org").status_code == 404
    for who in ("party", "supporter", "unrelated"):
        response = api.post(path, {"supports_objects": "yes"}, as_=who)
        assert response.status_code == 201, who
        assert json.loads(response.content)["joined_on"] == str(timezone.localdate())
    response = api.post(path, {"supports_objects": "yes"}, as_="party")
    assert response.status_code == 400 and "charity_member_once" in [r for _, r in errors(response)]
    # Someone else's membership is the admin's to record.
    body = {"supports_objects": "yes", "person_id": personas.admin.pk}
    assert api.post(path, body, as_="party").status_code == 403
    assert CharityMember.objects.count() == 3
    assert api.post(path, body, as_="admin").status_code == 201


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"supports_objects": "no"}, "supports_objects", "PSP-12"),
        ({"supports_objects": True}, "supports_objects", None),
        ({}, "supports_objects", None),
        ({"supports_objects": "yes", "joined_on": "tomorrow"}, "joined_on", None),
        ({"supports_objects": "yes", "joined_on": "FUTURE"}, "joined_on", "not_in_future"),
        ({"supports_objects": "yes", "person_id": 999999}, "person_id", "same_organisation"),
    ],
)
def test_PSP_12_bad_membership_is_refused_by_name(api, personas, group, body, field, rule):
    if body.get("joined_on") == "FUTURE":
        body = body | {"joined_on": str(timezone.localdate() + dt.timedelta(days=1))}
    path = f"/organisations/{personas.org.slug}/peers/membership"
    response = api.post(path, body, as_="party")
    assert response.status_code == 400 and field in fields(response), response.content
    if rule:
        assert (field, rule) in errors(response)
    assert not CharityMember.objects.exists()
