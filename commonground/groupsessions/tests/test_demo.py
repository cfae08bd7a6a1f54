"""Peer Support Plus's demo has a history of sessions run as PSP-6..9 say."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from commonground.audit.services import audit_verify
from commonground.groups.models import SupportGroup
from commonground.groups.selectors import group_sessions
from commonground.groupsessions import selectors
from commonground.groupsessions.models import HousekeepingAction, SafeguardingConcern, SessionRun
from commonground.meetings.models import Participant
from commonground.notifications.models import Notification
from commonground.people.models import Organisation, Person

pytestmark = pytest.mark.django_db


def test_PSP_8_PSP_9_the_demo_has_six_weeks_of_sessions_actions_and_one_concern() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The demo loads only into SQLite.")
    call_command("load_demo", stdout=io.StringIO())
    org = Organisation.objects.get(slug="peer-support-plus")
    for group in SupportGroup.objects.filter(organisation=org):
        runs = SessionRun.objects.filter(meeting__in=group_sessions(group))
        assert runs.count() >= 5, group.name
        assert all(
            r.ended_at is not None and r.ended_at < r.meeting.ends_at + r.meeting.duration
            for r in runs
        )
    statuses = set(
        Participant.objects.filter(meeting__session_run__isnull=False).values_list(
            "status", flat=True
        )
    )
    assert {"attended", "absent", "apologies"} <= statuses
    actions = HousekeepingAction.objects.filter(group__organisation=org)
    assert actions.filter(done_at__isnull=False).exists()
    assert actions.filter(kind="guarantee", done_at__isnull=True).exists()
    assert actions.filter(kind="news", done_at__isnull=True).exists()
    concern = SafeguardingConcern.objects.get(organisation=org)
    bea = Person.objects.get(organisation=org, full_name="Beatrix Holloway")
    # Bea is the safeguarding lead and was told (she has no login in the demo data; her
    # notification goes by email); the peer and the admin cannot read the concern.
    assert bea in selectors.safeguarding_leads(org)
    assert Notification.objects.filter(recipient=bea, kind="groupsessions.safeguarding").exists()
    for email in ("peer@psp.demo", "admin@psp.demo"):
        who = Person.objects.get(email=email)
        assert not selectors.concerns_visible(actor=who.user, organisation=org).exists()
    recorder = concern.recorded_by
    assert selectors.concern_get(actor=recorder.user, organisation=org, pk=concern.pk)
    assert audit_verify().ok
