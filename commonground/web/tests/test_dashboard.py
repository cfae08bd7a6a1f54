from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.people.models import QualificationKind
from commonground.people.roles import Role
from commonground.people.selectors import person_confidential
from commonground.testing.factories import (
    QualificationFactory,
    RoleAssignmentFactory,
    UserFactory,
    person_with_login,
)
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_sign_in(client: Client) -> None:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_shows_each_persona_only_their_own_organisations(
    client: Client, personas: Personas
) -> None:
    for name, person in personas.all().items():
        client.force_login(person.user)
        body = client.get(reverse("dashboard")).content.decode()
        own = person.organisation.name
        other = personas.other.name if person.organisation == personas.org else personas.org.name
        assert own in body, name
        assert other not in body, name


def test_it_tells_a_login_without_an_organisation_what_to_do(client: Client) -> None:
    client.force_login(UserFactory())
    assert "not linked to any organisation" in client.get(reverse("dashboard")).content.decode()


def test_it_warns_a_member_that_their_own_qualification_runs_out(
    client: Client, personas: Personas
) -> None:
    QualificationFactory(
        person=personas.party,
        kind=QualificationKind.DBS_CHECK,
        expires_on=timezone.localdate() + dt.timedelta(days=10),
    )
    client.force_login(personas.party.user)
    assert "DBS check" in client.get(reverse("dashboard")).content.decode()


def test_it_shows_the_admin_lapsed_checks_of_people_in_roles(
    client: Client, personas: Personas
) -> None:
    QualificationFactory(
        person=personas.supporter,
        kind=QualificationKind.DBS_CHECK,
        obtained_on=timezone.localdate() - dt.timedelta(days=1200),
        expires_on=timezone.localdate() - dt.timedelta(days=3),
    )
    client.force_login(personas.admin.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Lapsed qualifications" in body and personas.supporter.display_name in body
    client.force_login(personas.supporter.user)
    assert "Lapsed qualifications" not in client.get(reverse("dashboard")).content.decode()


def test_it_lists_role_holders_without_a_second_sign_in_step_for_the_admin(
    client: Client, personas: Personas
) -> None:
    no_mfa = person_with_login(personas.org, mfa=False, full_name="Nina Nofactor")
    RoleAssignmentFactory(person=no_mfa, role=Role.SW_MEMBER)
    client.force_login(personas.admin.user)
    assert "Nina Nofactor" in client.get(reverse("dashboard")).content.decode()


def test_it_reports_break_glass_reads_to_the_admin(client: Client, personas: Personas) -> None:
    lead = person_with_login(personas.org, Role.SAFEGUARDING_LEAD)
    person_confidential(
        actor=lead.user, person=personas.party, reason="Crisis team asked", break_glass=True
    )
    client.force_login(personas.admin.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Break-glass reads" in body and "Crisis team asked" in body
    client.force_login(personas.unrelated.user)
    assert "Crisis team asked" not in client.get(reverse("dashboard")).content.decode()


def test_it_lists_my_deadlines_with_why_and_the_admin_sees_overdue_ones(
    client: Client, personas: Personas
) -> None:
    from commonground.obligations.services import obligation_schedule
    from commonground.policies.services import policy_adopt

    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    obligation_schedule(
        organisation=personas.org,
        rule_id="ASH-1",
        param="within",
        subject=("casework.case", 1),
        title="Hold the initial conversation",
        trigger_event="the request reached S&W",
        trigger_at=timezone.localdate() - dt.timedelta(days=5),
        assignees=[personas.supporter],
        oversight_role=Role.SW_MEMBER,
    )
    client.force_login(personas.supporter.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Hold the initial conversation" in body and "Overdue" in body
    assert "Within 3 days of Support &amp; Wellbeing receiving the request" in body
    client.force_login(personas.admin.user)
    assert "Overdue in Riverside Housing Co-op" in client.get(reverse("dashboard")).content.decode()
    client.force_login(personas.unrelated.user)
    assert "Hold the initial conversation" not in client.get(reverse("dashboard")).content.decode()


def test_the_dashboard_runs_the_same_queries_for_few_and_many_deadlines(
    client: Client, personas: Personas
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commonground.obligations.services import obligation_schedule
    from commonground.policies.services import policy_adopt

    policy_adopt(actor=None, organisation=personas.org, policy="ASH")

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            obligation_schedule(
                organisation=personas.org,
                rule_id="ASH-1",
                param="within",
                subject=("casework.case", i),
                title=f"Case {i}",
                trigger_event="request",
                trigger_at=timezone.localdate(),
                assignees=[personas.supporter],
                oversight_role=Role.SW_MEMBER,
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(personas.supporter.user)
    add(2, 0)
    client.get(reverse("dashboard"))
    few = count()
    add(20, 100)
    assert count() == few
