"""The way-in API: the same rules as the pages, persona by persona, and malformed input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from commonground.api.tests.conftest import api, expect, tokens  # noqa: F401
from commonground.joining.models import GroupAttempt, NameCheckConflict, PeerJourney
from commonground.joining.tests.conftest import attend_workshop, converse, whole_way

pytestmark = pytest.mark.django_db
W = "/organisations/riverside/way-in"


def _everyone(expected_party, expected_supporter, expected_unrelated):
    return {
        None: 401,
        "party": expected_party,
        "supporter": expected_supporter,
        "admin": 200,
        "unrelated": expected_unrelated,
        "other_org": 404,
    }


def test_the_way_in_list_is_for_facilitators_and_the_admin(api, way):  # noqa: F811
    expect(api, lambda who: api.get(W, as_=who), _everyone(403, 200, 403))
    body = api.get(W, as_="supporter").json()
    assert body["items"][0]["display_name"] == "Ash Ahmed"
    assert body["items"][0]["stage"] == "enquired"


def test_a_journey_is_its_peers_and_the_facilitators(api, way):  # noqa: F811
    path = f"{W}/{way.journey.pk}"
    expect(api, lambda who: api.get(path, as_=who), _everyone(404, 200, 404))


def test_PSP_3_the_peer_sees_their_own_journey_and_never_the_match(api, way, client):  # noqa: F811
    from commonground.accounts.services import api_token_create

    attempt = converse(way)
    _, token = api_token_create(actor=None, user=way.ash.user, name="t")
    ash = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post(
        f"/api/v1{W}/attempts/{attempt.pk}/declaration",
        data='{"names": "Jo Bloggs"}',
        content_type="application/json",
        **ash,
    )
    assert response.status_code == 200
    assert response.json() == {"message": "Thank you. The facilitators will be in touch."}
    mine = client.get(f"/api/v1{W}/{way.journey.pk}", **ash).json()
    assert mine["next_step"] is None
    assert "Bloggs" not in str(mine) and "Joanne" not in str(mine)
    check = client.get(f"/api/v1{W}/attempts/{attempt.pk}/name-check", **ash)
    assert check.status_code == 403
    found = api.get(f"{W}/attempts/{attempt.pk}/name-check", as_="supporter").json()
    assert found["matches"][0]["member_name"] == "Joanne Bloggs"


def test_a_peer_cannot_join_with_a_step_missing_and_the_api_says_which(api, way):  # noqa: F811
    attend_workshop(way)
    response = api.post(f"{W}/{way.journey.pk}/join", {"group_id": way.group.pk}, as_="supporter")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [
        ("initial_conversation", "PSP-2"),
        ("name_check", "PSP-3"),
    ]
    assert errors[0]["message"].startswith("PSP-2: Ash Ahmed has not yet")


def test_PSP_2_and_PSP_3_each_step_through_the_api_then_join(api, way):  # noqa: F811
    attend_workshop(way)
    arranged = api.post(
        f"{W}/{way.journey.pk}/conversation",
        {
            "group_id": way.group.pk,
            "starts_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "duration_minutes": 60,
            "mode": "video",
            "facilitator_ids": [way.p.supporter.pk, way.second.pk],
        },
        as_="supporter",
    )
    assert arranged.status_code == 201, arranged.content
    attempt = arranged.json()
    assert "PSP-2" in attempt["warnings"][0]
    outcome = api.post(
        f"{W}/attempts/{attempt['id']}/outcome", {"outcome": "join"}, as_="supporter"
    )
    assert outcome.json()["outcome"] == "join"
    api.post(f"{W}/attempts/{attempt['id']}/declaration", {"names": "Jo"}, as_="supporter")
    conflict = api.post(
        f"{W}/attempts/{attempt['id']}/name-check",
        {"decision": "conflict", "member_id": way.member.pk},
        as_="supporter",
    )
    assert conflict.status_code == 200
    blocked = api.post(f"{W}/{way.journey.pk}/join", {"group_id": way.group.pk}, as_="supporter")
    assert [e["rule"] for e in blocked.json()["errors"]] == ["PSP-3"]
    row = NameCheckConflict.objects.get()
    agreed = api.post(
        f"{W}/conflicts/{row.pk}/agreement",
        {"agreed_on": timezone.localdate().isoformat()},
        as_="supporter",
    )
    assert agreed.json()["agreed_on"] == timezone.localdate().isoformat()
    joined = api.post(f"{W}/{way.journey.pk}/join", {"group_id": way.group.pk}, as_="supporter")
    assert joined.status_code == 201
    again = api.post(f"{W}/{way.journey.pk}/join", {"group_id": way.group.pk}, as_="supporter")
    assert again.status_code == 400
    assert again.json()["errors"][0]["rule"] == "group_member_once"


def test_an_enquiry_through_the_api(api, way):  # noqa: F811
    response = api.post(W, {"full_name": "Bea Newcomer"}, as_="supporter")
    assert response.status_code == 201
    assert response.json()["stage"] == "enquired"
    assert api.post(W, {"full_name": "X"}, as_="party").status_code == 403


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"person_id": "seven"}, "person_id"),
        ("", {"person_id": 99999999}, "person_id"),
        ("", {"full_name": "A", "enquired_on": "31/12/2024"}, "enquired_on"),
        ("", {"full_name": "A", "surprise": 1}, "surprise"),
        ("/{j}/join", {}, "group_id"),
        ("/{j}/join", {"group_id": 99999999}, "group_id"),
        ("/{j}/join", {"group_id": "1"}, "group_id"),
        ("/{j}/conversation", {"group_id": 1}, "starts_at"),
        ("/{j}/workshop", {"workshop_id": 99999999}, "workshop_id"),
        ("/attempts/{a}/outcome", {"outcome": "8/10"}, "outcome"),
        ("/attempts/{a}/name-check", {"decision": "conflict"}, "member_id"),
        ("/attempts/{a}/declaration", {"names": 5}, "names"),
    ],
)
def test_malformed_input_names_the_field_and_writes_nothing(api, way, path, body, field):  # noqa: F811
    attempt = converse(way)
    counts = (PeerJourney.objects.count(), GroupAttempt.objects.count())
    url = W + path.format(j=way.journey.pk, a=attempt.pk)
    response = api.post(url, body, as_="admin")
    assert response.status_code == 400, response.content
    fields = [e["field"] or "" for e in response.json()["errors"]]
    assert any(field in f for f in fields), fields
    assert (PeerJourney.objects.count(), GroupAttempt.objects.count()) == counts


@pytest.mark.parametrize(
    "path",
    [
        W + "/0",
        W + "/99999999",
        W + "/99999999999999999999999",
        W + "/attempts/99999999/name-check",
        "/organisations/nowhere/way-in",
    ],
)
def test_unknown_ids_are_404(api, way, path):  # noqa: F811
    assert api.get(path, as_="admin").status_code in (400, 404)


def test_the_whole_way_then_detail_says_member(api, way):  # noqa: F811
    whole_way(way)
    api.post(f"{W}/{way.journey.pk}/join", {"group_id": way.group.pk}, as_="supporter")
    detail = api.get(f"{W}/{way.journey.pk}", as_="supporter").json()
    assert detail["stage"] == "member"
    assert [s["rule_id"] for s in detail["steps"]] == [None, "PSP-1", "PSP-2", "PSP-3", None]


def test_PSP_1_a_workshop_is_scheduled_for_two_hours_and_attendance_recorded(api, way):  # noqa: F811
    starts = (timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    body = {
        "starts_at": starts.isoformat(),
        "facilitator_ids": [way.p.supporter.pk, way.second.pk],
        "invite_journey_ids": [way.journey.pk],
    }
    expected = _everyone(403, 201, 403) | {"admin": 201}
    expect(api, lambda who: api.post("/organisations/riverside/workshops", body, as_=who), expected)
    made = api.post("/organisations/riverside/workshops", body, as_="supporter").json()
    assert made["ends_at"] == (starts + dt.timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    assert made["participants"][str(way.ash.pk)] == "invited"
    # PSP-4: one facilitator is refused, naming the rule.
    alone = api.post(
        "/organisations/riverside/workshops",
        body | {"facilitator_ids": [way.p.supporter.pk]},
        as_="supporter",
    )
    assert alone.status_code == 400
    assert alone.json()["errors"][0]["field"] == "facilitator_ids"
    assert alone.json()["errors"][0]["rule"] == "PSP-4"
    # Attendance: once it has started, by its facilitators; PSP-1 then counts it.
    held = attend_workshop(way)
    path = f"/organisations/riverside/workshops/{held.pk}/attendance"
    marks = {"attendance": [{"person_id": way.ash.pk, "status": "absent"}]}
    expect(
        api,
        lambda who: api.post(path, marks, as_=who),
        {None: 401, "party": 404, "unrelated": 404, "other_org": 404, "supporter": 200},
    )
    assert api.post(path, marks, as_="supporter").json()["participants"][str(way.ash.pk)] == (
        "absent"
    )
    early = api.post(
        f"/organisations/riverside/workshops/{made['id']}/attendance", marks, as_="supporter"
    )
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "attendance"
