"""Policies and deadlines through the API: the same rules as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from commonground.api.tests.conftest import PERSONAS, Api
from commonground.audit.models import AuditEntry
from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_schedule
from commonground.people.roles import Role
from commonground.policies.models import RuleOverride
from commonground.policies.services import policy_adopt
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def obligation(personas: Personas) -> Obligation:
    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    return obligation_schedule(
        organisation=personas.org,
        rule_id="ASH-1",
        param="within",
        subject=("casework.case", 9),
        title="Hold the initial conversation",
        trigger_event="the request reached S&W",
        trigger_at=timezone.localdate(),
        assignees=[personas.supporter],
        oversight_role=Role.SW_MEMBER,
    )


def statuses(api: Api, method: str, path: str, body: Any = None) -> dict[str, int]:
    out = {}
    for persona in (None, *PERSONAS):
        kwargs = {} if body is None else {"body": body}
        out[persona or "anon"] = api(method, path, as_=persona, **kwargs).status_code
    return out


def test_every_member_reads_the_rules_in_force(api: Api, obligation: Obligation) -> None:
    assert statuses(api, "GET", "/organisations/riverside/policy") == {
        "anon": 401,
        "party": 200,
        "supporter": 200,
        "admin": 200,
        "unrelated": 200,
        "other_org": 404,
    }
    body = json.loads(api.get("/organisations/riverside/policy", as_="party").content)
    ash8 = next(r for r in body[0]["rules"] if r["id"] == "ASH-8")
    assert ash8["params"][0] == {
        "name": "notice",
        "kind": "duration",
        "value": "1 month",
        "default": "1 month",
        "changed": False,
        "reason": "",
        "note": "",
    }
    assert ash8["clause"].startswith(
        "Members involved in conflict will have at least one months notice"
    )


def test_only_the_admin_changes_a_number_and_open_deadlines_move(
    api: Api, obligation: Obligation
) -> None:
    path = "/organisations/riverside/policy/ASH-1/within"
    body = {"value": "5 days", "reason": "Volunteers asked"}
    for persona in ("party", "supporter", "unrelated"):
        assert api.put(path, body, as_=persona).status_code == 403
    assert api.put(path, body, as_="other_org").status_code == 404
    assert RuleOverride.objects.count() == 0
    response = api.put(path, body)
    assert response.status_code == 200
    assert json.loads(response.content)["params"][0]["value"] == "5 days"
    due = obligation.due_on
    obligation.refresh_from_db()
    assert (obligation.due_on - due).days == 2


def test_a_bad_number_names_the_field_and_the_rule(api: Api, obligation: Obligation) -> None:
    before = AuditEntry.objects.count()
    response = api.put(
        "/organisations/riverside/policy/ASH-1/within", {"value": "soon", "reason": "x"}
    )
    assert response.status_code == 400
    error = json.loads(response.content)["errors"][0]
    assert error["field"] == "value" and error["rule"] == "policy_value_kind"
    assert "ASH-1 within" in error["message"]
    assert AuditEntry.objects.count() == before
    assert (
        api.put(
            "/organisations/riverside/policy/PSP-4/facilitators_min", {"value": "3", "reason": "x"}
        ).status_code
        == 404
    )


def test_deadlines_are_seen_by_who_acts_and_who_oversees(api: Api, obligation: Obligation) -> None:
    path = f"/organisations/riverside/obligations/{obligation.pk}"
    assert statuses(api, "GET", path) == {
        "anon": 401,
        "party": 404,
        "supporter": 200,
        "admin": 200,
        "unrelated": 404,
        "other_org": 404,
    }
    body = json.loads(api.get(path, as_="supporter").content)
    assert body["rule_id"] == "ASH-1" and body["status"] in {"due_soon", "upcoming"}
    assert body["why"].startswith("Due by ") and "by rule ASH-1" in body["why"]


def test_the_deadline_lists_show_mine_and_overseen(api: Api, obligation: Obligation) -> None:
    mine = json.loads(api.get("/organisations/riverside/obligations", as_="supporter").content)
    assert [o["id"] for o in mine["items"]] == [obligation.pk]
    assert (
        json.loads(api.get("/organisations/riverside/obligations", as_="party").content)["items"]
        == []
    )
    overseen = json.loads(api.get("/organisations/riverside/obligations?show=overseen").content)
    assert {o["rule_id"] for o in overseen["items"]} == {"ASH-1", "ASH-27"}
    assert api.get("/organisations/riverside/obligations?show=everything").status_code == 400


def test_waiving_needs_the_right_person_and_a_reason(api: Api, obligation: Obligation) -> None:
    path = f"/organisations/riverside/obligations/{obligation.pk}/waive"
    assert api.post(path, {"reason": "x"}, as_="supporter").status_code == 403
    assert api.post(path, {"reason": "x"}, as_="unrelated").status_code == 404
    assert api.post(path, {"reason": "  "}).status_code == 400
    response = api.post(path, {"reason": "The member withdrew"})
    assert response.status_code == 200 and json.loads(response.content)["status"] == "waived"
