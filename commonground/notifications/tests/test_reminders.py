"""Obligation reminders: the sweep's signal becomes outbox rows, once per stage and person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from commonground.notifications.delivery import outbox_deliver
from commonground.notifications.models import Channel, Notification
from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_schedule, obligations_sweep
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.factories import RoleAssignmentFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _obligation(personas: Personas, days_ago: int) -> Obligation:
    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    # ASH-4: the Group Meeting within three weeks of the initial conversation.
    return obligation_schedule(
        organisation=personas.org,
        rule_id="ASH-4",
        param="within",
        subject=("casework.case", 7),
        title="Hold the Group Meeting",
        trigger_event="the initial conversation",
        trigger_at=timezone.localdate() - dt.timedelta(days=days_ago),
        assignees=[personas.supporter],
        oversight_role=Role.SW_MEMBER,
    )


def test_a_due_soon_reminder_is_sent_once(personas: Personas) -> None:
    obligation = _obligation(personas, days_ago=19)
    assert obligations_sweep() == 1
    assert obligations_sweep() == 0
    rows = Notification.objects.filter(dedupe_key=f"obligation:{obligation.pk}:1")
    assert sorted(rows.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.IN_APP]
    assert {r.recipient_id for r in rows} == {personas.supporter.pk}

    outbox_deliver()
    outbox_deliver()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [personas.supporter.email]


def test_the_reminder_says_when_why_and_where(personas: Personas) -> None:
    obligation = _obligation(personas, days_ago=19)
    obligations_sweep()
    row = Notification.objects.get(dedupe_key=f"obligation:{obligation.pk}:1", channel="email")
    due = obligation.due_on
    assert row.kind == "obligation.due_soon"
    assert f"{due.day} {due:%B %Y}" in row.subject and "ASH-4" in row.subject
    assert "rule ASH-4" in row.body
    assert row.link == f"/o/{personas.org.slug}/deadlines/{obligation.pk}/"
    assert f"https://commonground.example.org{row.link}" in row.body


def test_an_overdue_notice_also_goes_to_those_who_oversee_it(personas: Personas) -> None:
    overseer = RoleAssignmentFactory(person=personas.unrelated, role=Role.SW_MEMBER).person
    # Someone in another organisation holding the same role hears nothing.
    RoleAssignmentFactory(person=personas.other_org, role=Role.SW_MEMBER)
    obligation = _obligation(personas, days_ago=25)
    obligations_sweep()
    rows = Notification.objects.filter(dedupe_key=f"obligation:{obligation.pk}:2")
    assert {r.recipient_id for r in rows} == {personas.supporter.pk, overseer.pk}
    overseer_row = rows.get(recipient=overseer, channel=Channel.EMAIL)
    assert overseer_row.subject.startswith("Overdue:")
    assert "you oversee this deadline" in overseer_row.body
    assert "oversee" not in rows.get(recipient=personas.supporter, channel="email").body


def test_a_due_soon_reminder_does_not_go_to_those_who_oversee_it(personas: Personas) -> None:
    RoleAssignmentFactory(person=personas.unrelated, role=Role.SW_MEMBER)
    obligation = _obligation(personas, days_ago=19)
    obligations_sweep()
    recipients = set(
        Notification.objects.filter(
            dedupe_key__startswith=f"obligation:{obligation.pk}:"
        ).values_list("recipient_id", flat=True)
    )
    assert recipients == {personas.supporter.pk}


def test_due_soon_then_overdue_are_two_separate_notices(personas: Personas) -> None:
    obligation = _obligation(personas, days_ago=19)
    obligations_sweep()
    obligations_sweep(today=obligation.due_on + dt.timedelta(days=1))
    keys = set(
        Notification.objects.filter(recipient=personas.supporter, channel="email").values_list(
            "dedupe_key", flat=True
        )
    )
    assert keys == {f"obligation:{obligation.pk}:1", f"obligation:{obligation.pk}:2"}
