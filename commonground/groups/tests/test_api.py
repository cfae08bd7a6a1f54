"""The groups API: who may call what, what each persona sees, rule refusals (PSP-4), and
malformed input answered 400/404 naming the field, with nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from commonground.api.tests.conftest import Api, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.groups import selectors, services
from commonground.groups.models import GroupMember, SupportGroup
from commonground.groups.tests.world import SharedGroup
from commonground.meetings.models import Meeting
from commonground.people.roles import Role
from commonground.testing.factories import person_with_login
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

PERSONAS = ("party", "supporter", "admin", "unrelated", "other_org")


def _base(p: Personas, g: SharedGroup) -> str:
    return f"/organisations/{p.org.slug}/groups/{g.group.pk}"


def _statuses(call: Any) -> dict[str, int]:
    return {who: call(who).status_code for who in PERSONAS}


def test_reading_groups_as_each_persona(api: Api, personas: Personas, shared: SharedGroup) -> None:
    base = _base(personas, shared)
    assert _statuses(lambda who: api.get(f"/organisations/{personas.org.slug}/groups", who)) == {
        "party": 200,
        "supporter": 200,
        "admin": 200,
        "unrelated": 200,
        "other_org": 404,
    }
    assert api.get(f"/organisations/{personas.org.slug}/groups", "unrelated").json()["count"] == 0
    listed = api.get(f"/organisations/{personas.org.slug}/groups", "party").json()["items"]
    assert [g["name"] for g in listed] == ["Tuesday evening group"]
    assert listed[0]["next_session_at"].startswith("2025-07-01T")
    expected = {"party": 200, "supporter": 200, "admin": 200, "unrelated": 404, "other_org": 404}
    assert _statuses(lambda who: api.get(base, who)) == expected
    assert _statuses(lambda who: api.get(base + "/sessions", who)) == expected
    # A peer sees the schedule and the facilitators, never the members or the pool.
    peer = api.get(base, "party").json()
    assert peer["members"] is None and peer["pool"] is None
    assert peer["venue"] == "Millbrook Community Centre, room 2"
    assert {f["display_name"] for f in peer["facilitators"]} == {
        personas.supporter.display_name,
        "Cam Cofacilitator",
    }
    assert peer["upcoming_sessions"][0]["staffing"] is None
    runner = api.get(base, "supporter").json()
    assert [m["person_id"] for m in runner["members"]] == [personas.party.pk]
    assert all(t["held"] for p in runner["pool"] for t in p["training"])
    assert runner["upcoming_sessions"][0]["staffing"] == []


def test_changes_are_the_admins_and_refused_to_others(
    api: Api, personas: Personas, shared: SharedGroup
) -> None:
    base = _base(personas, shared)
    before = AuditEntry.objects.count()
    changes = {
        "party": 403,
        "supporter": 403,
        "unrelated": 404,
        "other_org": 404,
    }
    for who, status in changes.items():
        assert api.patch(base, {"venue": "X"}, who).status_code == status, who
        assert (
            api.post(base + "/close", {"closed_on": "2025-07-01", "reason": "x"}, who).status_code
            == status
        )
    create = f"/organisations/{personas.org.slug}/groups"
    body = {"name": "Friday group", "weekday": 4, "start_time": "10:00"}
    assert api.post(create, body, "supporter").status_code == 403
    assert api.post(create, body, "other_org").status_code == 404
    assert AuditEntry.objects.count() == before
    created = api.post(create, body)
    assert created.status_code == 201
    assert created.json()["schedule_text"] == "Fridays, 10:00\N{EN DASH}12:00"
    again = api.post(create, body)
    assert again.status_code == 400 and fields_of(again) == ["name"]
    changed = api.patch(base, {"start_time": "19:00", "duration_minutes": 90})
    assert changed.status_code == 200
    assert changed.json()["schedule_text"] == "Tuesdays, 19:00\N{EN DASH}20:30"
    assert changed.json()["venue"] == "Millbrook Community Centre, room 2"
    closed = api.post(base + "/close", {"closed_on": "2025-07-31", "reason": "Room closed"})
    assert closed.status_code == 200 and closed.json()["closed_on"] == "2025-07-31"


def test_PSP_4_scheduling_through_the_api_refuses_an_untrained_facilitator(
    api: Api, personas: Personas, shared: SharedGroup
) -> None:
    base = _base(personas, shared)
    untrained = person_with_login(personas.org, Role.FACILITATOR, email="u@example.test")
    added = api.post(base + "/facilitators", {"person_id": untrained.pk})
    assert added.status_code == 201
    before = Meeting.objects.count()
    refused = api.post(
        base + "/sessions",
        {"facilitator_ids": [personas.supporter.pk, untrained.pk], "weeks": 3},
        "supporter",
    )
    assert refused.status_code == 400
    assert set(rules_of(refused)) == {"PSP-4"} and set(fields_of(refused)) == {"facilitator_ids"}
    assert "Tuesday 8 July 2025" in refused.content.decode()
    assert Meeting.objects.count() == before
    # Not the peer's to schedule; the outsider does not know the group.
    body = {"facilitator_ids": [personas.supporter.pk, shared.co.pk], "weeks": 3}
    assert api.post(base + "/sessions", body, "party").status_code == 403
    assert api.post(base + "/sessions", body, "unrelated").status_code == 404
    done = api.post(base + "/sessions", body, "supporter")
    assert done.status_code == 201
    assert [s["starts_at"][:10] for s in done.json()["items"]] == [
        "2025-07-08",
        "2025-07-15",
        "2025-07-22",
    ]
    assert all(s["staffing"] == [] for s in done.json()["items"])
    listed = api.get(base + "/sessions", "party").json()
    assert listed["count"] == 4 and listed["items"][0]["facilitators"] is None


def test_the_pool_through_the_api(api: Api, personas: Personas, shared: SharedGroup) -> None:
    base = _base(personas, shared)
    row = shared.group.facilitators.get(person=shared.co)
    assert api.post(base + f"/facilitators/{row.pk}/end", {}, "supporter").status_code == 403
    ended = api.post(base + f"/facilitators/{row.pk}/end", {"reason": "Moving away"})
    assert ended.status_code == 200
    assert shared.co.pk not in selectors.facilitator_ids(shared.group.pk)
    assert api.post(base + f"/facilitators/{row.pk}/end", {}).status_code == 404
    twice = api.post(base + "/facilitators", {"person_id": personas.supporter.pk})
    assert twice.status_code == 400 and rules_of(twice) == ["group_facilitator_once"]
    outsider = api.post(base + "/facilitators", {"person_id": personas.other_org.pk})
    assert outsider.status_code == 400 and fields_of(outsider) == ["person_id"]


def test_PSP_10_recording_leaving_through_the_api(
    api: Api, personas: Personas, shared: SharedGroup
) -> None:
    base = _base(personas, shared)
    other = person_with_login(personas.org, email="peer2@example.test")
    services.member_add(actor=personas.admin.user, group=shared.group, person=other)
    theirs = GroupMember.objects.get(group=shared.group, person=other)
    # A peer learns nothing about another member's membership.
    assert api.post(base + f"/members/{theirs.pk}/leave", {}, "party").status_code == 404
    assert api.post(base + f"/members/{theirs.pk}/leave", {}, "unrelated").status_code == 404
    left = api.post(
        base + f"/members/{theirs.pk}/leave", {"reason": "Ready to move on"}, "supporter"
    )
    assert left.status_code == 200 and "Ready to move on" not in left.content.decode()
    theirs.refresh_from_db()
    assert theirs.end_reason == "Ready to move on" and theirs.ends_on == dt.date(2025, 6, 30)
    # The peer may say for themselves that they are leaving (PSP-10).
    mine = GroupMember.objects.get(group=shared.group, person=personas.party)
    assert api.post(base + f"/members/{mine.pk}/leave", {}, "party").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"weekday": 9, "name": "x", "start_time": "10:00"}, "weekday"),
        ("", {"weekday": 1, "name": "x", "start_time": "25:00"}, "start_time"),
        (
            "",
            {"weekday": 1, "name": "x", "start_time": "10:00", "duration_minutes": 5},
            "duration_minutes",
        ),
        ("", {"weekday": 1, "start_time": "10:00"}, "name"),
        ("", {"weekday": "Tuesday", "name": "x", "start_time": "10:00"}, "weekday"),
        ("", {"weekday": 1, "name": "x", "start_time": "10:00", "colour": "red"}, "colour"),
        ("/G/close", {"closed_on": "31/07/2025", "reason": "x"}, "closed_on"),
        ("/G/close", {"closed_on": "2025-07-31"}, "reason"),
        ("/G/facilitators", {"person_id": "12"}, "person_id"),
        ("/G/facilitators", {"person_id": 999999}, "person_id"),
        ("/G/sessions", {"facilitator_ids": [], "weeks": 1}, "facilitator_ids"),
        ("/G/sessions", {"facilitator_ids": [1, 2], "weeks": 0}, "weeks"),
        ("/G/sessions", {"facilitator_ids": [1, 2], "weeks": "2"}, "weeks"),
        ("/G/sessions", {"facilitator_ids": "1,2"}, "facilitator_ids"),
        ("/G/sessions", {"facilitator_ids": [999999, 999998]}, "facilitator_ids"),
        ("/G/members/M/leave", {"ends_on": "yesterday"}, "ends_on"),
        ("/G/members/M/leave", {"reason": 5}, "reason"),
    ],
)
def test_malformed_input_is_refused_naming_the_field_and_nothing_is_written(
    api: Api, personas: Personas, shared: SharedGroup, path: str, body: dict[str, Any], field: str
) -> None:
    member = GroupMember.objects.get(group=shared.group, person=personas.party)
    url = f"/organisations/{personas.org.slug}/groups" + path.replace(
        "/G", f"/{shared.group.pk}"
    ).replace("/M/", f"/{member.pk}/")
    before = (AuditEntry.objects.count(), SupportGroup.objects.count(), Meeting.objects.count())
    response = api.post(url, body)
    assert response.status_code == 400, response.content
    assert any(field in (f or "") for f in fields_of(response)), response.json()
    after = (AuditEntry.objects.count(), SupportGroup.objects.count(), Meeting.objects.count())
    assert after == before


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", "9223372036854775808"])
def test_bad_ids_are_refused(api: Api, personas: Personas, shared: SharedGroup, bad: str) -> None:
    base = f"/organisations/{personas.org.slug}/groups/"
    for response in (
        api.get(base + bad),
        api.patch(base + bad, {"venue": "x"}),
        api.post(f"{base}{shared.group.pk}/members/{bad}/leave", {}),
        api.post(f"{base}{shared.group.pk}/facilitators/{bad}/end", {}),
    ):
        assert response.status_code in (400, 404)
        assert response["Content-Type"].startswith("application/json")
    assert api.get(base + str(2**63 - 1)).status_code == 404


def test_a_patch_with_malformed_json_is_refused(
    api: Api, personas: Personas, shared: SharedGroup
) -> None:
    response = api("PATCH", _base(personas, shared), raw=b'{"venue": ')
    assert response.status_code == 400
