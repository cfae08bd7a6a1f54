from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.policies.models import RuleOverride
from commonground.policies.selectors import PolicyNotAdopted, organisation_policy
from commonground.policies.services import policy_adopt, policy_value_change
from commonground.policies.signals import policy_value_changed
from commonground.policies.values import Duration
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def ash(personas: Personas) -> Personas:
    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    return personas


def test_code_asks_the_organisations_policy_for_its_numbers(ash: Personas) -> None:
    assert organisation_policy(ash.org).value("ASH-8", "notice") == Duration(1, "months")


def test_a_rule_not_adopted_has_no_number(ash: Personas) -> None:
    with pytest.raises(PolicyNotAdopted):
        organisation_policy(ash.other).value("ASH-8", "notice")


def test_an_organisation_may_adopt_only_some_rules_of_another_policy(ash: Personas) -> None:
    policy_adopt(actor=None, organisation=ash.org, policy="IMHP", only_rules=["IMHP-1", "IMHP-2"])
    in_force = organisation_policy(ash.org)
    assert in_force.adopts("IMHP-1") and not in_force.adopts("IMHP-10")


def test_the_admin_changes_a_number_with_a_reason_and_it_is_audited(ash: Personas) -> None:
    heard = []
    policy_value_changed.connect(
        lambda **kw: heard.append(kw["rule_id"]), weak=False, dispatch_uid="test-heard"
    )
    try:
        policy_value_change(
            actor=ash.admin.user,
            organisation=ash.org,
            rule_id="ASH-8",
            param="notice",
            value="6 weeks",
            reason="Members asked for more time",
        )
    finally:
        policy_value_changed.disconnect(dispatch_uid="test-heard")
    assert organisation_policy(ash.org).value("ASH-8", "notice") == Duration(6, "weeks")
    entry = AuditEntry.objects.filter(object_type="policies.ruleoverride").first()
    assert entry is not None
    assert entry.changes == {"ASH-8.notice": ["1 month", "6 weeks"]}
    assert entry.reason == "Members asked for more time"
    assert heard == ["ASH-8"]


def test_the_policys_own_number_can_be_put_back(ash: Personas) -> None:
    policy_value_change(
        actor=ash.admin.user,
        organisation=ash.org,
        rule_id="ASH-8",
        param="notice",
        value="6 weeks",
        reason="Trial",
    )
    policy_value_change(
        actor=ash.admin.user,
        organisation=ash.org,
        rule_id="ASH-8",
        param="notice",
        value=None,
        reason="Trial over",
    )
    assert organisation_policy(ash.org).value("ASH-8", "notice") == Duration(1, "months")
    assert RuleOverride.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        (
            {"rule_id": "ASH-8", "param": "notice", "value": "soon", "reason": "x"},
            "value",
            "policy_value_kind",
        ),
        (
            {"rule_id": "ASH-8", "param": "notice", "value": "6 weeks", "reason": " "},
            "reason",
            "policy_change_reason",
        ),
        (
            {"rule_id": "ASH-8", "param": "colour", "value": "red", "reason": "x"},
            "param",
            "policy_param_known",
        ),
        (
            {"rule_id": "ASH-99", "param": "notice", "value": "1 week", "reason": "x"},
            "rule_id",
            "policy_rule_known",
        ),
        (
            {"rule_id": "PSP-4", "param": "facilitators_min", "value": "3", "reason": "x"},
            "rule_id",
            "policy_adopted",
        ),
        (
            {"rule_id": "ASH-18", "param": "women_share_at_least", "value": "150%", "reason": "x"},
            "value",
            "policy_value_kind",
        ),
    ],
)
def test_a_bad_change_names_the_field_and_rule_and_changes_nothing(
    ash: Personas, changes: dict, field: str, code: str
) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        policy_value_change(actor=ash.admin.user, organisation=ash.org, **changes)
    assert field in caught.value.error_dict
    assert caught.value.error_dict[field][0].code == code
    assert RuleOverride.objects.count() == 0 and AuditEntry.objects.count() == before


@pytest.mark.parametrize("persona", ["party", "supporter", "unrelated", "other_org"])
def test_only_the_admin_changes_numbers(ash: Personas, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        policy_value_change(
            actor=getattr(ash, persona).user,
            organisation=ash.org,
            rule_id="ASH-8",
            param="notice",
            value="1 week",
            reason="x",
        )
    assert RuleOverride.objects.count() == 0


def test_policy_show_prints_the_rules_in_force_and_their_source(ash: Personas, capsys) -> None:
    policy_value_change(
        actor=ash.admin.user,
        organisation=ash.org,
        rule_id="ASH-1",
        param="within",
        value="2 days",
        reason="We are quick",
    )
    call_command("policy", "show", ash.org.slug)
    out = capsys.readouterr().out
    assert "ASH-8 [deadline]" in out and "notice = 1 month" in out
    assert "within = 2 days" in out and "We are quick" in out
    assert "Source: “Members involved in conflict will have at least one months notice" in out


def test_policy_show_refuses_an_unknown_organisation(db: None) -> None:
    with pytest.raises(CommandError, match="No organisation"):
        call_command("policy", "show", "nowhere")


def test_policy_check_loads_every_file(capsys) -> None:
    call_command("policy", "check")
    assert "5 policy files, 74 rules" in capsys.readouterr().out


def _get(client: Client, person, url: str) -> int:
    client.force_login(person.user)
    return client.get(url).status_code


def test_every_member_reads_the_rules_but_no_other_organisation(
    client: Client, ash: Personas
) -> None:
    url = reverse("policies:policy_rules", kwargs={"org": ash.org.slug})
    statuses = {name: _get(client, p, url) for name, p in ash.all().items()}
    assert statuses == {
        "party": 200,
        "supporter": 200,
        "admin": 200,
        "unrelated": 200,
        "other_org": 404,
    }
    client.force_login(ash.party.user)
    body = client.get(url).content.decode()
    assert "ASH-8" in body and "at least one months notice" in body


def test_the_rule_page_change_form_is_for_the_admin(client: Client, ash: Personas) -> None:
    url = (
        reverse("policies:policy_rule", kwargs={"org": ash.org.slug, "rule_id": "ASH-8"})
        + "?param=notice"
    )
    statuses = {name: _get(client, p, url) for name, p in ash.all().items()}
    assert statuses == {
        "party": 403,
        "supporter": 403,
        "admin": 200,
        "unrelated": 403,
        "other_org": 404,
    }


def test_the_admin_changes_a_number_from_the_page(client: Client, ash: Personas) -> None:
    client.force_login(ash.admin.user)
    url = reverse("policies:policy_rule", kwargs={"org": ash.org.slug, "rule_id": "ASH-8"})
    response = client.post(
        url + "?param=notice", {"param": "notice", "value": "5 weeks", "reason": "AGM vote"}
    )
    assert response.status_code == 302
    assert organisation_policy(ash.org).value("ASH-8", "notice") == Duration(5, "weeks")
    page = client.get(url).content.decode()
    assert "AGM vote" in page and "5 weeks" in page


def test_a_bad_value_on_the_page_keeps_what_was_typed(client: Client, ash: Personas) -> None:
    client.force_login(ash.admin.user)
    url = reverse("policies:policy_rule", kwargs={"org": ash.org.slug, "rule_id": "ASH-8"})
    response = client.post(
        url + "?param=notice", {"param": "notice", "value": "a while", "reason": "Kept reason"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "a while" in body and "Kept reason" in body and "is not a unit of time" in body
    assert RuleOverride.objects.count() == 0


def test_unknown_rules_and_numbers_are_404(client: Client, ash: Personas) -> None:
    client.force_login(ash.admin.user)
    base = reverse("policies:policy_rule", kwargs={"org": ash.org.slug, "rule_id": "ASH-8"})
    assert client.get(base + "?param=colour").status_code == 404
    assert (
        client.get(
            reverse("policies:policy_rule", kwargs={"org": ash.org.slug, "rule_id": "ZZZ"})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("policies:policy_rule", kwargs={"org": ash.org.slug, "rule_id": "PSP-4"})
        ).status_code
        == 404
    )
