from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_record_apologies, meetings_staffing_recheck
from commonground.notifications.models import Notification
from commonground.people.models import Person, Qualification
from commonground.policies.services import policy_adopt
from commonground.testing.personas import Personas

from .conftest import DBS, TRAINED, at, qualify, schedule

pytestmark = pytest.mark.django_db


def staffing_alerts() -> list[tuple[int, str, str]]:
    return sorted(
        Notification.objects.filter(kind="meeting.staffing").values_list(
            "recipient_id", "channel", "dedupe_key"
        )
    )


def test_IMHP_2_the_recheck_finds_an_expired_dbs_check_before_the_day_and_alerts_once(
    personas: Personas, clock: object
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED, DBS)
    meeting = schedule(
        personas,
        facilitators=[personas.supporter],
        kind=MeetingKind.INDIVIDUAL_SUPPORT,
        starts_at=at(3),
    )
    assert meetings_staffing_recheck(dt.date(2025, 6, 30)) == 0
    # The DBS check turns out to have lapsed (recorded late): it ended yesterday.
    Qualification.objects.filter(person=personas.supporter, kind=DBS).update(
        expires_on=dt.date(2025, 6, 29)
    )
    assert meetings_staffing_recheck(dt.date(2025, 6, 30)) == 1
    first = staffing_alerts()
    assert {r for r, _, _ in first} == {personas.supporter.pk, personas.admin.pk}
    assert {k for _, _, k in first} == {
        f"meeting:{meeting.pk}:staffing:0:IMHP-2:qualification:{personas.supporter.pk}"
    }
    # Run again (and the next day): nothing more is queued.
    meetings_staffing_recheck(dt.date(2025, 6, 30))
    meetings_staffing_recheck(dt.date(2025, 7, 1))
    assert staffing_alerts() == first
    note = Notification.objects.filter(kind="meeting.staffing").first()
    assert note is not None and "IMHP-2" in note.subject and "DBS check" in note.body


def test_a_facilitator_dropping_out_alerts_the_organisers_once(
    personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    meeting = schedule(personas, facilitators=[personas.supporter, co], starts_at=at(2))
    meeting_record_apologies(actor=co.user, meeting=meeting, person=co, reason="Unwell")
    first = staffing_alerts()
    # The organisers still expected (the supporter) and the admin; not the one who dropped out.
    assert {r for r, _, _ in first} == {personas.supporter.pk, personas.admin.pk}
    assert all("IMHP-1:facilitators_min" in k for _, _, k in first)
    assert meetings_staffing_recheck() == 1
    assert meetings_staffing_recheck() == 1
    assert staffing_alerts() == first


def test_the_recheck_looks_only_at_scheduled_meetings_in_the_next_few_days(
    personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    far = schedule(personas, facilitators=[personas.supporter, co], starts_at=at(25))
    meeting_record_apologies(actor=personas.admin.user, meeting=far, person=co, received_by="phone")
    Notification.objects.all().delete()
    assert meetings_staffing_recheck(dt.date(2025, 6, 30)) == 0
    assert meetings_staffing_recheck(dt.date(2025, 7, 20)) == 1
    Meeting.objects.filter(pk=far.pk).update(status=Meeting.Status.CANCELLED)
    assert meetings_staffing_recheck(dt.date(2025, 7, 21)) == 0


def test_the_command_runs_the_recheck(
    personas: Personas, co: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("meetings_recheck")
    assert "0 meeting staffing problems found." in capsys.readouterr().out
