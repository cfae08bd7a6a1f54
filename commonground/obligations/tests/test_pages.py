from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_schedule
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def obligation(personas: Personas) -> Obligation:
    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    return obligation_schedule(
        organisation=personas.org,
        rule_id="ASH-4",
        param="within",
        subject=("casework.case", 3),
        title="Hold the Group Meeting",
        trigger_event="the initial conversation",
        trigger_at=timezone.localdate(),
        assignees=[personas.supporter],
        oversight_role=Role.SW_MEMBER,
    )


def _statuses(client: Client, personas: Personas, url: str) -> dict[str, int]:
    out = {}
    for name, person in personas.all().items():
        client.force_login(person.user)
        out[name] = client.get(url).status_code
    return out


def test_the_deadline_page_is_for_who_acts_and_who_oversees(
    client: Client, personas: Personas, obligation: Obligation
) -> None:
    url = reverse(
        "obligations:obligation_detail", kwargs={"org": personas.org.slug, "pk": obligation.pk}
    )
    assert _statuses(client, personas, url) == {
        "party": 404,
        "supporter": 200,
        "admin": 200,
        "unrelated": 404,
        "other_org": 404,
    }


def test_the_deadline_page_says_why(
    client: Client, personas: Personas, obligation: Obligation
) -> None:
    client.force_login(personas.supporter.user)
    url = reverse(
        "obligations:obligation_detail", kwargs={"org": personas.org.slug, "pk": obligation.pk}
    )
    body = client.get(url).content.decode()
    assert "3 weeks after the initial conversation" in body and "ASH-4" in body
    assert "Within three weeks everyone in the conflict comes together" in body


def test_the_lists_show_only_ones_own_and_overseen_deadlines(
    client: Client, personas: Personas, obligation: Obligation
) -> None:
    url = reverse("obligations:obligation_list", kwargs={"org": personas.org.slug})
    assert _statuses(client, personas, url)["other_org"] == 404
    client.force_login(personas.supporter.user)
    assert "Hold the Group Meeting" in client.get(url).content.decode()
    client.force_login(personas.unrelated.user)
    assert "Hold the Group Meeting" not in client.get(url + "?show=overseen").content.decode()
    client.force_login(personas.admin.user)
    assert "Hold the Group Meeting" in client.get(url + "?show=overseen").content.decode()


def test_the_admin_waives_from_the_page_with_a_reason(
    client: Client, personas: Personas, obligation: Obligation
) -> None:
    url = reverse(
        "obligations:obligation_detail", kwargs={"org": personas.org.slug, "pk": obligation.pk}
    )
    client.force_login(personas.supporter.user)
    assert client.post(url, {"reason": "no"}).status_code == 403
    client.force_login(personas.admin.user)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert client.post(url, {"reason": "The parties settled it"}).status_code == 302
    obligation.refresh_from_db()
    assert obligation.state == "waived" and obligation.waived_reason == "The parties settled it"


def test_the_deadline_list_runs_the_same_queries_for_few_and_many(
    client: Client, personas: Personas, obligation: Obligation
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.admin.user)
    url = (
        reverse("obligations:obligation_list", kwargs={"org": personas.org.slug}) + "?show=overseen"
    )
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(30):
        obligation_schedule(
            organisation=personas.org,
            rule_id="ASH-1",
            param="within",
            subject=("casework.case", 100 + n),
            title=f"Case {n}",
            trigger_event="request",
            trigger_at=timezone.localdate() - dt.timedelta(days=n),
            oversight_role=Role.SW_MEMBER,
        )
    assert count() == few
