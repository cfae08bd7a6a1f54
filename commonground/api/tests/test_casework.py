"""Cases through the API: the same access rules and ASH rules as the pages.

world: the party persona asked for help with a neighbour; the supporter persona (an S&W member
with the introductory course) is one of the pair; the admin runs the organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.casework import services
from commonground.casework.models import Case, CaseParty, CaseSupporter
from commonground.people.models import Person, QualificationKind
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.factories import (
    PersonFactory,
    QualificationFactory,
    RoleAssignmentFactory,
)
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def sw_member(personas: Personas, name: str, course: bool = True) -> Person:
    person = PersonFactory(organisation=personas.org, full_name=name)
    RoleAssignmentFactory(person=person, role=Role.SW_MEMBER)
    if course:
        QualificationFactory(person=person, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
    return person


@dataclass
class World:
    p: Personas
    neighbour: Person
    case: Case

    def path(self, rest: str = "") -> str:
        return f"/organisations/{self.p.org.slug}/cases/{self.case.pk}{rest}"


@pytest.fixture
def world(personas: Personas) -> World:
    p = personas
    policy_adopt(actor=None, organisation=p.org, policy="ASH")
    RoleAssignmentFactory(person=p.supporter, role=Role.SW_MEMBER)
    QualificationFactory(person=p.supporter, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
    neighbour = PersonFactory(organisation=p.org, full_name="Nico Neighbour")
    case = services.case_request(
        actor=p.party.user,
        organisation=p.org,
        title="Noise between flats",
        summary="Music late at night.",
        parties=[neighbour],
        received_at=timezone.now() - dt.timedelta(hours=2),
    )
    services.supporter_assign(
        actor=p.admin.user, case=case, person=p.supporter, role=CaseSupporter.Role.FACILITATOR
    )
    return World(p=p, neighbour=neighbour, case=case)


def state() -> tuple[Any, ...]:
    """Everything a casework write could change."""
    return (
        tuple(Case.objects.order_by("pk").values_list("pk", "stage")),
        CaseParty.objects.count(),
        tuple(CaseSupporter.objects.order_by("pk").values_list("pk", "role", "ends_on")),
        AuditEntry.objects.count(),
    )


# The list


def test_the_list_shows_each_person_their_own_cases(api: Api, world: World) -> None:
    expect(
        api,
        lambda who: api.get("/organisations/riverside/cases", who),
        {
            None: 401,
            "party": 200,
            "supporter": 200,
            "admin": 200,
            "unrelated": 200,
            "other_org": 404,
        },
    )
    mine = api.get("/organisations/riverside/cases", "party").json()
    assert mine["count"] == 1 and mine["pages"] == 1
    item = mine["items"][0]
    assert item["case_reference"] == world.case.reference
    assert item["stage"] == "requested" and item["pair"] == ["Sam Supporter"]
    # Nothing the list could leak: no title, no summary.
    assert "title" not in item and "summary" not in item
    assert api.get("/organisations/riverside/cases", "supporter").json()["count"] == 1
    assert api.get("/organisations/riverside/cases", "admin").json()["count"] == 0
    assert api.get("/organisations/riverside/cases", "unrelated").json()["count"] == 0


def test_every_case_is_for_the_sw_group_and_the_admin(api: Api, world: World) -> None:
    expect(
        api,
        lambda who: api.get("/organisations/riverside/cases?show=all", who),
        {
            None: 401,
            "party": 403,
            "supporter": 200,
            "admin": 200,
            "unrelated": 403,
            "other_org": 404,
        },
    )
    page = api.get("/organisations/riverside/cases?show=all&page_size=1", "admin").json()
    assert page["count"] == 1 and page["items"][0]["id"] == world.case.pk
    response = api.get("/organisations/riverside/cases?show=everything", "admin")
    assert response.status_code == 400 and fields_of(response) == ["show"]


def test_the_list_takes_the_same_queries_however_many_cases(
    api: Api, world: World, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        services.case_request(
            actor=world.p.admin.user,
            organisation=world.p.org,
            title=f"Case {i}",
            parties=[world.neighbour],
            requested_by=world.p.unrelated,
        )
    api.get("/organisations/riverside/cases?show=all", "admin")
    with django_assert_max_num_queries(20):
        response = api.get("/organisations/riverside/cases?show=all", "admin")
    assert response.json()["count"] == 6


# Asking for help


def test_any_member_may_ask_for_help(api: Api, world: World) -> None:
    body = {"title": "Shared garden", "parties": [world.neighbour.pk]}
    expect(
        api,
        lambda who: api.post("/organisations/riverside/cases", body, who),
        {
            None: 401,
            "party": 201,
            "supporter": 201,
            "admin": 201,
            "unrelated": 201,
            "other_org": 404,
        },
    )
    assert Case.objects.filter(title="Shared garden").count() == 4


def test_a_request_names_its_parties_and_starts_the_ash_1_deadline(api: Api, world: World) -> None:
    response = api.post(
        "/organisations/riverside/cases",
        {"title": "Bins", "summary": "Secret detail XYZZY", "parties": [world.neighbour.pk]},
        "unrelated",
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["access"] == "party" and case["stage"] == "requested"
    assert [(p["alias"], p["display_name"], p["you"]) for p in case["parties"]] == [
        ("Member A", "Uma Unrelated", True),
        ("Member B", "Nico Neighbour", False),
    ]
    [deadline] = case["obligations"]
    assert deadline["rule_id"] == "ASH-1"
    assert "by rule ASH-1" in deadline["why"] and "3 days" in deadline["why"]
    assert "XYZZY" not in response.content.decode()


def test_the_office_asks_on_a_members_behalf_and_a_member_may_not(api: Api, world: World) -> None:
    body = {
        "title": "Shared garden",
        "parties": [world.neighbour.pk],
        "on_behalf_of": world.p.unrelated.pk,
    }
    response = api.post("/organisations/riverside/cases", body, "admin")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.received_via == Case.ReceivedVia.OFFICE and case.requested_by == world.p.unrelated
    # The office is not in the conflict, so it runs the case and sees it in full.
    assert response.json()["access"] == "full"
    before = state()
    refused = api.post("/organisations/riverside/cases", body, "party")
    assert refused.status_code == 403 and rules_of(refused) == ["permission_denied"]
    assert state() == before


def test_a_request_with_nobody_else_in_it_is_refused_and_writes_nothing(
    api: Api, world: World
) -> None:
    before = state()
    response = api.post(
        "/organisations/riverside/cases", {"title": "Just me", "parties": []}, "party"
    )
    assert response.status_code == 400
    assert fields_of(response) == ["parties"] and rules_of(response) == ["case_parties_needed"]
    assert state() == before


def test_parties_are_people_of_this_organisation(api: Api, world: World) -> None:
    before = state()
    for ids in ([world.p.other_org.pk], [2**63 - 1]):
        response = api.post(
            "/organisations/riverside/cases", {"title": "Elsewhere", "parties": ids}, "party"
        )
        assert response.status_code == 400
        assert fields_of(response) == ["parties"] and rules_of(response) == ["not_found"]
    response = api.post(
        "/organisations/riverside/cases",
        {"title": "Elsewhere", "parties": [world.neighbour.pk], "on_behalf_of": 2**63 - 1},
        "admin",
    )
    assert response.status_code == 400 and fields_of(response) == ["on_behalf_of"]
    assert state() == before


# One case


def test_a_case_is_seen_by_its_parties_its_supporters_and_the_admin(api: Api, world: World) -> None:
    expect(
        api,
        lambda who: api.get(world.path(), who),
        {
            None: 401,
            "party": 200,
            "supporter": 200,
            "admin": 200,
            "unrelated": 404,
            "other_org": 404,
        },
    )
    missing = api.get("/organisations/riverside/cases/999999", "admin")
    unrelated = api.get(world.path(), "unrelated")
    assert missing.json() == unrelated.json()


def test_what_a_party_sees(api: Api, world: World) -> None:
    case = api.get(world.path(), "party").json()
    assert case["access"] == "party"
    assert case["title"] == "Noise between flats"
    assert [p["display_name"] for p in case["parties"] if p["you"]] == ["Pat Party"]
    assert [(s["display_name"], s["role"]) for s in case["supporters"]] == [
        ("Sam Supporter", "facilitator")
    ]
    assert case["pair_needed"] == 2 and case["pair_count"] == 1
    assert [o["rule_id"] for o in case["obligations"]] == ["ASH-1"]
    assert "Music late at night" not in str(case)


def test_the_pair_and_the_admin_see_the_whole_case(api: Api, world: World) -> None:
    admin_help = sw_member(world.p, "Hal Helper", course=False)
    services.supporter_assign(
        actor=world.p.admin.user, case=world.case, person=admin_help, role="admin"
    )
    for who in ("supporter", "admin"):
        case = api.get(world.path(), who).json()
        assert case["access"] == "full"
        assert {s["display_name"] for s in case["supporters"]} == {"Sam Supporter", "Hal Helper"}
    # A party sees the pair only, not who helps with admin.
    party = api.get(world.path(), "party").json()
    assert [s["display_name"] for s in party["supporters"]] == ["Sam Supporter"]


def test_another_sw_member_sees_only_that_the_case_exists(
    api: Api, world: World, tokens: dict[str, str]
) -> None:
    from commonground.accounts.services import api_token_create
    from commonground.testing.factories import person_with_login

    other = person_with_login(world.p.org, Role.SW_MEMBER, full_name="Cy Other")
    tokens["other_sw"] = api_token_create(actor=None, user=other.user, name="Tests")[1]
    case = api.get(world.path(), "other_sw").json()
    assert case["access"] == "exists" and case["case_reference"] == world.case.reference
    assert case["title"] is None and case["parties"] == [] and case["obligations"] == []
    assert [s["display_name"] for s in case["supporters"]] == ["Sam Supporter"]
    # It is in the group's list, but cannot be run by them.
    assert api.get("/organisations/riverside/cases?show=all", "other_sw").json()["count"] == 1
    assert api.post(world.path("/path"), {"path": "facilitated"}, "other_sw").status_code == 404


# Assigning the pair


def test_supporters_are_assigned_by_the_sw_group_or_the_admin(api: Api, world: World) -> None:
    def assign(who: str | None) -> Any:
        helper = sw_member(world.p, f"Helper for {who}", course=False)
        return api.post(world.path("/supporters"), {"person_id": helper.pk, "role": "admin"}, who)

    expect(
        api,
        assign,
        {
            None: 401,
            "party": 403,
            "supporter": 201,
            "admin": 201,
            "unrelated": 404,
            "other_org": 404,
        },
    )


def test_assigning_the_second_of_the_pair(api: Api, world: World) -> None:
    second = sw_member(world.p, "Ben Pair")
    response = api.post(
        world.path("/supporters"), {"person_id": second.pk, "role": "facilitator"}, "admin"
    )
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["person_id"] == second.pk and row["display_name"] == "Ben Pair"
    assert row["role"] == "facilitator" and row["ends_on"] is None
    assert api.get(world.path(), "party").json()["pair_count"] == 2
    # ASH-19: a pair is two.
    third = sw_member(world.p, "Cy Third")
    before = state()
    response = api.post(
        world.path("/supporters"), {"person_id": third.pk, "role": "facilitator"}, "admin"
    )
    assert response.status_code == 400
    assert fields_of(response) == ["person_id"] and rules_of(response) == ["ASH-19"]
    assert state() == before


def test_ASH_20_only_members_with_the_course_may_facilitate(api: Api, world: World) -> None:
    untrained = sw_member(world.p, "Una Untrained", course=False)
    before = state()
    response = api.post(
        world.path("/supporters"), {"person_id": untrained.pk, "role": "facilitator"}, "admin"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "person_id" and error["rule"] == "ASH-20"
    assert "Una Untrained" in error["message"] and "introductory course" in error["message"]
    assert state() == before
    # They may help with admin instead.
    response = api.post(
        world.path("/supporters"), {"person_id": untrained.pk, "role": "admin"}, "admin"
    )
    assert response.status_code == 201


def test_ASH_19_nobody_in_the_conflict_or_close_to_it_is_assigned(api: Api, world: World) -> None:
    close = sw_member(world.p, "Cleo Close")
    # The neighbour in the conflict is in the S&W group too, with the course.
    RoleAssignmentFactory(person=world.neighbour, role=Role.SW_MEMBER)
    QualificationFactory(person=world.neighbour, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
    services.relationship_declare(actor=_user_for(close), case=world.case, note="Sister")
    before = state()
    for person, role in [
        (world.neighbour, "facilitator"),
        (close, "facilitator"),
        (close, "admin"),
    ]:
        response = api.post(
            world.path("/supporters"), {"person_id": person.pk, "role": role}, "admin"
        )
        assert response.status_code == 400, response.content
        assert fields_of(response) == ["person_id"] and rules_of(response) == ["ASH-19"]
    assert state() == before


def _user_for(person: Person) -> Any:
    from commonground.testing.factories import UserFactory

    person.user = UserFactory()
    person.save(update_fields=["user"])
    return person.user


def test_an_external_facilitator_needs_an_end_date(api: Api, world: World) -> None:
    external = PersonFactory(organisation=world.p.org, full_name="Eve External")
    before = state()
    response = api.post(
        world.path("/supporters"), {"person_id": external.pk, "role": "external"}, "admin"
    )
    assert response.status_code == 400 and fields_of(response) == ["ends_on"]
    assert state() == before
    ends = str(timezone.localdate() + dt.timedelta(days=14))
    response = api.post(
        world.path("/supporters"),
        {"person_id": external.pk, "role": "external", "ends_on": ends},
        "admin",
    )
    assert response.status_code == 201 and response.json()["ends_on"] == ends


def test_a_supporter_is_someone_in_this_organisation(api: Api, world: World) -> None:
    before = state()
    response = api.post(
        world.path("/supporters"), {"person_id": world.p.other_org.pk, "role": "admin"}, "admin"
    )
    assert response.status_code == 400
    assert fields_of(response) == ["person_id"] and rules_of(response) == ["not_found"]
    assert state() == before


# The path


def test_the_path_is_chosen_by_the_cases_supporters_or_the_admin(api: Api, world: World) -> None:
    services.initial_conversation_record(
        actor=world.p.supporter.user, case=world.case, held_at=timezone.now()
    )
    before = state()
    for who, status in {
        None: 401,
        "party": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        response = api.post(world.path("/path"), {"path": "facilitated"}, who)
        assert response.status_code == status, who
    assert state() == before
    response = api.post(world.path("/path"), {"path": "self_managed"}, "supporter")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "self_managed"
    # ASH-2: the member may later ask for facilitated conversations after all.
    response = api.post(world.path("/path"), {"path": "facilitated"}, "admin")
    assert response.status_code == 200
    case = response.json()
    assert case["stage"] == "individual_conversations"
    group = next(o for o in case["obligations"] if o["rule_id"] == "ASH-4")
    assert "by rule ASH-4" in group["why"] and "3 weeks" in group["why"]


def test_the_path_waits_for_the_initial_conversation(api: Api, world: World) -> None:
    before = state()
    response = api.post(world.path("/path"), {"path": "facilitated"}, "supporter")
    assert response.status_code == 400
    assert fields_of(response) == ["path"] and rules_of(response) == ["case_stage"]
    assert state() == before
    response = api.post(world.path("/path"), {"path": "mediation"}, "supporter")
    assert response.status_code == 400 and fields_of(response) == ["path"]
    assert state() == before


# Ending a supporter early (ASH-19)


def test_ASH_19_a_supporter_is_ended_early_by_the_sw_group_or_the_admin_with_a_reason(
    api: Api, world: World
) -> None:
    ada = sw_member(world.p, "Ada Pair")
    services.supporter_assign(
        actor=world.p.admin.user, case=world.case, person=ada, role=CaseSupporter.Role.FACILITATOR
    )
    path = world.path(f"/supporters/{ada.pk}/end")
    body = {"reason": "Moving away."}
    before = state()
    for who, status in {
        None: 401,
        "party": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.post(path, body, who).status_code == status, who
    response = api.post(path, {"reason": "  "}, "admin")
    assert response.status_code == 400
    assert fields_of(response) == ["reason"] and rules_of(response) == ["required"]
    assert state() == before
    response = api.post(path, body, "supporter")
    assert response.status_code == 200, response.content
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert response.json()["ends_on"] == str(yesterday)
    entry = AuditEntry.objects.filter(object_id=str(world.case.pk)).latest("pk")
    assert entry.reason == "Moving away." and entry.changes["ends_on"][1] == str(yesterday)
    # Their support has ended: there is no current supporter with that id any more.
    before = state()
    assert api.post(path, body, "admin").status_code == 404
    assert (
        api.post(world.path(f"/supporters/{world.neighbour.pk}/end"), body, "admin").status_code
        == 404
    )
    assert state() == before
