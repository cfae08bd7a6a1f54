"""Staffing of a group's sessions before the day (PSP-4, IMHP-1, IMHP-2), through the meetings
module: a facilitator's apologies alert the organisers at once, and the daily recheck
(`meetings_recheck`) finds a session whose facilitator's training has lapsed since."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from commonground.groups import services
from commonground.groups.tests.world import SharedGroup
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.services import (
    meeting_record_apologies,
    meeting_schedule,
    meetings_staffing_recheck,
)
from commonground.meetings.staffing import meeting_staffing
from commonground.notifications.models import Notification
from commonground.people.models import Qualification, QualificationKind
from commonground.policies.selectors import organisation_policy
from commonground.policies.services import policy_adopt
from commonground.testing.factories import QualificationFactory
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db

TEAM = QualificationKind.TEAM_MEMBER_TRAINING
DBS = QualificationKind.DBS_CHECK


def alerts() -> list[tuple[int, str]]:
    return sorted(
        Notification.objects.filter(kind="meeting.staffing")
        .values_list("recipient_id", "dedupe_key")
        .distinct()
    )


def test_PSP_4_a_facilitators_apologies_for_a_group_session_alert_the_organisers(
    personas: Personas, shared: SharedGroup
) -> None:
    session = shared.session
    assert alerts() == []
    meeting_record_apologies(
        actor=shared.co.user, meeting=session, person=shared.co, reason="Unwell"
    )
    found = alerts()
    # The admin and the group's other facilitator on the session; not the one who dropped out,
    # and never the peers.
    assert {r for r, _ in found} == {personas.admin.pk, personas.supporter.pk}
    assert {k for _, k in found} == {f"meeting:{session.pk}:staffing:0:PSP-4:facilitators_min"}
    note = Notification.objects.filter(kind="meeting.staffing").first()
    assert note is not None and "PSP-4" in note.subject and "Tuesday evening group" in note.body
    # The recheck before the day finds it again but alerts only once.
    assert meetings_staffing_recheck(dt.date(2025, 6, 30)) == 1
    assert alerts() == found


def test_PSP_4_the_recheck_finds_a_session_whose_facilitators_training_lapsed(
    personas: Personas, shared: SharedGroup, capsys: pytest.CaptureFixture[str]
) -> None:
    assert meetings_staffing_recheck(dt.date(2025, 6, 30)) == 0
    # The co-facilitator's training turns out to end today, before Tuesday's session.
    Qualification.objects.filter(person=shared.co).update(expires_on=dt.date(2025, 6, 30))
    call_command("meetings_recheck")
    assert "1 meeting staffing problem" in capsys.readouterr().out
    found = alerts()
    assert {r for r, _ in found} == {personas.admin.pk, personas.supporter.pk, shared.co.pk}
    assert {k for _, k in found} == {
        f"meeting:{shared.session.pk}:staffing:0:PSP-4:qualification:{shared.co.pk}"
    }
    # The group's page shows the same problem to its facilitators.
    problems = meeting_staffing(meeting=shared.session, in_force=organisation_policy(personas.org))
    assert [(p.rule_id, p.refuses) for p in problems] == [("PSP-4", True)]


def test_IMHP_1_a_group_session_needs_a_trained_team_member_and_two_facilitators(
    personas: Personas, shared: SharedGroup
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP", only_rules=["IMHP-1"])
    facilitators = [personas.supporter, shared.co]
    # Both hold PSP-4's training, neither the team member training IMHP-1 names: refused.
    with pytest.raises(ValidationError) as err:
        services.sessions_schedule(
            actor=personas.admin.user, group=shared.group, facilitators=facilitators
        )
    messages = err.value.message_dict["facilitators"]
    assert [e.code for e in err.value.error_dict["facilitators"]] == ["IMHP-1"]
    assert "at least 1 facilitator(s) with team member training" in messages[0]
    QualificationFactory(person=shared.co, kind=TEAM, obtained_on=dt.date(2024, 1, 1))
    # Nobody runs a group alone, trained or not.
    with pytest.raises(ValidationError) as err:
        services.sessions_schedule(
            actor=personas.admin.user, group=shared.group, facilitators=[shared.co]
        )
    assert {e.code for e in err.value.error_dict["facilitators"]} == {"IMHP-1", "PSP-4"}
    (session,) = services.sessions_schedule(
        actor=personas.admin.user, group=shared.group, facilitators=facilitators
    )
    # The trained team member drops out: the organisers hear at once (IMHP-1).
    Notification.objects.all().delete()
    meeting_record_apologies(
        actor=personas.admin.user, meeting=session, person=shared.co, received_by="text message"
    )
    keys = {k for _, k in alerts()}
    assert f"meeting:{session.pk}:staffing:0:IMHP-1:trained_min" in keys
    assert f"meeting:{session.pk}:staffing:0:IMHP-1:facilitators_min" in keys


def test_IMHP_2_a_group_peer_offered_individual_support_gets_a_trained_dbs_checked_member(
    personas: Personas, shared: SharedGroup
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP", only_rules=["IMHP-2"])

    def offer(facilitators: list) -> object:  # type: ignore[type-arg]
        return meeting_schedule(
            actor=personas.supporter.user,
            organisation=personas.org,
            kind=MeetingKind.INDIVIDUAL_SUPPORT,
            starts_at=dt.datetime(2025, 7, 3, 11, 0, tzinfo=dt.UTC),
            duration=dt.timedelta(hours=1),
            facilitators=facilitators,
            attendees=[personas.party],
            title="Individual support",
        )

    # The group's facilitators hold PSP-4's training, but no DBS check: refused.
    with pytest.raises(ValidationError) as err:
        offer([personas.supporter])
    assert [e.code for e in err.value.error_dict["facilitators"]] == ["IMHP-2"]
    for kind in (TEAM, DBS):
        QualificationFactory(person=personas.supporter, kind=kind, obtained_on=dt.date(2024, 1, 1))
    meeting = offer([personas.supporter])
    # Allowed, with the warning that ideally two team members are there.
    problems = meeting_staffing(meeting=meeting, in_force=organisation_policy(personas.org))
    assert [(p.rule_id, p.code, p.refuses) for p in problems] == [
        ("IMHP-2", "ideal_team_members", False)
    ]
