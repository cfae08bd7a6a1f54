"""The S&W group through the API: its health (ASH-18), budget (ASH-23) and spending (ASH-22),
with the same access rules and ASH rules as the pages.

world: the supporter persona is in the S&W group with three more members (m1..m3, each with a
token); the party and the unrelated member are plain members; the admin runs the organisation
but is not in the group."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from commonground.accounts.services import api_token_create
from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.casework import services as casework
from commonground.casework.models import Case
from commonground.meetings.models import Participant
from commonground.meetings.services import meeting_record_attendance
from commonground.people.models import Person, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.swgroup import services
from commonground.swgroup.models import (
    Budget,
    BudgetLine,
    LedgerEntry,
    SpendingApproval,
    SpendingRequest,
)
from commonground.testing.factories import RoleAssignmentFactory, person_with_login
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

BASE = "/organisations/riverside/sw-group"
READERS = {
    None: 401,
    "party": 403,
    "supporter": 200,
    "admin": 200,
    "unrelated": 403,
    "other_org": 404,
}


@dataclass
class World:
    p: Personas
    m1: Person
    m2: Person
    m3: Person

    def ask(self, who: Person, pence: int, category: str = "training", **kw: Any) -> Any:
        return services.spending_request_create(
            actor=who.user,
            organisation=self.p.org,
            category=category,
            amount_pence=pence,
            reason="Course for two members",
            **kw,
        )


@pytest.fixture
def world(personas: Personas, tokens: dict[str, str]) -> World:
    p = personas
    policy_adopt(actor=None, organisation=p.org, policy="ASH")
    RoleAssignmentFactory(person=p.supporter, role=Role.SW_MEMBER)
    members = []
    for name, gender in (("Mo One", "man"), ("Wanda Two", "woman"), ("Max Three", "man")):
        member = person_with_login(p.org, Role.SW_MEMBER, full_name=name, gender=gender)
        tokens[name.split()[0].lower()] = api_token_create(
            actor=None, user=member.user, name="Tests"
        )[1]
        members.append(member)
    return World(p, *members)


@pytest.fixture
def budget(world: World) -> None:
    services.budget_set(
        actor=world.p.admin.user,
        organisation=world.p.org,
        starts_on=timezone.localdate(),
        amounts=dict.fromkeys(services.CATEGORY_LABELS, 50_000) | {"training": 10_000},
    )


def state() -> tuple[Any, ...]:
    """Everything a spending write could change."""
    return (
        tuple(SpendingRequest.objects.order_by("pk").values_list("pk", "status")),
        SpendingApproval.objects.count(),
        LedgerEntry.objects.count(),
        AuditEntry.objects.count(),
    )


# ASH-18


def test_the_groups_health_is_for_its_members_and_the_admin(api: Api, world: World) -> None:
    expect(api, lambda who: api.get(f"{BASE}/health", who), READERS)


def test_ASH_18_the_health_is_measured_against_the_numbers_in_force(api: Api, world: World) -> None:
    health = api.get(f"{BASE}/health", "admin").json()
    assert health["rule_id"] == "ASH-18"
    assert health["count"] == 4 and health["minimum"] == 6 and health["target"] == 10
    assert health["women"] == 1 and health["women_share"] == "50%"
    assert health["women_needed"] == 2 and health["women_percent"] == 25
    assert health["healthy"] is False
    assert health["enough_members"] is False and health["enough_women"] is False
    assert health["problems"] == [
        "The group has 4 members; it needs at least 6.",
        "1 of 4 members are women (25%); at least 50% are needed, so at least 2 women.",
    ]
    assert {m["display_name"] for m in health["members"]} == {
        "Sam Supporter",
        "Mo One",
        "Wanda Two",
        "Max Three",
    }
    # Nobody's gender is shown, only the count.
    assert "gender" not in str(health["members"])


# ASH-23


def test_the_budget_is_for_the_group_and_the_admin(api: Api, world: World, budget: None) -> None:
    expect(api, lambda who: api.get(f"{BASE}/budget", who), READERS)


def test_ASH_23_the_budget_shows_each_categorys_allocation_spending_and_balance(
    api: Api, world: World, budget: None
) -> None:
    request = world.ask(world.m1, 2_500)
    for member in (world.m1, world.m2, world.m3):
        services.spending_approve(actor=member.user, request=request)
    found = api.get(f"{BASE}/budget", "supporter").json()
    assert found["starts_on"] == str(timezone.localdate())
    lines = {c["category"]: c for c in found["categories"]}
    assert list(lines) == list(services.CATEGORY_LABELS)
    assert lines["training"] == {
        "category": "training",
        "label": "Training and support for the group",
        "allocated_pence": 10_000,
        "spent_pence": 2_500,
        "balance_pence": 7_500,
    }
    assert found["allocated_pence"] == 4 * 50_000 + 10_000
    assert found["spent_pence"] == 2_500
    assert found["balance_pence"] == 4 * 50_000 + 7_500


def test_without_a_budget_there_are_no_categories(api: Api, world: World) -> None:
    found = api.get(f"{BASE}/budget", "admin").json()
    assert found["starts_on"] is None and found["categories"] == []


# ASH-22: spending


def test_spending_requests_are_for_the_group_and_the_admin(
    api: Api, world: World, budget: None
) -> None:
    world.ask(world.m1, 1_000)
    expect(api, lambda who: api.get(f"{BASE}/spending", who), READERS)
    page = api.get(f"{BASE}/spending?page_size=1", "admin").json()
    assert page["count"] == 1
    [item] = page["items"]
    assert item["amount_pence"] == 1_000 and item["status"] == "pending"
    assert item["requested_by"]["display_name"] == "Mo One" and item["approvals"] == []
    assert item["approvals_needed"] == 3 and item["outside_case_needed"] == 1


def test_the_list_takes_the_same_queries_however_many_requests(
    api: Api, world: World, budget: None, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        request = world.ask(world.m1, 100)
        services.spending_approve(actor=world.m2.user, request=request)
    api.get(f"{BASE}/spending", "admin")
    with django_assert_max_num_queries(20):
        response = api.get(f"{BASE}/spending", "admin")
    assert response.json()["count"] == 5


def test_only_group_members_ask_for_money(api: Api, world: World, budget: None) -> None:
    body = {"amount_pence": 1_000, "category": "training", "reason": "Course"}
    before = state()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 403,
        "other_org": 404,
    }.items():
        assert api.post(f"{BASE}/spending", body, who).status_code == status, who
    assert state() == before
    case = Case.objects.create(organisation=world.p.org, reference="C-9", title="Noise")
    response = api.post(
        f"{BASE}/spending",
        body | {"case_id": case.pk, "urgency": "emergency"},
        "supporter",
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["emergency"] is True and made["case_reference"] == "C-9"
    assert made["status"] == "pending" and made["approvals"] == []
    assert made["requested_by"]["person_id"] == world.p.supporter.pk


def test_a_request_is_refused_by_name_and_writes_nothing(
    api: Api, world: World, budget: None
) -> None:
    before = state()
    cases = [
        ({"category": "biscuits"}, "category", "ASH-23"),
        ({"amount_pence": 10_001}, "amount_pence", "sw_overspend"),
        ({"case_id": 2**63 - 1}, "case_id", "not_found"),
        ({"reason": "   "}, "reason", "required"),
        ({"urgency": "very"}, "urgency", "literal_error"),
    ]
    for change, field, rule in cases:
        body = {"amount_pence": 1_000, "category": "training", "reason": "Course"} | change
        response = api.post(f"{BASE}/spending", body, "supporter")
        assert response.status_code == 400, change
        assert fields_of(response) == [field] and rules_of(response) == [rule], change
    overspend = api.post(
        f"{BASE}/spending",
        {"amount_pence": 10_001, "category": "training", "reason": "Course"},
        "supporter",
    )
    assert "Training and support for the group has £100.00 left" in str(overspend.json())
    assert state() == before


def test_each_member_agrees_for_themselves(api: Api, world: World, budget: None) -> None:
    request = world.ask(world.m1, 1_000)
    path = f"{BASE}/spending/{request.pk}/approve"
    before = state()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 403,
        "other_org": 404,
    }.items():
        assert api.post(path, {"agree": "yes"}, who).status_code == status, who
    assert state() == before
    response = api.post(path, {"agree": "yes"}, "supporter")
    assert response.status_code == 200, response.content
    assert [a["display_name"] for a in response.json()["approvals"]] == ["Sam Supporter"]
    # An agreement counts once.
    before = state()
    again = api.post(path, {"agree": "yes"}, "supporter")
    assert again.status_code == 400 and rules_of(again) == ["sw_approval_once"]
    assert state() == before
    assert api.post(f"{BASE}/spending/999999/approve", {"agree": "yes"}, "mo").status_code == 404


def test_ASH_22_three_members_agree_one_of_them_outside_the_case(
    api: Api, world: World, budget: None
) -> None:
    case = Case.objects.create(organisation=world.p.org, reference="C-7", title="Noise")
    for member in (world.p.supporter, world.m1, world.m2):
        casework.supporter_assign(actor=world.p.admin.user, case=case, person=member, role="admin")
    request = world.ask(world.m1, 1_000, case=case)
    path = f"{BASE}/spending/{request.pk}/approve"
    for who in ("supporter", "mo", "wanda"):
        response = api.post(path, {"agree": "yes"}, who)
        assert response.status_code == 200
    # Three agreed, but all of them support the case: still waiting.
    body = response.json()
    assert body["status"] == "pending"
    assert [a["on_the_case"] for a in body["approvals"]] == [True, True, True]
    assert LedgerEntry.objects.count() == 0
    response = api.post(path, {"agree": "yes"}, "max")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert LedgerEntry.objects.get().amount_pence == 1_000


def test_ASH_23_agreement_that_would_overspend_is_refused_naming_the_category(
    api: Api, world: World, budget: None
) -> None:
    first, second = world.ask(world.m1, 8_000), world.ask(world.m1, 8_000)
    for member in (world.m1, world.m2, world.m3):
        services.spending_approve(actor=member.user, request=first)
    path = f"{BASE}/spending/{second.pk}/approve"
    for who in ("mo", "wanda"):
        assert api.post(path, {"agree": "yes"}, who).status_code == 200
    before = state()
    response = api.post(path, {"agree": "yes"}, "max")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "amount_pence" and error["rule"] == "sw_overspend"
    assert error["message"] == (
        "Training and support for the group has £20.00 left, so £80.00 cannot be spent from it."
    )
    assert state() == before
    second.refresh_from_db()
    assert second.status == SpendingRequest.Status.PENDING


# ASH-23: allocating the budget


def budget_state() -> tuple[Any, ...]:
    return (
        tuple(Budget.objects.order_by("pk").values_list("pk", "starts_on", "ends_on")),
        tuple(BudgetLine.objects.order_by("pk").values_list("pk", "category", "allocated_pence")),
        AuditEntry.objects.count(),
    )


def test_ASH_23_only_the_admin_allocates_the_budget(api: Api, world: World) -> None:
    body = {"starts_on": str(timezone.localdate()), "amounts_pence": {"training": 60_000}}
    before = budget_state()
    for who, status in {
        None: 401,
        "party": 403,
        "supporter": 403,
        "unrelated": 403,
        "other_org": 404,
    }.items():
        assert api.put(f"{BASE}/budget", body, who).status_code == status, who
    assert budget_state() == before
    response = api.put(f"{BASE}/budget", body, "admin")
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["starts_on"] == str(timezone.localdate()) and out["allocated_pence"] == 60_000
    lines = {c["category"]: c["allocated_pence"] for c in out["categories"]}
    assert lines["training"] == 60_000 and lines["meeting_spaces"] == 0
    # Setting it again for the same day changes the amounts.
    body["amounts_pence"] = {"training": 70_000, "meeting_spaces": 5_000}
    out = api.put(f"{BASE}/budget", body, "admin").json()
    assert out["allocated_pence"] == 75_000
    assert Budget.objects.count() == 1


def test_ASH_23_a_budget_is_refused_by_name_and_writes_nothing(
    api: Api, world: World, budget: None
) -> None:
    world.ask(world.m1, 5_000)
    request = SpendingRequest.objects.get()
    for member in (world.m1, world.m2, world.m3):
        services.spending_approve(actor=member.user, request=request)
    assert LedgerEntry.objects.count() == 1
    today = timezone.localdate()
    before = budget_state()
    cases = [
        ({"biscuits": 100}, str(today), "amounts_pence.biscuits", "ASH-23"),
        ({"training": 4_999}, str(today), "amounts_pence.training", "ASH-23"),
        ({"training": 100}, str(today + dt.timedelta(days=1)), "starts_on", "sw_budget_no_overlap"),
    ]
    for amounts, starts_on, field, rule in cases:
        body = {"starts_on": starts_on, "amounts_pence": amounts}
        response = api.put(f"{BASE}/budget", body, "admin")
        assert response.status_code == 400, amounts
        assert fields_of(response) == [field] and rules_of(response) == [rule], amounts
    negative = {"starts_on": str(today), "amounts_pence": {"training": -1}}
    response = api.put(f"{BASE}/budget", negative, "admin")
    assert response.status_code == 400 and fields_of(response) == ["amounts_pence.training"]
    assert budget_state() == before


# ASH-21: attendance


def test_attendance_is_for_the_group_and_the_admin(api: Api, world: World) -> None:
    expect(api, lambda who: api.get(f"{BASE}/attendance", who), READERS)


def test_ASH_21_a_member_missing_the_run_in_force_is_flagged_with_the_dates(
    api: Api, world: World
) -> None:
    # The members joined before the first of the group's meetings.
    RoleAssignment.objects.filter(role=Role.SW_MEMBER).update(
        starts_on=timezone.localdate() - dt.timedelta(weeks=10)
    )
    missed = []
    for weeks_ago in (8, 6, 4, 2):
        meeting = services.group_meeting_schedule(
            actor=world.p.admin.user,
            organisation=world.p.org,
            starts_at=timezone.now() - dt.timedelta(weeks=weeks_ago),
            duration=dt.timedelta(minutes=90),
            convenor=world.m1,
        )
        marks = {p.person_id: Participant.Status.ATTENDED for p in meeting.participants.all()}
        if weeks_ago < 8:
            marks[world.m3.pk] = Participant.Status.ABSENT
            missed.append(meeting)
        meeting_record_attendance(actor=world.p.admin.user, meeting=meeting, attendance=marks)
    response = api.get(f"{BASE}/attendance", "supporter")
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["rule_id"] == "ASH-21" and out["consecutive_misses"] == 3
    rows = {row["person_id"]: row for row in out["items"]}
    assert rows[world.m3.pk]["flagged"] is True
    assert [m["meeting_id"] for m in rows[world.m3.pk]["missed"]] == [
        m.pk for m in reversed(missed)
    ]
    assert rows[world.m1.pk]["flagged"] is False and rows[world.m1.pk]["missed"] == []


# ASH-18: joining and leaving the group


def roles() -> tuple[Any, ...]:
    return (
        tuple(RoleAssignment.objects.order_by("pk").values_list("pk", "role", "ends_on")),
        AuditEntry.objects.count(),
    )


def test_ASH_18_only_the_admin_changes_who_is_in_the_group(api: Api, world: World) -> None:
    body = {"person_id": world.p.unrelated.pk, "starts_on": str(timezone.localdate())}
    end = {"ends_on": str(timezone.localdate()), "confirm": "yes"}
    before = roles()
    for who, status in {
        None: 401,
        "party": 403,
        "supporter": 403,
        "unrelated": 403,
        "other_org": 404,
    }.items():
        assert api.post(f"{BASE}/members", body | {"confirm": "yes"}, who).status_code == status
        assert api.post(f"{BASE}/members/{world.m1.pk}/end", end, who).status_code == status
    assert roles() == before


def test_ASH_18_a_change_that_leaves_the_group_short_needs_confirming(
    api: Api, world: World
) -> None:
    # Four members, one woman: adding a man leaves it short of six and of women.
    body = {"person_id": world.p.unrelated.pk, "starts_on": str(timezone.localdate())}
    before = roles()
    response = api.post(f"{BASE}/members", body, "admin")
    assert response.status_code == 400
    assert fields_of(response) == ["confirm"] and rules_of(response) == ["ASH-18"]
    assert "it needs at least 6" in response.json()["errors"][0]["message"]
    assert roles() == before
    response = api.post(f"{BASE}/members", body | {"confirm": "yes"}, "admin")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["person_id"] == world.p.unrelated.pk and out["health"]["count"] == 5
    # Already in the group.
    before = roles()
    again = api.post(f"{BASE}/members", body | {"confirm": "yes"}, "admin")
    assert again.status_code == 400 and fields_of(again) == ["person_id"]
    assert rules_of(again) == ["sw_member_once"]
    assert roles() == before


def test_ASH_18_leaving_the_group_is_warned_then_confirmed(api: Api, world: World) -> None:
    path = f"{BASE}/members/{world.m2.pk}/end"
    today = str(timezone.localdate())
    before = roles()
    response = api.post(path, {"ends_on": today}, "admin")
    assert response.status_code == 400
    assert fields_of(response) == ["confirm"] and rules_of(response) == ["ASH-18"]
    assert roles() == before
    response = api.post(
        path, {"ends_on": today, "reason": "Moving away", "confirm": "yes"}, "admin"
    )
    assert response.status_code == 200, response.content
    assert response.json()["ends_on"] == today
    assert (
        not RoleAssignment.objects.current()
        .filter(person=world.m2, role=Role.SW_MEMBER, ends_on__lt=timezone.localdate())
        .exists()
    )
    # Someone not in the group is not found.
    not_member = api.post(
        f"{BASE}/members/{world.p.unrelated.pk}/end", {"ends_on": today, "confirm": "yes"}, "admin"
    )
    assert not_member.status_code == 404


def test_ASH_22_a_pending_request_is_withdrawn_through_the_api(
    api: Api, world: World, budget: None
) -> None:
    asked = world.ask(world.m1, 1_000)
    path = f"{BASE}/spending/{asked.pk}/withdraw"
    before = state()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 403,
        "other_org": 404,
    }.items():
        assert api.post(path, {"reason": "x"}, who).status_code == status, who
    missing = api.post(path, {}, "supporter")
    assert missing.status_code == 400 and fields_of(missing) == ["reason"]
    assert state() == before
    response = api.post(path, {"reason": "Not needed now."}, "supporter")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    before = state()
    again = api.post(f"{BASE}/spending/{asked.pk}/approve", {"agree": "yes"}, "mo")
    assert again.status_code == 400 and rules_of(again) == ["sw_spending_pending"]
    assert api.post(path, {"reason": "Again"}, "mo").status_code == 400
    assert state() == before


def test_ASH_22_agreement_from_someone_who_left_the_group_is_shown_as_not_counted(
    api: Api, world: World, budget: None
) -> None:
    asked = world.ask(world.m1, 1_000)
    services.spending_approve(actor=world.m2.user, request=asked)
    RoleAssignment.objects.filter(person=world.m2, role=Role.SW_MEMBER).update(
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    [item] = api.get(f"{BASE}/spending", "supporter").json()["items"]
    [approval] = item["approvals"]
    assert approval["person_id"] == world.m2.pk and approval["counted"] is False
