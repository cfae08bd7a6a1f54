"""Running a session through the API: the same rules as the pages, per persona, and malformed
input answered by name with nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.groupsessions.models import HousekeepingAction, Round, SafeguardingConcern
from commonground.groupsessions.tests.world import SessionWorld
from commonground.meetings.models import Participant
from commonground.people.roles import Role
from commonground.testing.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db

RUNNERS = {
    None: 401,
    "party": 403,
    "supporter": 200,
    "admin": 200,
    "unrelated": 404,
    "other_org": 404,
}


def base(sw: SessionWorld) -> str:
    return f"/organisations/riverside/group-sessions/{sw.meeting.pk}"


def test_session_state_is_for_those_who_run_the_group(api: Api, sw: SessionWorld) -> None:
    expect(api, lambda who: api.get(base(sw), as_=who), RUNNERS)
    body = api.get(base(sw), as_="supporter").json()
    assert body["started"] is False
    assert body["steps"][0]["key"] == "welcome_and_housekeeping"
    names = {a["display_name"] for a in body["attendance"]}
    assert {"Pip", "Fran", "Pat Party"} <= names


def test_PSP_6_PSP_7_a_session_through_the_api(api: Api, sw: SessionWorld) -> None:
    p = sw.p
    started = api.post(base(sw) + "/step", {"action": "start"}, as_="supporter")
    assert started.status_code == 200, started.json()
    assert started.json()["current_step"] == "welcome_and_housekeeping"
    marks = [
        {"person_id": x.pk, "status": "attended"}
        for x in (p.supporter, sw.second, p.party, sw.peers[0])
    ] + [{"person_id": sw.peers[1].pk, "status": "apologies"}]
    got = api.post(base(sw) + "/attendance", {"attendance": marks}, as_="supporter")
    assert got.status_code == 200, got.json()
    assert Participant.objects.get(meeting=sw.meeting, person=sw.peers[1]).status == "apologies"
    offer = api.post(base(sw) + "/take-time", {"person_id": p.party.pk}, as_="supporter")
    assert offer.json()["take_time"][0]["display_name"] == "Pat Party"
    step = api.post(base(sw) + "/step", {"action": "next"}, as_="supporter").json()
    assert step["current_step"] == "round_of_good_news"
    made = api.post(
        base(sw) + "/rounds", {"step": "round_of_good_news", "minutes": 4}, as_="supporter"
    )
    assert made.status_code == 201, made.json()
    turns = made.json()["turns"]
    assert [t["share_seconds"] for t in turns] == [60, 60, 60, 60]
    passed = api.post(
        base(sw) + f"/rounds/{made.json()['id']}/turns",
        {"person_id": turns[3]["person_id"], "action": "pass"},
        as_="supporter",
    )
    assert [t["share_seconds"] for t in passed.json()["turns"]] == [80, 80, 80, 0]
    # A member of the group may not run it.
    refused = api.post(base(sw) + "/step", {"action": "next"}, as_="party")
    assert refused.status_code == 403


def test_PSP_8_actions_through_the_api(api: Api, sw: SessionWorld) -> None:
    url = base(sw) + "/actions"
    made = api.post(
        url,
        {"kind": "news", "owner_id": sw.p.supporter.pk, "about_id": sw.peers[2].pk},
        as_="supporter",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["obligation_id"] is not None
    listing = f"/organisations/riverside/groups/{sw.group.pk}/housekeeping-actions"
    expect(
        api,
        lambda who: api.get(listing, as_=who),
        {
            None: 401,
            "party": 200,
            "supporter": 200,
            "admin": 200,
            "unrelated": 404,
            "other_org": 404,
        },
    )
    done = f"/organisations/riverside/housekeeping-actions/{made.json()['id']}/done"
    assert api.post(done, {"done": "yes"}, as_="party").status_code == 403
    assert api.post(done, {"done": "yes"}, as_="unrelated").status_code == 404
    assert api.post(done, {"done": "yes"}, as_="supporter").json()["done_at"]
    again = api.post(done, {"done": "yes"}, as_="supporter")
    assert again.status_code == 400 and rules_of(again) == ["action_open"]
    missing = api.post(url, {"kind": "guarantee", "owner_id": sw.p.supporter.pk}, as_="supporter")
    assert missing.status_code == 400
    assert (fields_of(missing), rules_of(missing)) == (["about_id"], ["PSP-8"])


def test_PSP_9_a_concern_through_the_api_is_read_only_by_the_lead_and_recorder(
    api: Api, sw: SessionWorld
) -> None:
    body = {
        "about_id": sw.p.party.pk,
        "concern": "A made-up concern.",
        "reason": "An adult at risk.",
        "third_party": "police",
        "told_at": timezone.now().isoformat(),
    }
    assert api.post(base(sw) + "/safeguarding-concerns", body, as_="party").status_code == 403
    made = api.post(base(sw) + "/safeguarding-concerns", body, as_="supporter")
    assert made.status_code == 201, made.json()
    assert "concern" not in made.json()
    one = f"/organisations/riverside/safeguarding-concerns/{made.json()['id']}"
    expect(
        api,
        lambda who: api.get(one, as_=who),
        {
            None: 401,
            "party": 404,
            "supporter": 200,
            "admin": 404,
            "unrelated": 404,
            "other_org": 404,
        },
    )
    assert api.get(one, as_="supporter").json()["concern"] == "A made-up concern."
    RoleAssignmentFactory(person=sw.p.admin, role=Role.SAFEGUARDING_LEAD)
    assert api.get(one, as_="admin").status_code == 200
    reads = AuditEntry.objects.filter(
        action=AuditEntry.Action.READ, object_type="groupsessions.safeguardingconcern"
    )
    # The supporter read it twice and the lead once: every reading is in the log.
    assert reads.count() == 3
    listing = api.get("/organisations/riverside/safeguarding-concerns", as_="party")
    assert listing.status_code == 200 and listing.json() == []


BAD_BODIES: list[tuple[str, Any, str]] = [
    ("/step", {"action": "sideways"}, "action"),
    ("/step", {}, "action"),
    ("/attendance", {"attendance": [{"person_id": "x", "status": "attended"}]}, "attendance"),
    ("/attendance", {"attendance": []}, "attendance"),
    ("/attendance", {"attendance": [{"person_id": 1, "status": "maybe"}]}, "attendance"),
    ("/walk-ins", {"person_id": 0}, "person_id"),
    ("/walk-ins", {"person_id": 99999999}, "person_id"),
    ("/take-time", {"person_id": "1"}, "person_id"),
    ("/rounds", {"step": "round_of_good_news", "minutes": 0}, "minutes"),
    ("/rounds", {"step": "round_of_good_news", "minutes": "five"}, "minutes"),
    ("/rounds", {"minutes": 5}, "step"),
    ("/actions", {"kind": "picnic", "owner_id": 1}, "kind"),
    ("/actions", {"kind": "other", "owner_id": 1, "title": "x", "due_on": "31/12/2026"}, "due_on"),
    ("/actions", {"kind": "other", "owner_id": 1, "notes": "what was said"}, "notes"),
    (
        "/safeguarding-concerns",
        {"about_id": 1, "concern": "c", "reason": "r", "third_party": "neighbour"},
        "third_party",
    ),
    (
        "/safeguarding-concerns",
        {"about_id": 1, "concern": "", "reason": "r", "third_party": "police"},
        "concern",
    ),
]


@pytest.mark.parametrize(("suffix", "body", "field"), BAD_BODIES)
def test_malformed_input_is_refused_by_name_and_nothing_is_written(
    api: Api, sw: SessionWorld, suffix: str, body: Any, field: str
) -> None:
    before = AuditEntry.objects.count()
    got = api.post(base(sw) + suffix, body, as_="supporter")
    assert got.status_code in {400, 422}, got.content
    assert any(f and f.split(".")[0].startswith(field) for f in fields_of(got)), got.json()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "9223372036854775808"])
def test_bad_ids_are_refused(api: Api, sw: SessionWorld, bad: str) -> None:
    got = api.get(f"/organisations/riverside/group-sessions/{bad}", as_="supporter")
    assert got.status_code in {400, 404}
    assert "errors" in got.json()
    round_url = base(sw) + f"/rounds/{bad}/turns"
    got = api.post(round_url, {"person_id": 1, "action": "pass"}, as_="supporter")
    assert got.status_code in {400, 404}


def test_unknown_session_and_round_are_404_and_a_later_session_is_refused_by_rule(
    api: Api, sw: SessionWorld
) -> None:
    assert api.get("/organisations/riverside/group-sessions/999999").status_code == 404
    got = api.post(
        base(sw) + "/rounds/999999/turns", {"person_id": 1, "action": "pass"}, as_="supporter"
    )
    assert got.status_code == 404
    later = sw.meeting.starts_at + dt.timedelta(days=7)
    from commonground.groups.services import session_schedule

    coming = session_schedule(
        actor=sw.p.admin.user,
        group=sw.group,
        facilitators=[sw.p.supporter, sw.second],
        starts_at=later,
    )
    got = api.post(
        f"/organisations/riverside/group-sessions/{coming.pk}/step",
        {"action": "start"},
        as_="supporter",
    )
    assert got.status_code == 400 and rules_of(got) == ["session_open_early"]
    assert not Round.objects.exists()
    assert not HousekeepingAction.objects.exists()
    assert not SafeguardingConcern.objects.exists()
