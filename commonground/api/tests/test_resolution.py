"""Community Resolution Meetings through the API: the same access rules and ASH rules as the pages.

world: the party persona asked for help with a neighbour; the supporter persona (an S&W member
with the introductory course) is one of the pair; the admin runs the organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from commonground.agreements.kinds import Kind, PartyRole
from commonground.agreements.services import agreement_create, agreement_sign
from commonground.api.tests.conftest import Api, expect, fields_of, rules_of
from commonground.audit.models import AuditEntry
from commonground.casework import services as casework
from commonground.casework.models import Case, CaseSupporter
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_record_attendance, meeting_schedule
from commonground.obligations.models import Obligation
from commonground.people.models import MembershipStatus, Person, QualificationKind
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.policies.values import LONDON
from commonground.resolution import services
from commonground.resolution.models import (
    AgendaVersion,
    CheckIn,
    CommunityResolutionMeeting,
    Contribution,
    CrmParty,
    Decision,
    NoticeToQuit,
    Reinstatement,
)
from commonground.testing.factories import (
    QualificationFactory,
    RoleAssignmentFactory,
    person_with_login,
)
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

CRM = CommunityResolutionMeeting


@dataclass
class World:
    p: Personas
    neighbour: Person
    case: Case

    @property
    def supporter(self) -> Any:
        return self.p.supporter.user

    def case_path(self, rest: str = "") -> str:
        return f"/organisations/riverside/cases/{self.case.pk}{rest}"


@pytest.fixture
def world(personas: Personas) -> World:
    p = personas
    policy_adopt(actor=None, organisation=p.org, policy="ASH")
    RoleAssignmentFactory(person=p.supporter, role=Role.SW_MEMBER)
    QualificationFactory(person=p.supporter, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
    neighbour = person_with_login(p.org, full_name="Nico Neighbour")
    case = casework.case_request(
        actor=p.party.user,
        organisation=p.org,
        title="Noise between flats",
        summary="Music late at night.",
        parties=[neighbour],
        received_at=timezone.now() - dt.timedelta(hours=2),
    )
    casework.supporter_assign(
        actor=p.admin.user, case=case, person=p.supporter, role=CaseSupporter.Role.FACILITATOR
    )
    return World(p=p, neighbour=neighbour, case=case)


def call(world: World) -> CRM:
    harm_by = world.case.parties.filter(person=world.neighbour)
    return services.crm_call(
        actor=world.supporter,
        case=world.case,
        stuck_reason="Every tool tried.",
        harm_reason="Sleepless nights for weeks.",
        harm_by=list(harm_by),
    )


@pytest.fixture
def crm(world: World) -> CRM:
    return call(world)


def crm_path(crm: CRM, rest: str = "") -> str:
    return f"/organisations/riverside/crms/{crm.pk}{rest}"


def ready(world: World, crm: CRM, needs: str = "Quiet nights.") -> None:
    """Notice given, every party reached and contributing, the summary written (ASH-8 to 11)."""
    services.crm_set_date(
        actor=world.supporter, crm=crm, meeting_at=timezone.now() + dt.timedelta(days=40)
    )
    for party in crm.parties.select_related("case_party__person"):
        services.crm_record_outreach(actor=world.supporter, party=party, on=timezone.localdate())
        contribution = services.contribution_save(
            actor=world.supporter,
            party=party,
            author=world.p.supporter,
            needs=needs,
            requests="A rota.",
        )
        services.contribution_place(
            actor=world.supporter, contribution=contribution, on_agenda=True
        )
    services.crm_write_summary(actor=world.supporter, crm=crm, support_summary="Support so far.")


def state() -> tuple[Any, ...]:
    """Everything a CRM write could change."""
    return (
        tuple(CRM.objects.order_by("pk").values_list("pk", "state", "meeting_at")),
        tuple(Case.objects.order_by("pk").values_list("pk", "stage")),
        AgendaVersion.objects.count(),
        AuditEntry.objects.count(),
    )


# The list and one CRM


def test_the_list_shows_each_member_the_crms_they_may_see(api: Api, world: World, crm: CRM) -> None:
    expect(
        api,
        lambda who: api.get("/organisations/riverside/crms", who),
        {
            None: 401,
            "party": 200,
            "supporter": 200,
            "admin": 200,
            "unrelated": 200,
            "other_org": 404,
        },
    )
    [item] = api.get("/organisations/riverside/crms", "party").json()["items"]
    assert item["id"] == crm.pk and item["access"] == "case"
    assert item["case_reference"] == world.case.reference and item["state"] == "called"
    assert item["agenda_published"] is False
    # Nothing is published yet, so an unrelated member sees none.
    assert api.get("/organisations/riverside/crms", "unrelated").json()["items"] == []
    ready(world, crm)
    services.agenda_publish(actor=world.supporter, crm=crm)
    [item] = api.get("/organisations/riverside/crms", "unrelated").json()["items"]
    assert item["access"] == "agenda" and item["case_reference"] is None
    assert item["agenda_published"] is True


def test_a_crm_is_seen_by_its_case_the_sw_group_and_the_admin(
    api: Api, world: World, crm: CRM
) -> None:
    expect(
        api,
        lambda who: api.get(crm_path(crm), who),
        {
            None: 401,
            "party": 200,
            "supporter": 200,
            "admin": 200,
            "unrelated": 404,
            "other_org": 404,
        },
    )
    assert (
        api.get(crm_path(crm), "unrelated").json()
        == api.get("/organisations/riverside/crms/999999", "unrelated").json()
    )
    services.crm_write_notes(actor=world.supporter, crm=crm, notes="Secret XYZZY note.")
    party = api.get(crm_path(crm), "party")
    body = party.json()
    assert body["access"] == "case" and body["case_id"] == world.case.pk
    assert body["grounds"] == ["No Shared Agreement was reached"]
    assert [(p["alias"], p["you"]) for p in body["parties"]] == [
        ("Member A", True),
        ("Member B", False),
    ]
    assert body["earliest_meeting_on"] is None and body["agenda"] is None
    # Neither the confidential reasons, nor the notes, nor anyone's name (ASH-12).
    for secret in ("XYZZY", "Every tool tried", "Sleepless", "Nico", "Pat Party"):
        assert secret not in party.content.decode()
    manage = api.get(crm_path(crm), "supporter").json()
    assert manage["access"] == "manage"
    assert manage["earliest_meeting_on"] == str(services.crm_earliest_date(crm))
    assert api.get(crm_path(crm), "admin").json()["access"] == "case"


def test_every_member_reads_the_published_agenda_and_nothing_else(
    api: Api, world: World, crm: CRM
) -> None:
    ready(world, crm)
    services.agenda_publish(actor=world.supporter, crm=crm)
    response = api.get(crm_path(crm), "unrelated")
    assert response.status_code == 200
    body = response.json()
    assert body["access"] == "agenda" and body["case_id"] is None
    assert body["case_reference"] is None and body["grounds"] == [] and body["parties"] == []
    assert body["obligations"] == []
    assert body["agenda"]["number"] == 1
    assert {"heading": "Member A: what they need", "text": "Quiet nights."} in body["agenda"][
        "sections"
    ]
    assert api.get(crm_path(crm), "other_org").status_code == 404


# ASH-7: calling a CRM


def test_a_crm_is_called_by_the_cases_supporters_or_the_sw_group(api: Api, world: World) -> None:
    body = {
        "stuck_reason": "Every tool tried.",
        "harm_reason": "Sleepless nights.",
        "harm_by": [world.neighbour.pk],
    }
    before = state()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.post(world.case_path("/crm"), body, who).status_code == status, who
    assert state() == before
    response = api.post(world.case_path("/crm"), body, "supporter")
    assert response.status_code == 201, response.content
    crm = CRM.objects.get(pk=response.json()["id"])
    assert crm.case == world.case and crm.state == CRM.State.CALLED
    assert [p.alias for p in crm.parties.filter(significant_harm=True)] == ["Member B"]
    world.case.refresh_from_db()
    assert world.case.stage == Case.Stage.CRM
    # ASH-7 again: one meeting at a time.
    before = state()
    again = api.post(world.case_path("/crm"), body, "supporter")
    assert again.status_code == 400 and rules_of(again) == ["crm_once"]
    assert state() == before


def test_ASH_7_a_crm_needs_both_reasons_and_names_what_is_missing(api: Api, world: World) -> None:
    before = state()
    response = api.post(world.case_path("/crm"), {}, "supporter")
    assert response.status_code == 400
    assert fields_of(response) == ["stuck_reason", "harm_reason"]
    assert rules_of(response) == ["ASH-7", "ASH-7"]
    assert all("(ASH-7)" in e["message"] for e in response.json()["errors"])
    response = api.post(world.case_path("/crm"), {"stuck_reason": "Tried all."}, "supporter")
    assert fields_of(response) == ["harm_reason"] and rules_of(response) == ["ASH-7"]
    assert state() == before


def test_ASH_7_a_crm_needs_no_agreement_a_broken_one_or_a_party_not_engaging(
    api: Api, world: World
) -> None:
    agreement = agreement_create(
        actor=world.p.admin.user,
        organisation=world.p.org,
        kind=Kind.SHARED_AGREEMENT,
        title="Quiet hours",
        sections={"agreements": "Quiet after 11pm."},
        subject=world.case,
        parties=[(p, PartyRole.PARTY) for p in (world.p.party, world.neighbour)],
    )
    for party in agreement.parties.all():
        agreement_sign(actor=party.person.user, party=party, version=agreement.current_version)
    before = state()
    response = api.post(
        world.case_path("/crm"),
        {"stuck_reason": "Tried all.", "harm_reason": "Distress."},
        "supporter",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] is None and error["rule"] == "ASH-7"
    assert "Shared Agreement was reached" in error["message"]
    assert state() == before


def test_only_parties_of_the_case_can_be_named_as_causing_harm(api: Api, world: World) -> None:
    before = state()
    for harm_by in ([world.p.unrelated.pk], [2**63 - 1]):
        response = api.post(
            world.case_path("/crm"),
            {"stuck_reason": "Tried all.", "harm_reason": "Distress.", "harm_by": harm_by},
            "supporter",
        )
        assert response.status_code == 400
        assert fields_of(response) == ["harm_by"] and rules_of(response) == ["invalid_choice"]
    assert state() == before


# ASH-8: notice


def test_notice_is_given_by_the_cases_supporters(api: Api, world: World, crm: CRM) -> None:
    day = str(services.crm_earliest_date(crm))
    body = {"meeting_on": day, "time": "19:30", "place": "Common room"}
    before = state()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.post(crm_path(crm, "/notice"), body, who).status_code == status, who
    assert state() == before
    response = api.post(crm_path(crm, "/notice"), body, "supporter")
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["state"] == "notice_given" and out["place"] == "Common room"
    assert out["meeting_at"].startswith(day) and out["notice_given_at"] is not None
    assert [o["rule_id"] for o in out["obligations"]] == ["ASH-8"]
    assert "by rule ASH-8" in out["obligations"][0]["why"]


def test_ASH_8_the_meeting_cannot_be_sooner_than_the_notice(
    api: Api, world: World, crm: CRM
) -> None:
    earliest = services.crm_earliest_date(crm)
    before = state()
    response = api.post(
        crm_path(crm, "/notice"),
        {"meeting_on": str(earliest - dt.timedelta(days=1)), "time": "19:00"},
        "supporter",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "meeting_on" and error["rule"] == "ASH-8"
    assert f"{earliest:%A} {earliest.day} {earliest:%B %Y}" in error["message"]
    assert state() == before
    crm.refresh_from_db()
    assert crm.notice_given_at is None
    response = api.post(
        crm_path(crm, "/notice"), {"meeting_on": str(earliest), "time": "25:00"}, "supporter"
    )
    assert response.status_code == 400 and fields_of(response) == ["time"]
    assert state() == before


# ASH-10: the anonymity check and publishing


def test_the_agenda_check_is_for_the_cases_supporters(api: Api, world: World, crm: CRM) -> None:
    expect(
        api,
        lambda who: api.get(crm_path(crm, "/agenda/check"), who),
        {
            None: 401,
            "party": 403,
            "supporter": 200,
            "admin": 403,
            "unrelated": 404,
            "other_org": 404,
        },
    )
    check = api.get(crm_path(crm, "/agenda/check"), "supporter").json()
    assert check["publishable"] is False and check["names_found"] == []
    assert any("(ASH-9)" in p for p in check["problems"])
    assert any("(ASH-11)" in p for p in check["problems"])


def test_ASH_10_the_check_shows_where_names_appear_and_publishing_is_refused(
    api: Api, world: World, crm: CRM
) -> None:
    ready(world, crm, needs="For Nico to stop the music.")
    check = api.get(crm_path(crm, "/agenda/check"), "supporter").json()
    assert check["publishable"] is False and check["problems"] == []
    found = check["names_found"]
    assert {f["word"] for f in found} == {"Nico"}
    assert {f["section"] for f in found} == {"Member A: what they need", "Member B: what they need"}
    assert "Nico to stop" in found[0]["excerpt"]
    before = state()
    response = api.post(
        crm_path(crm, "/agenda/publish"), {"fingerprint": check["fingerprint"]}, "supporter"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] is None and error["rule"] == "ASH-10"
    assert "“Nico” in Member A: what they need" in error["message"]
    assert state() == before


def test_the_agenda_is_published_by_the_cases_supporters(api: Api, world: World, crm: CRM) -> None:
    ready(world, crm)
    before = state()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.post(crm_path(crm, "/agenda/publish"), {}, who).status_code == status, who
    assert state() == before
    check = api.get(crm_path(crm, "/agenda/check"), "supporter").json()
    assert check["publishable"] is True
    response = api.post(
        crm_path(crm, "/agenda/publish"), {"fingerprint": check["fingerprint"]}, "supporter"
    )
    assert response.status_code == 201, response.content
    agenda = response.json()
    assert agenda["number"] == 1
    assert agenda["sections"] == check["sections"]
    assert agenda["sections"][-1] == {
        "heading": "Summary of support so far",
        "text": "Support so far.",
    }
    crm.refresh_from_db()
    assert crm.state == CRM.State.AGENDA_PUBLISHED
    assert api.get(crm_path(crm), "party").json()["agenda"]["number"] == 1


def test_publishing_is_refused_when_the_agenda_changed_since_it_was_checked(
    api: Api, world: World, crm: CRM
) -> None:
    ready(world, crm)
    check = api.get(crm_path(crm, "/agenda/check"), "supporter").json()
    services.crm_write_summary(actor=world.supporter, crm=crm, support_summary="Changed since.")
    before = state()
    response = api.post(
        crm_path(crm, "/agenda/publish"), {"fingerprint": check["fingerprint"]}, "supporter"
    )
    assert response.status_code == 400
    assert fields_of(response) == ["fingerprint"] and rules_of(response) == ["agenda_changed"]
    assert state() == before


def test_the_agenda_waits_for_notice(api: Api, world: World, crm: CRM) -> None:
    before = state()
    response = api.post(crm_path(crm, "/agenda/publish"), {}, "supporter")
    assert response.status_code == 400 and rules_of(response) == ["crm_state"]
    assert state() == before


def test_another_sw_member_follows_the_crm_but_does_not_prepare_it(
    api: Api, world: World, crm: CRM, tokens: dict[str, str]
) -> None:
    from commonground.accounts.services import api_token_create

    other = person_with_login(world.p.org, Role.SW_MEMBER, full_name="Cy Other")
    tokens["other_sw"] = api_token_create(actor=None, user=other.user, name="Tests")[1]
    body = api.get(crm_path(crm), "other_sw").json()
    assert body["access"] == "case"
    assert api.get(crm_path(crm, "/agenda/check"), "other_sw").status_code == 403
    day = str(services.crm_earliest_date(crm))
    before = state()
    response = api.post(crm_path(crm, "/notice"), {"meeting_on": day, "time": "19:00"}, "other_sw")
    assert response.status_code == 403
    assert state() == before


# ASH-9, ASH-11: outreach, contributions and the S&W summary


def written() -> tuple[Any, ...]:
    """Everything outreach, a contribution or the summary could change."""
    return (
        state(),
        tuple(CrmParty.objects.order_by("pk").values_list("pk", "outreach_on")),
        tuple(Contribution.objects.order_by("pk").values_list("pk", "author_id", "on_agenda")),
        tuple(CRM.objects.order_by("pk").values_list("pk", "updated_at")),
    )


def party_path(crm: CRM, person: Person, rest: str) -> str:
    return crm_path(crm, f"/parties/{person.pk}{rest}")


def test_ASH_9_outreach_is_recorded_by_the_cases_supporters(
    api: Api, world: World, crm: CRM
) -> None:
    path = party_path(crm, world.neighbour, "/outreach")
    body = {"on": str(timezone.localdate()), "note": "By phone."}
    before = written()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.post(path, body, who).status_code == status, who
    assert written() == before
    response = api.post(path, body, "supporter")
    assert response.status_code == 200, response.content
    assert response.json() == {"alias": "Member B", "outreach_on": str(timezone.localdate())}
    assert crm.parties.get(case_party__person=world.neighbour).outreach_on == timezone.localdate()


def test_outreach_is_recorded_once_it_has_happened_and_only_to_a_party(
    api: Api, world: World, crm: CRM
) -> None:
    before = written()
    tomorrow = str(timezone.localdate() + dt.timedelta(days=1))
    response = api.post(
        party_path(crm, world.neighbour, "/outreach"), {"on": tomorrow}, "supporter"
    )
    assert response.status_code == 400
    assert fields_of(response) == ["on"] and rules_of(response) == ["not_future"]
    response = api.post(
        party_path(crm, world.p.unrelated, "/outreach"),
        {"on": str(timezone.localdate())},
        "supporter",
    )
    assert response.status_code == 404
    assert written() == before


def test_ASH_9_a_party_writes_their_own_contribution_and_the_supporters_write_with_them(
    api: Api, world: World, crm: CRM
) -> None:
    body = {"needs": "Quiet nights.", "requests": "A rota."}
    own = party_path(crm, world.p.party, "/contribution")
    before = written()
    for who, status in {
        None: 401,
        "admin": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.put(own, body, who).status_code == status, who
    # The other party cannot write for them.
    assert (
        api.put(party_path(crm, world.neighbour, "/contribution"), body, "party").status_code == 403
    )
    assert written() == before
    response = api.put(own, body, "party")
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["needs"] == "Quiet nights." and out["written_by_the_member"] is True
    assert out["on_agenda"] is False
    # A supporter writes with the neighbour; writing again replaces it.
    path = party_path(crm, world.neighbour, "/contribution")
    assert api.put(path, body, "supporter").status_code == 200
    response = api.put(path, body | {"requests": "Quiet after ten."}, "supporter")
    assert response.status_code == 200
    assert response.json()["requests"] == "Quiet after ten."
    assert response.json()["written_by_the_member"] is False
    assert Contribution.objects.filter(crm=crm).count() == 2


def test_a_contribution_names_what_is_missing_and_writes_nothing(
    api: Api, world: World, crm: CRM
) -> None:
    before = written()
    response = api.put(
        party_path(crm, world.p.party, "/contribution"),
        {"needs": "  ", "requests": "A rota."},
        "party",
    )
    assert response.status_code == 400
    assert fields_of(response) == ["needs"] and rules_of(response) == ["required"]
    assert written() == before


def test_ASH_11_the_summary_is_written_by_the_cases_supporters(
    api: Api, world: World, crm: CRM
) -> None:
    path = crm_path(crm, "/summary")
    body = {"support_summary": "Two facilitated conversations.", "suggested_action_plan": "Rota."}
    before = written()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.put(path, body, who).status_code == status, who
    response = api.put(path, {"support_summary": " "}, "supporter")
    assert response.status_code == 400
    assert fields_of(response) == ["support_summary"] and rules_of(response) == ["required"]
    assert written() == before
    response = api.put(path, body, "supporter")
    assert response.status_code == 200, response.content
    assert response.json() == body
    crm.refresh_from_db()
    assert crm.support_summary == "Two facilitated conversations."


def test_the_agenda_is_prepared_and_published_through_the_api(
    api: Api, world: World, crm: CRM
) -> None:
    services.crm_set_date(
        actor=world.supporter, crm=crm, meeting_at=timezone.now() + dt.timedelta(days=40)
    )
    for person in (world.p.party, world.neighbour):
        today = {"on": str(timezone.localdate())}
        assert api.post(party_path(crm, person, "/outreach"), today, "supporter").status_code == 200
        body = {"needs": "Quiet nights.", "requests": "A rota."}
        assert (
            api.put(party_path(crm, person, "/contribution"), body, "supporter").status_code == 200
        )
    for contribution in Contribution.objects.filter(crm=crm):
        services.contribution_place(
            actor=world.supporter, contribution=contribution, on_agenda=True
        )
    summary = {"support_summary": "Support so far."}
    assert api.put(crm_path(crm, "/summary"), summary, "supporter").status_code == 200
    check = api.get(crm_path(crm, "/agenda/check"), "supporter").json()
    assert check["publishable"] is True, check
    assert api.post(crm_path(crm, "/agenda/publish"), {}, "supporter").status_code == 201


# ASH-9: placing a contribution on the agenda


def test_ASH_9_a_contribution_is_placed_on_the_agenda_by_the_cases_supporters(
    api: Api, world: World, crm: CRM
) -> None:
    services.contribution_save(
        actor=world.p.party.user,
        party=crm.parties.get(case_party__person=world.p.party),
        author=world.p.party,
        needs="Quiet nights.",
        requests="A rota.",
    )
    path = party_path(crm, world.p.party, "/contribution/place")
    before = written()
    for who, status in {
        None: 401,
        "party": 403,
        "admin": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.post(path, {"on_agenda": "yes"}, who).status_code == status, who
    response = api.post(path, {"on_agenda": "maybe"}, "supporter")
    assert response.status_code == 400 and fields_of(response) == ["on_agenda"]
    assert written() == before
    response = api.post(path, {"on_agenda": "yes"}, "supporter")
    assert response.status_code == 200, response.content
    assert response.json()["on_agenda"] is True and response.json()["alias"] == "Member A"
    assert Contribution.objects.get(crm=crm, party__case_party__person=world.p.party).on_agenda
    # The neighbour has written nothing yet: nothing to place.
    before = written()
    missing = api.post(
        party_path(crm, world.neighbour, "/contribution/place"), {"on_agenda": "yes"}, "supporter"
    )
    assert missing.status_code == 404
    assert written() == before


# ASH-13, ASH-14: the meeting's decisions


def started(world: World, crm: CRM) -> None:
    """The agenda published and the meeting begun."""
    ready(world, crm)
    services.agenda_publish(actor=world.supporter, crm=crm)
    CRM.objects.filter(pk=crm.pk).update(meeting_at=timezone.now() - dt.timedelta(minutes=5))
    crm.refresh_from_db()


def decided() -> tuple[Any, ...]:
    return (
        written(),
        Decision.objects.count(),
        NoticeToQuit.objects.count(),
        tuple(Person.objects.order_by("pk").values_list("pk", "membership_status")),
    )


def test_ASH_13_the_meetings_decision_is_recorded_by_the_admin(
    api: Api, world: World, crm: CRM
) -> None:
    started(world, crm)
    path = party_path(crm, world.p.party, "/decision")
    body = {"action_plan": "not_needed", "reason": "No harm from this member."}
    before = decided()
    for who, status in {
        None: 401,
        "party": 403,
        "supporter": 403,
        "unrelated": 404,
        "other_org": 404,
    }.items():
        assert api.post(path, body, who).status_code == status, who
    assert decided() == before
    response = api.post(path, body, "admin")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["alias"] == "Member A" and out["action_plan_needed"] is False
    assert out["notice_to_quit_id"] is None and out["crm_state"] == "agenda_published"
    # Once per party.
    before = decided()
    again = api.post(path, body, "admin")
    assert again.status_code == 400 and rules_of(again) == ["crm_decided_once"]
    assert decided() == before


def test_ASH_13_an_action_plan_only_where_significant_harm_is_recorded(
    api: Api, world: World, crm: CRM
) -> None:
    started(world, crm)
    before = decided()
    response = api.post(
        party_path(crm, world.p.party, "/decision"),
        {"action_plan": "needed", "reason": "Harm.", "actions": "Quiet."},
        "admin",
    )
    assert response.status_code == 400
    assert fields_of(response) == ["action_plan"] and rules_of(response) == ["ASH-13"]
    response = api.post(
        party_path(crm, world.neighbour, "/decision"),
        {"action_plan": "needed", "reason": "Harm."},
        "admin",
    )
    assert response.status_code == 400
    assert fields_of(response) == ["actions"] and rules_of(response) == ["required"]
    assert decided() == before


def test_ASH_13_decisions_wait_for_the_meeting(api: Api, world: World, crm: CRM) -> None:
    ready(world, crm)
    services.agenda_publish(actor=world.supporter, crm=crm)
    before = decided()
    response = api.post(
        party_path(crm, world.p.party, "/decision"),
        {"action_plan": "not_needed", "reason": "x"},
        "admin",
    )
    assert response.status_code == 400 and rules_of(response) == ["crm_held"]
    assert decided() == before


def test_ASH_14_an_action_plan_removes_membership_and_issues_a_notice_to_quit(
    api: Api, world: World, crm: CRM
) -> None:
    started(world, crm)
    response = api.post(
        party_path(crm, world.neighbour, "/decision"),
        {"action_plan": "needed", "reason": "Harm continues.", "actions": "Quiet after ten."},
        "admin",
    )
    assert response.status_code == 201, response.content
    out = response.json()
    notice = NoticeToQuit.objects.get(pk=out["notice_to_quit_id"])
    assert notice.person == world.neighbour and out["action_plan_id"] is not None
    world.neighbour.refresh_from_db()
    assert world.neighbour.membership_status == MembershipStatus.REMOVED
    response = api.post(
        party_path(crm, world.p.party, "/decision"),
        {"action_plan": "not_needed", "reason": "No harm."},
        "admin",
    )
    assert response.json()["crm_state"] == "decided"


# ASH-15, ASH-16, ASH-17: after the Notice to Quit


@pytest.fixture
def notice(api: Api, world: World, crm: CRM) -> NoticeToQuit:
    started(world, crm)
    services.crm_decide(
        actor=world.p.admin.user,
        party=crm.parties.get(case_party__person=world.neighbour),
        action_plan_needed=True,
        reason="Harm continues.",
        actions="Quiet after ten.",
    )
    return NoticeToQuit.objects.get()


@pytest.fixture
def notice_tokens(world: World, tokens: dict[str, str]) -> None:
    """The neighbour, who was given the notice, can call the API too."""
    from commonground.accounts.services import api_token_create

    tokens["recipient"] = api_token_create(actor=None, user=world.neighbour.user, name="T")[1]


# After a Notice to Quit: the admin records reinstatement and the court application; the member
# given the notice sees it but changes nothing; the other party has no need to know of it.
ADMIN_ONLY: dict[str | None, int] = {
    None: 401,
    "recipient": 403,
    "party": 404,
    "supporter": 403,
    "unrelated": 404,
    "other_org": 404,
}


def refused(api: Api, path: str, body: dict[str, Any], answers: dict[str | None, int]) -> None:
    for who, status in answers.items():
        assert api.post(path, body, who).status_code == status, who


def ntq_path(notice: NoticeToQuit, rest: str) -> str:
    return f"/organisations/riverside/notices-to-quit/{notice.pk}{rest}"


def after() -> tuple[Any, ...]:
    return (
        decided(),
        tuple(NoticeToQuit.objects.order_by("pk").values_list("pk", "state")),
        CheckIn.objects.count(),
        Reinstatement.objects.count(),
        tuple(Obligation.objects.order_by("pk").values_list("pk", "state")),
    )


def test_ASH_15_check_ins_are_recorded_by_the_cases_supporters(
    api: Api, world: World, notice: NoticeToQuit, notice_tokens: None
) -> None:
    path = ntq_path(notice, "/check-ins")
    body = {"held_on": str(timezone.localdate()), "note": "Going well.", "recommend_restore": "yes"}
    before = after()
    # The supporters check in; the admin does not (ASH-15).
    refused(
        api, path, body, {k: v for k, v in ADMIN_ONLY.items() if k != "supporter"} | {"admin": 403}
    )
    assert after() == before
    response = api.post(path, body, "supporter")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["recommend_restore"] is True and out["notice"]["state"] == "running"
    [met] = [o for o in out["notice"]["obligations"] if o["status"] == "met"]
    assert met["rule_id"] == "ASH-15"
    assert CheckIn.objects.get().note == "Going well."


def test_ASH_15_a_check_in_is_recorded_once_it_has_happened(
    api: Api, world: World, notice: NoticeToQuit
) -> None:
    before = after()
    tomorrow = str(timezone.localdate() + dt.timedelta(days=1))
    response = api.post(
        ntq_path(notice, "/check-ins"), {"held_on": tomorrow, "note": "x"}, "supporter"
    )
    assert response.status_code == 400
    assert fields_of(response) == ["held_on"] and rules_of(response) == ["not_future"]
    response = api.post(
        ntq_path(notice, "/check-ins"),
        {"held_on": str(timezone.localdate()), "note": " "},
        "supporter",
    )
    assert fields_of(response) == ["note"] and rules_of(response) == ["required"]
    assert after() == before


def held_meeting(world: World) -> Meeting:
    meeting = meeting_schedule(
        actor=world.p.admin.user,
        organisation=world.p.org,
        kind="group_meeting",
        starts_at=timezone.now() - dt.timedelta(hours=2),
        duration=dt.timedelta(hours=1),
        facilitators=[world.p.supporter],
        title="General meeting",
    )
    return meeting_record_attendance(actor=world.p.admin.user, meeting=meeting, attendance={})


def test_ASH_16_reinstatement_is_recorded_by_the_admin_from_a_held_meeting(
    api: Api, world: World, notice: NoticeToQuit, notice_tokens: None
) -> None:
    meeting = held_meeting(world)
    path = ntq_path(notice, "/reinstatement")
    body = {"meeting_id": meeting.pk, "reason": "The Action Plan succeeded."}
    before = after()
    refused(api, path, body, ADMIN_ONLY)
    assert after() == before
    response = api.post(path, body, "admin")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["state"] == "reinstated" and out["reinstated_on"] == str(meeting.local_day)
    world.neighbour.refresh_from_db()
    assert world.neighbour.membership_status == MembershipStatus.REINSTATED
    assert {o["rule_id"]: o["status"] for o in out["obligations"]}["ASH-17"] == "cancelled"


def test_ASH_16_reinstatement_needs_a_meeting_that_was_held(
    api: Api, world: World, notice: NoticeToQuit
) -> None:
    scheduled = meeting_schedule(
        actor=world.p.admin.user,
        organisation=world.p.org,
        kind="group_meeting",
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration=dt.timedelta(hours=1),
        facilitators=[world.p.supporter],
    )
    before = after()
    for meeting_id in (scheduled.pk, 2**63 - 1):
        response = api.post(
            ntq_path(notice, "/reinstatement"), {"meeting_id": meeting_id, "reason": "x"}, "admin"
        )
        assert response.status_code == 400
        assert fields_of(response) == ["meeting_id"] and rules_of(response) == ["ASH-16"]
    assert after() == before


def test_ASH_17_the_court_application_is_recorded_by_the_admin_after_the_notice_ends(
    api: Api, world: World, notice: NoticeToQuit, notice_tokens: None
) -> None:
    path = ntq_path(notice, "/court")
    body = {"note": "Solicitor instructed."}
    before = after()
    refused(api, path, body, ADMIN_ONLY)
    # Not before the notice ends.
    response = api.post(path, body, "admin")
    assert response.status_code == 400
    assert fields_of(response) == ["note"] and rules_of(response) == ["ASH-17"]
    assert after() == before
    with time_machine.travel(
        dt.datetime.combine(notice.ends_on, dt.time(10), tzinfo=LONDON), tick=False
    ):
        response = api.post(path, body, "admin")
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["state"] == "court" and out["court_application_begun_on"] == str(notice.ends_on)
    assert {o["rule_id"]: o["status"] for o in out["obligations"]}["ASH-17"] == "met"
