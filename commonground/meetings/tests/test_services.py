from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting, MeetingOutcome, Participant
from commonground.meetings.selectors import meeting_notes, notes_template
from commonground.meetings.services import (
    meeting_add_outcome,
    meeting_cancel,
    meeting_invite,
    meeting_record_apologies,
    meeting_record_attendance,
    meeting_write_notes,
)
from commonground.meetings.signals import attendance_recorded
from commonground.notifications.models import Notification
from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_schedule
from commonground.people.models import Person
from commonground.policies.services import policy_adopt
from commonground.testing.factories import OrganisationFactory, PersonFactory
from commonground.testing.personas import Personas

from .conftest import at, schedule

pytestmark = pytest.mark.django_db


def test_notes_are_encrypted_at_rest_and_every_read_is_audited(
    personas: Personas, meeting: Meeting
) -> None:
    meeting_write_notes(
        actor=personas.supporter.user,
        meeting=meeting,
        sections={"round_of_good_news": "Jo got the flat"},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM meetings_meeting WHERE id = %s", [meeting.pk])
        (stored,) = cursor.fetchone()
    assert "Jo got the flat" not in stored and stored.startswith("gAAAA")
    entry = AuditEntry.objects.latest("seq")
    assert "Jo got the flat" not in str(entry.changes)
    assert entry.changes["sections"] == [None, ["round_of_good_news"]]

    meeting.refresh_from_db()
    notes = meeting_notes(actor=personas.admin.user, meeting=meeting)
    assert notes == {"round_of_good_news": "Jo got the flat"}
    read = AuditEntry.objects.latest("seq")
    assert read.action == AuditEntry.Action.READ and read.object_id == str(meeting.pk)


def test_notes_are_for_the_facilitators_and_admin_unless_the_kind_shares_them(
    personas: Personas, meeting: Meeting
) -> None:
    with pytest.raises(Http404):
        meeting_notes(actor=personas.party.user, meeting=meeting)
    with pytest.raises(PermissionDenied):
        meeting_write_notes(actor=personas.party.user, meeting=meeting, sections={"break": "tea"})


def test_WCC_6_1_to_1_notes_follow_the_template_and_WCC_8_the_staff_member_gets_a_copy(
    personas: Personas,
) -> None:
    meeting = schedule(personas, facilitators=[personas.supporter], kind=MeetingKind.SUPERVISION)
    keys = [s.key for s in notes_template(meeting=meeting)]
    assert keys[:5] == [
        "line_management",
        "facilitation_and_support",
        "learning_and_development",
        "information_and_resources",
        "practical_issues",
    ]
    meeting_write_notes(
        actor=personas.supporter.user,
        meeting=meeting,
        sections={"line_management": "Rota agreed", "disagreements": "Workload (initialled PP)"},
    )
    meeting.refresh_from_db()
    assert meeting_notes(actor=personas.party.user, meeting=meeting)["line_management"] == (
        "Rota agreed"
    )
    told = Notification.objects.filter(kind="meeting.notes").values_list("recipient", flat=True)
    assert set(told) == {personas.party.pk}


def test_PSP_6_the_weekly_session_template_follows_the_organisations_structure(
    personas: Personas, meeting: Meeting
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="PSP", only_rules=["PSP-6"])
    keys = [s.key for s in notes_template(meeting=meeting)]
    assert keys[0] == "welcome_and_housekeeping" and keys[-1] == "round_taking_away"
    assert keys.index("break") == 5


def test_PSP_9_a_weekly_sessions_notes_have_no_place_for_what_peers_share(
    personas: Personas, meeting: Meeting
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="PSP")
    assert [s.key for s in notes_template(meeting=meeting)] == ["housekeeping_summary"]
    with pytest.raises(ValidationError) as exc:
        meeting_write_notes(
            actor=personas.supporter.user,
            meeting=meeting,
            sections={"round_of_good_news": "Pat's news about her daughter"},
        )
    assert exc.value.error_dict["sections"][0].code == "meeting_notes_section"
    meeting.refresh_from_db()
    assert meeting.notes == ""


def test_a_section_not_on_the_template_is_refused(personas: Personas, meeting: Meeting) -> None:
    with pytest.raises(ValidationError) as exc:
        meeting_write_notes(
            actor=personas.supporter.user, meeting=meeting, sections={"gossip": "no"}
        )
    assert exc.value.error_dict["sections"][0].code == "meeting_notes_section"
    meeting.refresh_from_db()
    assert meeting.notes == ""


def test_PSP_10_apologies_by_the_attendee_or_received_by_a_facilitator(
    personas: Personas, meeting: Meeting, co: Person
) -> None:
    own = meeting_record_apologies(
        actor=personas.party.user, meeting=meeting, person=personas.party, reason="Hospital"
    )
    assert own.status == "apologies" and own.apologies_received_by == ""
    assert "Hospital" not in str(AuditEntry.objects.latest("seq").changes)

    on_behalf = meeting_record_apologies(
        actor=personas.supporter.user,
        meeting=meeting,
        person=co,
        received_by="Text message",
    )
    assert on_behalf.apologies_received_by == "Text message"

    with pytest.raises(PermissionDenied):
        meeting_record_apologies(
            actor=personas.party.user, meeting=meeting, person=personas.supporter
        )
    with pytest.raises(PermissionDenied):
        meeting_record_apologies(
            actor=personas.unrelated.user, meeting=meeting, person=personas.unrelated
        )
    with pytest.raises(ValidationError) as exc:
        meeting_record_apologies(
            actor=personas.admin.user, meeting=meeting, person=personas.unrelated
        )
    assert exc.value.error_dict["person"][0].code == "meeting_participant"


def test_holding_the_meeting_meets_its_obligation(
    personas: Personas, co: Person, clock: object
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    obligation = obligation_schedule(
        organisation=personas.org,
        rule_id="ASH-4",
        param="within",
        subject=("casework.case", 7),
        title="Hold the Group Meeting",
        trigger_event="the initial conversation",
        trigger_at=timezone.localdate(),
    )
    meeting = schedule(
        personas,
        facilitators=[personas.supporter, co],
        kind=MeetingKind.GROUP_MEETING,
        subject=("casework.case", 7),
        meets_rule_id="ASH-4",
    )
    with pytest.raises(ValidationError) as early:
        meeting_record_attendance(
            actor=personas.supporter.user,
            meeting=meeting,
            attendance={personas.party.pk: "attended"},
        )
    assert early.value.error_dict["attendance"][0].code == "meeting_has_started"

    clock.move_to(at(1, hour=13))  # type: ignore[attr-defined]
    meeting_record_attendance(
        actor=personas.supporter.user,
        meeting=meeting,
        attendance={personas.party.pk: "attended", co.pk: "absent"},
    )
    meeting.refresh_from_db()
    obligation.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert obligation.state == Obligation.State.MET and obligation.met_at == at(1)
    assert dict(meeting.participants.values_list("person_id", "status"))[co.pk] == "absent"


def test_attendance_only_for_those_invited_and_known_statuses(
    personas: Personas, meeting: Meeting, clock: object
) -> None:
    clock.move_to(at(2))  # type: ignore[attr-defined]
    for attendance, code in (
        ({personas.unrelated.pk: "attended"}, "meeting_participant"),
        ({personas.party.pk: "late"}, "invalid_choice"),
    ):
        with pytest.raises(ValidationError) as exc:
            meeting_record_attendance(
                actor=personas.supporter.user, meeting=meeting, attendance=attendance
            )
        assert exc.value.error_dict["attendance"][0].code == code
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_recording_attendance_tells_listening_modules_inside_the_transaction(
    personas: Personas, meeting: Meeting, clock: object
) -> None:
    # PSP-10: a module counting absences hears of each recording; if it fails, nothing stays.
    clock.move_to(at(2))  # type: ignore[attr-defined]
    heard: list[Meeting] = []

    def listener(sender: object, meeting: Meeting, actor: object, **kwargs: object) -> None:
        heard.append(meeting)
        raise RuntimeError("listener failed")

    attendance_recorded.connect(listener)
    try:
        with pytest.raises(RuntimeError):
            meeting_record_attendance(
                actor=personas.supporter.user,
                meeting=meeting,
                attendance={personas.party.pk: "absent"},
            )
    finally:
        attendance_recorded.disconnect(listener)
    assert heard == [meeting]
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    assert meeting.participants.get(person=personas.party).status == "invited"


def test_people_from_another_organisation_cannot_be_at_a_meeting(
    personas: Personas, meeting: Meeting
) -> None:
    stranger = PersonFactory(organisation=OrganisationFactory())
    with pytest.raises(ValidationError) as exc:
        meeting_invite(actor=personas.supporter.user, meeting=meeting, people=[stranger])
    assert exc.value.error_dict["people"][0].code == "meeting_person_in_organisation"
    with pytest.raises(ValidationError):
        schedule(personas, facilitators=[stranger])


def test_inviting_adds_attendees_once_and_tells_them(personas: Personas, meeting: Meeting) -> None:
    meeting_invite(
        actor=personas.supporter.user,
        meeting=meeting,
        people=[personas.unrelated, personas.party],
    )
    assert meeting.participants.filter(role="attendee").count() == 2
    assert Notification.objects.filter(
        kind="meeting.invitation", recipient=personas.unrelated
    ).exists()
    with pytest.raises(ValidationError) as exc:
        meeting_invite(actor=personas.supporter.user, meeting=meeting, people=[personas.supporter])
    assert exc.value.error_dict["people"][0].code == "meeting_attendee_not_facilitator"


def test_only_those_who_coordinate_schedule_and_only_managers_cancel(
    personas: Personas, meeting: Meeting
) -> None:
    with pytest.raises(PermissionDenied):
        _schedule_as(personas.party)
    with pytest.raises(PermissionDenied):
        meeting_cancel(actor=personas.party.user, meeting=meeting, reason="No")
    with pytest.raises(ValidationError) as exc:
        meeting_cancel(actor=personas.supporter.user, meeting=meeting, reason=" ")
    assert exc.value.error_dict["reason"][0].code == "required"
    meeting_cancel(actor=personas.supporter.user, meeting=meeting, reason="Snow")
    with pytest.raises(ValidationError) as again:
        meeting_cancel(actor=personas.supporter.user, meeting=meeting, reason="Snow")
    assert again.value.error_dict["status"][0].code == "meeting_scheduled"
    told = set(
        Notification.objects.filter(kind="meeting.cancelled").values_list("recipient", flat=True)
    )
    assert personas.party.pk in told and personas.supporter.pk not in told


def _schedule_as(person: Person) -> Meeting:
    from commonground.meetings.services import meeting_schedule

    return meeting_schedule(
        actor=person.user,
        organisation=person.organisation,
        kind=MeetingKind.OTHER,
        starts_at=at(4),
        duration=dt.timedelta(hours=1),
        facilitators=[person],
    )


def test_bad_times_are_refused_naming_the_field(personas: Personas) -> None:
    from commonground.meetings.services import meeting_schedule

    for field, kwargs in (
        ("starts_at", {"starts_at": dt.datetime(2025, 7, 1, 10, 0)}),
        ("duration", {"duration": dt.timedelta(0)}),
        ("duration", {"duration": dt.timedelta(hours=13)}),
        ("kind", {"kind": "party"}),
    ):
        values = {
            "kind": MeetingKind.OTHER,
            "starts_at": at(1),
            "duration": dt.timedelta(hours=1),
        } | kwargs
        with pytest.raises(ValidationError) as exc:
            meeting_schedule(
                actor=personas.admin.user,
                organisation=personas.org,
                facilitators=[personas.supporter],
                **values,  # type: ignore[arg-type]
            )
        assert field in exc.value.error_dict
    assert Meeting.objects.count() == 0 and Participant.objects.count() == 0


def test_an_outcome_can_name_the_agreement_it_made(personas: Personas, meeting: Meeting) -> None:
    outcome = meeting_add_outcome(
        actor=personas.supporter.user,
        meeting=meeting,
        text="Quiet hours after 10pm",
        agreement_type="agreements.agreement",
        agreement_id="12",
    )
    assert MeetingOutcome.objects.get().agreement_id == "12" and outcome.text.startswith("Quiet")
    with pytest.raises(ValidationError):
        meeting_add_outcome(
            actor=personas.supporter.user, meeting=meeting, text="x", agreement_type="a"
        )
