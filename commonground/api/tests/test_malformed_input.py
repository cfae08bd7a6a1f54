"""Garbage thrown at every endpoint gets a 4xx JSON answer naming the problem, and writes nothing.

Every call here is made as the admin, who may do everything, so what is refused is the input.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any

import pytest
from django.utils import timezone

from commonground.access.policy import forget_standing
from commonground.api.api import api as ninja_api
from commonground.api.tests import app_endpoints
from commonground.api.tests.conftest import Api, fields_of
from commonground.api.tests.endpoints import ENDPOINTS as CORE_ENDPOINTS
from commonground.audit.models import AuditEntry
from commonground.casework.models import Case
from commonground.casework.services import (
    case_request,
    initial_conversation_record,
    supporter_assign,
)
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_record_attendance, meeting_schedule
from commonground.obligations.services import obligation_schedule
from commonground.people.models import Person, Qualification, QualificationKind, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.resolution.models import CommunityResolutionMeeting as CRM
from commonground.resolution.models import NoticeToQuit
from commonground.resolution.services import (
    agenda_publish,
    contribution_place,
    contribution_save,
    crm_call,
    crm_decide,
    crm_earliest_date,
    crm_record_outreach,
    crm_set_date,
    crm_write_summary,
)
from commonground.swgroup.services import CATEGORY_LABELS, budget_set, spending_request_create
from commonground.testing.factories import (
    PersonFactory,
    QualificationFactory,
    RoleAssignmentFactory,
)
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

BAD_IDS = [
    "abc",
    "0",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    "9223372036854775808",  # one more than the largest 64-bit id
    "99999999999999999999999999999999",
    "-99999999999999999999999999999999",
]
BAD_SLUGS = ["x" * 300, "%00", "r%C3%A9", "..", "a%20b", "a%2Fb", "%F0%9F%98%80"]


# Every endpoint: the core's and those the apps list (commonground/api/tests/app_endpoints.py).
ENDPOINTS = [*CORE_ENDPOINTS, *app_endpoints.endpoints()]
WRITES = [(method, path) for method, path, body in ENDPOINTS if body]
APP_PATHS = {path for _, path, _ in app_endpoints.endpoints()}


@pytest.fixture
def fill(request: pytest.FixtureRequest, personas: Personas) -> dict[str, Any]:
    """The core's values, and for an app's endpoint that app's own ids too (each app fills
    only the endpoints it lists, so apps cannot clash over a name)."""
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params if callspec is not None else {}
    path = params.get("path")
    if path is not None and refused_before_any_lookup(request.node.originalname, params):
        # Nothing is looked up: the ids need only be well formed.
        wellformed = dict.fromkeys(names_in(params["method"], path), 1)
        return wellformed | {"slug": personas.org.slug, "rule_id": "ASH-8", "param": "notice"}
    values = core_fill(personas, with_crm=path is None or needs_crm(params.get("method"), path))
    if path in APP_PATHS:
        values = app_endpoints.fill_for(path, personas, values)
    return values


CRM_NAMES = ("crm_id", "crm_date", "notice_id", "meeting_id")


def needs_crm(method: str | None, path: str) -> bool:
    """Whether the endpoint's address or valid body names the started CRM's records (building
    it is most of the fixture's cost, so only those endpoints pay for it)."""
    body = json.dumps(VALID.get((method or "", path), {}))
    return path not in APP_PATHS and any("{" + name + "}" in path + body for name in CRM_NAMES)


def names_in(method: str, path: str) -> set[str]:
    """The "{name}"s of the endpoint's address and of its valid body."""
    return set(re.findall(r"{(\w+)}", path + json.dumps(VALID.get((method, path), {}))))


# Wrong values that no field of any request body accepts, so the schema refuses them.
SCHEMA_REFUSES = (-1, 1.5, True, ["a list"], {"an": "object"}, "\x00")


def refused_before_any_lookup(test: str, params: dict[str, Any]) -> bool:
    """Refusals that come before any record is read: a body that is missing, is not a JSON
    object or has a field no endpoint knows, an organisation address that cannot be one, an id
    that is not a whole number in range."""
    if test in {
        "test_a_body_that_is_not_a_json_object_is_refused",
        "test_a_missing_body_is_refused",
        "test_an_unknown_field_is_refused_by_name",
        "test_a_malformed_organisation_address_is_refused",
    }:
        return True
    if test == "test_an_id_that_is_not_a_row_id_is_refused":
        return params["bad"] not in {"0", "-1"}
    if test == "test_every_field_with_a_wrong_value_is_named":
        return any(
            params["value"] == v and type(params["value"]) is type(v) for v in SCHEMA_REFUSES
        )
    if test == "test_an_invalid_date_is_refused_by_name":
        # A date the schema refuses, beside well-formed ids (other values need real records).
        names = names_in(params["method"], params["path"]) - {"slug"}
        return all(name.endswith("_id") or name in {"qid"} for name in names)
    return False


def core_fill(personas: Personas, *, with_crm: bool = True) -> dict[str, Any]:
    """Real values for every path parameter: the supporter, one of their roles, a
    qualification, a rule and its number, an obligation the supporter acts on, and a case the
    supporter is in, its initial conversation held; `sw_id` is an S&W member who may facilitate;
    with `with_crm`, a started CRM on a second case (see started_crm)."""
    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    obligation = obligation_schedule(
        organisation=personas.org,
        rule_id="ASH-1",
        param="within",
        subject=("casework.case", 1),
        key="fill",
        title="Initial conversation",
        trigger_event="request",
        trigger_at=timezone.localdate(),
        assignees=[personas.supporter],
    )
    sw1, sw2 = (sw_facilitator(personas, name) for name in ("Ada Pair", "Ben Pair"))
    case = case_request(
        actor=personas.admin.user,
        organisation=personas.org,
        title="Noise between flats",
        parties=[personas.party],
        requested_by=personas.supporter,
        received_at=timezone.now() - dt.timedelta(hours=1),
    )
    supporter_assign(actor=personas.admin.user, case=case, person=sw1, role="facilitator")
    initial_conversation_record(actor=personas.admin.user, case=case, held_at=timezone.now())
    # The admin is in the S&W group too, supports a second case with a CRM called on it, and
    # has asked for money from this period's budget.
    RoleAssignmentFactory(person=personas.admin, role=Role.SW_MEMBER)
    forget_standing(personas.admin.user)
    crm_case = case_request(
        actor=personas.admin.user,
        organisation=personas.org,
        title="Shared stairwell",
        parties=[personas.party, PersonFactory(organisation=personas.org, full_name="Olu Other")],
        requested_by=personas.unrelated,
    )
    supporter_assign(actor=personas.admin.user, case=crm_case, person=personas.admin, role="admin")
    crm_values: dict[str, Any] = {}
    if with_crm:
        crm, notice, meeting = started_crm(personas, crm_case)
        crm_values = {
            "crm_id": crm.pk,
            "crm_date": str(crm_earliest_date(crm)),
            "notice_id": notice.pk,
            "meeting_id": meeting.pk,
        }
    budget_set(
        actor=personas.admin.user,
        organisation=personas.org,
        starts_on=timezone.localdate(),
        amounts=dict.fromkeys(CATEGORY_LABELS, 50_000),
    )
    spending = spending_request_create(
        actor=personas.admin.user,
        organisation=personas.org,
        category="training",
        amount_pence=1_000,
        reason="Course",
    )
    return {
        "slug": "riverside",
        "person_id": personas.supporter.pk,
        "role_id": personas.supporter.roles.get().pk,
        "qid": QualificationFactory(person=personas.supporter).pk,
        "rule_id": "ASH-8",
        "param": "notice",
        "obligation_id": obligation.pk,
        "case_id": case.pk,
        "sw_id": sw2.pk,
        "party_id": personas.party.pk,
        "request_id": spending.pk,
        "member_id": sw1.pk,
        "supporter_id": sw1.pk,
    } | crm_values


def started_crm(personas: Personas, case: Case) -> tuple[CRM, NoticeToQuit, Meeting]:
    """A CRM on `case` whose anonymous agenda is published and whose meeting has started; the
    other party was given an Action Plan and so a Notice to Quit; the party persona is not
    decided yet. And a meeting that was held, for a reinstatement."""
    admin = personas.admin.user
    harm_by = list(case.parties.exclude(person=personas.party))
    other = harm_by[0].person
    crm = crm_call(actor=admin, case=case, stuck_reason="S", harm_reason="H", harm_by=harm_by)
    crm_set_date(actor=admin, crm=crm, meeting_at=timezone.now() + dt.timedelta(days=40))
    for party in crm.parties.select_related("case_party__person"):
        crm_record_outreach(actor=admin, party=party, on=timezone.localdate())
        contribution = contribution_save(
            actor=admin, party=party, author=personas.admin, needs="Quiet.", requests="A rota."
        )
        contribution_place(actor=admin, contribution=contribution, on_agenda=True)
    crm_write_summary(actor=admin, crm=crm, support_summary="Support so far.")
    agenda_publish(actor=admin, crm=crm)
    CRM.objects.filter(pk=crm.pk).update(meeting_at=timezone.now() - dt.timedelta(minutes=5))
    crm.refresh_from_db()
    crm_decide(
        actor=admin,
        party=crm.parties.get(case_party__person=other),
        action_plan_needed=True,
        reason="Harm.",
        actions="Quiet after ten.",
    )
    # Member A's contribution came off the agenda since, so the draft cannot be published again.
    contribution_place(
        actor=admin,
        contribution=crm.contributions.get(party__case_party__person=personas.party),
        on_agenda=False,
    )
    meeting = meeting_schedule(
        actor=admin,
        organisation=personas.org,
        kind="group_meeting",
        starts_at=timezone.now() - dt.timedelta(hours=2),
        duration=dt.timedelta(hours=1),
        facilitators=[personas.admin],
        title="General meeting",
    )
    meeting_record_attendance(actor=admin, meeting=meeting, attendance={})
    # The notice has run its course today, so the court application may begin (ASH-17).
    notice = NoticeToQuit.objects.get(crm=crm)
    NoticeToQuit.objects.filter(pk=notice.pk).update(ends_on=timezone.localdate())
    return crm, notice, meeting


def sw_facilitator(personas: Personas, name: str) -> Person:
    person = PersonFactory(organisation=personas.org, full_name=name)
    RoleAssignmentFactory(person=person, role=Role.SW_MEMBER)
    QualificationFactory(person=person, kind=QualificationKind.CONFLICT_FACILITATION_INTRO)
    return person


def counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        RoleAssignment.objects.count(),
        Qualification.objects.count(),
        AuditEntry.objects.count(),
    )


def assert_refused(response: Any, status: int | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "rule", "message"}
        assert error["field"] is None or isinstance(error["field"], str)
        assert isinstance(error["rule"], str) and error["rule"]
        assert error["message"].endswith(".")
    return dict(body)


@functools.cache
def openapi_document() -> dict[str, Any]:
    return dict(ninja_api.get_openapi_schema(path_prefix="/api/v1"))


def request_fields(method: str, path: str) -> dict[str, Any]:
    """The JSON body's properties for an endpoint, from the OpenAPI document."""
    document = openapi_document()
    operation = document["paths"]["/api/v1" + path][method.lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    # An optional body (the reason for a removal) is "anyOf": [the schema, null].
    ref = next(s["$ref"] for s in schema.get("anyOf", [schema]) if "$ref" in s)
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return dict(schema["properties"])


# Bodies


NOT_OBJECTS = [
    b"not json",
    b"{",
    b'{"full_name": "unterminated',
    b"\xff\xfe\x00\x00garbage",
    b"[]",
    b'[{"reason": "in a list"}]',
    b'"a string"',
    b"42",
    b"true",
    b"[" * 100_000,
    b"<xml/>",
    b"full_name=Nia&email=a%40b.c",
]


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("raw", NOT_OBJECTS, ids=lambda raw: repr(raw[:20]))
def test_a_body_that_is_not_a_json_object_is_refused(
    api: Api, fill: dict[str, Any], method: str, path: str, raw: bytes
) -> None:
    before = counts()
    assert_refused(api(method, path.format(**fill), raw=raw), 400)
    assert counts() == before


@pytest.mark.parametrize(("method", "path"), [w for w in WRITES if w[0] != "DELETE"])
def test_a_missing_body_is_refused(api: Api, fill: dict[str, Any], method: str, path: str) -> None:
    for raw in (b"", b"null"):
        body = assert_refused(api(method, path.format(**fill), raw=raw), 400)
        assert body["errors"][0]["field"] is None


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_an_unknown_field_is_refused_by_name(
    api: Api, fill: dict[str, Any], method: str, path: str
) -> None:
    before = counts()
    response = api(method, path.format(**fill), body={"surprise": 1})
    assert_refused(response, 400)
    assert "surprise" in fields_of(response)
    assert counts() == before


WRONG_VALUES = [12345, -1, 1.5, True, ["a list"], {"an": "object"}, "x" * 100_000, "", "\x00"]


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("value", WRONG_VALUES, ids=lambda v: repr(v)[:20])
def test_every_field_with_a_wrong_value_is_named(
    api: Api, fill: dict[str, Any], method: str, path: str, value: Any
) -> None:
    properties = request_fields(method, path)
    body = dict.fromkeys(properties, value)
    before = counts()
    response = api(method, path.format(**fill), body=body)
    assert_refused(response, 400)
    # A problem inside a list names the item, as contact_channels.0.
    named = {f.split(".")[0] if f else f for f in fields_of(response)}
    # A positive whole number is a well-formed id: whether it names anyone is for the service.
    ids = {name for name, p in properties.items() if is_id(p)} if value == 12345 else set()
    if value != "":
        # An id may still be named, by the service that finds no such record.
        assert named - ids == set(properties) - ids
    assert named <= set(properties) | {None}
    assert counts() == before


def is_id(prop: dict[str, Any]) -> bool:
    return any(p.get("type") == "integer" for p in prop.get("anyOf", [prop]))


def today() -> str:
    return str(timezone.localdate())


# A body each write endpoint accepts, and its date fields.
VALID: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/organisations/{slug}/people"): {"full_name": "Nia New", "membership_since": "D"},
    ("POST", "/organisations/{slug}/people/{person_id}/membership"): {
        "status": "hiatus",
        "effective_on": "D",
        "reason": "Time out",
    },
    ("POST", "/organisations/{slug}/people/{person_id}/roles"): {
        "role": "sw_member",
        "starts_on": "D",
        "ends_on": "D",
    },
    ("POST", "/organisations/{slug}/people/{person_id}/roles/{role_id}/end"): {"ends_on": "D"},
    ("POST", "/organisations/{slug}/people/{person_id}/qualifications"): {
        "kind": "dbs_check",
        "obtained_on": "D",
        "expires_on": "D",
    },
    ("PATCH", "/organisations/{slug}/people/{person_id}/qualifications/{qid}"): {
        "obtained_on": "D",
        "expires_on": "D",
    },
    ("POST", "/organisations/{slug}/obligations/{obligation_id}/waive"): {"reason": "Withdrawn"},
    ("PUT", "/organisations/{slug}/policy/{rule_id}/{param}"): {
        "value": "5 weeks",
        "reason": "AGM",
    },
    ("POST", "/organisations/{slug}/cases"): {
        "title": "Shared garden",
        "summary": "Bins left by the gate.",
        "parties": ["{person_id}"],
    },
    ("POST", "/organisations/{slug}/cases/{case_id}/supporters"): {
        "person_id": "{sw_id}",
        "role": "facilitator",
        "ends_on": "D",
    },
    ("POST", "/organisations/{slug}/cases/{case_id}/path"): {"path": "facilitated"},
    ("POST", "/organisations/{slug}/cases/{case_id}/supporters/{supporter_id}/end"): {
        "reason": "Stepping back for a while"
    },
    ("POST", "/organisations/{slug}/cases/{case_id}/crm"): {
        "stuck_reason": "Every tool tried",
        "harm_reason": "Sleepless nights",
        "harm_by": ["{party_id}"],
    },
    ("POST", "/organisations/{slug}/crms/{crm_id}/notice"): {
        "meeting_on": "{crm_date}",
        "time": "19:00",
        "place": "Common room",
    },
    ("POST", "/organisations/{slug}/crms/{crm_id}/parties/{party_id}/outreach"): {
        "on": "D",
        "note": "By phone",
    },
    ("PUT", "/organisations/{slug}/crms/{crm_id}/parties/{party_id}/contribution"): {
        "needs": "Quiet nights",
        "requests": "A rota",
    },
    ("PUT", "/organisations/{slug}/crms/{crm_id}/summary"): {
        "support_summary": "Support so far",
        "suggested_action_plan": "Quiet after ten",
    },
    ("PUT", "/organisations/{slug}/sw-group/budget"): {
        "starts_on": "D",
        "amounts_pence": {"training": 60_000},
    },
    ("POST", "/organisations/{slug}/sw-group/spending"): {
        "amount_pence": 1_000,
        "category": "training",
        "case_id": "{case_id}",
        "reason": "Room hire",
        "urgency": "emergency",
    },
    ("POST", "/organisations/{slug}/sw-group/spending/{request_id}/approve"): {"agree": "yes"},
    ("POST", "/organisations/{slug}/sw-group/spending/{request_id}/withdraw"): {
        "reason": "Found a free room"
    },
    ("POST", "/organisations/{slug}/crms/{crm_id}/parties/{party_id}/contribution/place"): {
        "on_agenda": "yes"
    },
    ("POST", "/organisations/{slug}/crms/{crm_id}/parties/{party_id}/decision"): {
        "action_plan": "not_needed",
        "reason": "No harm recorded.",
    },
    ("POST", "/organisations/{slug}/notices-to-quit/{notice_id}/check-ins"): {
        "held_on": "D",
        "note": "Going well.",
        "recommend_restore": "yes",
    },
    ("POST", "/organisations/{slug}/notices-to-quit/{notice_id}/reinstatement"): {
        "meeting_id": "{meeting_id}",
        "reason": "The Action Plan succeeded.",
    },
    ("POST", "/organisations/{slug}/notices-to-quit/{notice_id}/court"): {
        "note": "Solicitor instructed."
    },
    ("POST", "/organisations/{slug}/sw-group/members/{member_id}/end"): {
        "ends_on": "D",
        "reason": "Stepping back",
        "confirm": "yes",
    },
    ("POST", "/organisations/{slug}/sw-group/members"): {
        "person_id": "{party_id}",
        "starts_on": "D",
        "note": "Admin help",
        "confirm": "yes",
    },
}
VALID |= app_endpoints.valid_bodies()
DATE_FIELDS = [
    (method, path, field)
    for (method, path), body in VALID.items()
    for field, value in body.items()
    if value == "D"
]
BAD_DATES = [
    "2026-02-30",
    "2025-02-29",
    "2026-13-01",
    "2026-00-10",
    "2026-1-1",
    "01/02/2026",
    "yesterday",
    "1700000000",
    1700000000,
    0,
    "99999-01-01",
    "2026-01-01T10:00:00",
    "",
    "2026-01-01\x00",
]


def valid_body(method: str, path: str, fill: dict[str, Any]) -> dict[str, Any]:
    """VALID's body with today for "D" and the fixture's ids for "{name}"."""

    def value(v: Any) -> Any:
        if isinstance(v, list):
            return [value(item) for item in v]
        if v == "D":
            return today()
        if isinstance(v, str) and v.startswith("{") and v.endswith("}"):
            return fill[v[1:-1]]
        return v

    return {k: value(v) for k, v in VALID[(method, path)].items()}


@pytest.mark.parametrize(("method", "path", "field"), DATE_FIELDS)
@pytest.mark.parametrize("value", BAD_DATES, ids=repr)
def test_an_invalid_date_is_refused_by_name(
    api: Api, fill: dict[str, Any], method: str, path: str, field: str, value: Any
) -> None:
    before = counts()
    response = api(
        method, path.format(**fill), body=valid_body(method, path, fill) | {field: value}
    )
    assert_refused(response, 400)
    assert fields_of(response) == [field]
    assert counts() == before


@pytest.mark.parametrize(("method", "path"), list(VALID))
def test_the_valid_bodies_here_are_accepted(
    api: Api, fill: dict[str, Any], method: str, path: str
) -> None:
    # So that the invalid-date tests above fail on the date and nothing else.
    response = api(method, path.format(**fill), body=valid_body(method, path, fill))
    assert response.status_code in (200, 201), response.content


def test_a_date_far_in_the_past_or_future_is_refused_by_the_rules(
    api: Api, fill: dict[str, Any]
) -> None:
    path = "/organisations/{slug}/people/{person_id}/qualifications".format(**fill)
    response = api.post(path, {"kind": "dbs_check", "obtained_on": "9999-12-31"})
    assert_refused(response, 400)
    assert fields_of(response) == ["obtained_on"]


def test_a_body_over_the_upload_limit_is_refused(api: Api, fill: dict[str, Any], settings) -> None:  # type: ignore[no-untyped-def]
    path = "/organisations/{slug}/people".format(**fill)
    raw = json.dumps({"full_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}).encode()
    assert_refused(api("POST", path, raw=raw), 413)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"full_name": "Nia \\u0000 New"}',
        b'{"full_name": "Nia \\ud800 New"}',
        b'{"full_name": "Nia \xff New"}',
        b'{"full_name": "Nia", "full_name": 5}',
    ],
    ids=["nul", "lone surrogate", "not utf-8", "duplicate key"],
)
def test_text_no_database_can_store_is_refused(api: Api, fill: dict[str, Any], raw: bytes) -> None:
    before = counts()
    assert_refused(api("POST", "/organisations/{slug}/people".format(**fill), raw=raw), 400)
    assert counts() == before


# Path parameters


ID_ENDPOINTS = [
    (method, path, name)
    for method, path, _ in ENDPOINTS
    for name in (
        "person_id",
        "role_id",
        "qid",
        "obligation_id",
        "case_id",
        "crm_id",
        "party_id",
        "request_id",
        "notice_id",
        "member_id",
        "supporter_id",
        *app_endpoints.id_names(),
    )
    if "{" + name + "}" in path
]


@pytest.mark.parametrize(("method", "path", "name"), ID_ENDPOINTS)
@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_that_is_not_a_row_id_is_refused(
    api: Api, fill: dict[str, Any], method: str, path: str, name: str, bad: str
) -> None:
    before = counts()
    response = api(method, path.format(**(fill | {name: bad})), body={})
    assert_refused(response)
    if response.status_code == 400:
        assert name in fields_of(response)
    assert counts() == before


@pytest.mark.parametrize(("method", "path", "name"), ID_ENDPOINTS)
def test_the_largest_possible_id_is_simply_not_found(
    api: Api, fill: dict[str, Any], method: str, path: str, name: str
) -> None:
    body: dict[str, Any] = {"reason": "x"} if method == "DELETE" else {}
    if (method, path) in VALID:
        body = valid_body(method, path, fill)
    response = api(method, path.format(**(fill | {name: str(2**63 - 1)})), body=body)
    assert_refused(response, 404)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in ENDPOINTS if "{slug}" in p])
@pytest.mark.parametrize("bad", BAD_SLUGS)
def test_a_malformed_organisation_address_is_refused(
    api: Api, fill: dict[str, Any], method: str, path: str, bad: str
) -> None:
    assert_refused(api(method, path.format(**(fill | {"slug": bad})), body={}))


# Query strings


LISTS = [
    "/organisations/{slug}/people",
    "/organisations/{slug}/audit",
    "/organisations/{slug}/cases",
]
BAD_PAGING = [
    "page=0",
    "page=-1",
    "page=abc",
    "page=1.5",
    "page=",
    "page=1000000001",
    "page=99999999999999999999999999",
    "page_size=0",
    "page_size=-1",
    "page_size=abc",
    "page_size=201",
    "page_size=99999999999999999999999999",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", BAD_PAGING)
def test_paging_out_of_range_is_refused_by_name(
    api: Api, fill: dict[str, Any], path: str, query: str
) -> None:
    response = api.get(path.format(**fill) + "?" + query)
    assert_refused(response, 400)
    assert fields_of(response) == [query.split("=")[0]]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/organisations/{slug}/people", "role=emperor", "role"),
        ("/organisations/{slug}/people", "status=asleep", "status"),
        ("/organisations/{slug}/people", "q=" + "x" * 1000, "q"),
        ("/organisations/{slug}/people", "q=a%00b", "q"),
        ("/organisations/{slug}/audit", "action=shred", "action"),
        ("/organisations/{slug}/audit", "object_id=" + "9" * 100, "object_id"),
        ("/organisations/{slug}/audit", "object_type=%00", "object_type"),
        (
            "/organisations/{slug}/people/{person_id}/confidential",
            "break_glass=maybe",
            "break_glass",
        ),
        ("/organisations/{slug}/people/{person_id}/confidential", "reason=" + "x" * 3000, "reason"),
    ],
)
def test_a_bad_filter_is_refused_by_name(
    api: Api, fill: dict[str, Any], path: str, query: str, field: str
) -> None:
    before = AuditEntry.objects.count()
    response = api.get(path.format(**fill) + "?" + query)
    assert_refused(response, 400)
    assert fields_of(response) == [field]
    assert AuditEntry.objects.count() == before


def test_a_bad_reason_in_the_query_is_refused(api: Api, fill: dict[str, Any]) -> None:
    path = "/organisations/{slug}/people/{person_id}/qualifications/{qid}".format(**fill)
    response = api.delete(path + "?reason=a%00b")
    assert_refused(response, 400)
    assert fields_of(response) == ["reason"]
    assert Qualification.objects.filter(pk=fill["qid"]).exists()


# Addresses and methods


@pytest.mark.parametrize(
    "path", ["/", "/nothing-here", "/organisations/riverside/people/1/x", "/docs"]
)
def test_an_unknown_address_is_a_json_404(api: Api, path: str) -> None:
    assert_refused(api.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/me"), ("DELETE", "/organisations"), ("POST", "/organisations/riverside/audit")],
)
def test_a_method_an_address_does_not_take_is_a_json_405(api: Api, method: str, path: str) -> None:
    response = api(method, path, body={})
    assert_refused(response, 405)
    assert response["Allow"]


def test_an_unexpected_failure_is_a_json_500(
    api: Api, fill: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonground.people import selectors

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "people_directory", broken)
    response = api.get("/organisations/riverside/people")
    assert response.status_code == 500
    assert response.json()["errors"][0]["rule"] == "server_error"
    assert "boom" not in response.content.decode()
