from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonground.audit.models import AuditEntry
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting
from commonground.people.models import Person
from commonground.policies.services import policy_adopt
from commonground.testing.personas import Personas

from .conftest import TRAINED, at, qualify, schedule

pytestmark = pytest.mark.django_db

PERSONAS = ("party", "supporter", "admin", "unrelated", "other_org")


def statuses(client: Client, personas: Personas, url: str) -> dict[str, int]:
    out = {}
    for name in PERSONAS:
        client.force_login(personas.all()[name].user)
        out[name] = client.get(url).status_code
    return out


def url(name: str, meeting: Meeting | None = None) -> str:
    kwargs: dict[str, object] = {"org": "riverside"}
    if meeting is not None:
        kwargs["pk"] = meeting.pk
    return reverse(f"meetings:{name}", kwargs=kwargs)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("meeting_detail", (200, 200, 200, 404, 404)),
        ("meeting_ics", (200, 200, 200, 404, 404)),
        ("meeting_edit", (403, 200, 200, 404, 404)),
        ("meeting_invite", (403, 200, 200, 404, 404)),
        ("meeting_attendance", (403, 200, 200, 404, 404)),
        ("meeting_cancel", (403, 200, 200, 404, 404)),
        ("meeting_apologies", (200, 200, 403, 404, 404)),
        # A weekly session's notes stay with the facilitators (PSP-9).
        ("meeting_notes", (404, 200, 200, 404, 404)),
    ],
)
def test_every_meeting_page_as_every_persona(
    client: Client, personas: Personas, meeting: Meeting, page: str, expected: tuple[int, ...]
) -> None:
    assert statuses(client, personas, url(page, meeting)) == dict(
        zip(PERSONAS, expected, strict=True)
    )


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("meeting_list", (200, 200, 200, 200, 404)),
        ("meeting_create", (403, 200, 200, 403, 404)),
        ("calendar_settings", (200, 200, 200, 200, 404)),
    ],
)
def test_every_organisation_page_as_every_persona(
    client: Client, personas: Personas, page: str, expected: tuple[int, ...]
) -> None:
    assert statuses(client, personas, url(page)) == dict(zip(PERSONAS, expected, strict=True))


def test_WCC_8_the_staff_member_reads_the_notes_of_their_1_to_1(
    client: Client, personas: Personas, co: Person
) -> None:
    meeting = schedule(personas, facilitators=[personas.supporter], kind=MeetingKind.SUPERVISION)
    assert statuses(client, personas, url("meeting_notes", meeting)) == {
        "party": 200,
        "supporter": 200,
        "admin": 200,
        "unrelated": 404,
        "other_org": 404,
    }
    client.force_login(personas.party.user)
    body = client.get(url("meeting_notes", meeting)).content.decode()
    # A read-only copy on the WCC-6 template: no form for the staff member.
    assert "Line management" in body and "Practical issues" in body and "<textarea" not in body
    assert client.post(url("meeting_notes", meeting), {"line_management": "x"}).status_code == 403


def test_the_list_shows_my_upcoming_meetings(
    client: Client, personas: Personas, meeting: Meeting
) -> None:
    client.force_login(personas.party.user)
    body = client.get(url("meeting_list")).content.decode()
    assert meeting.title in body and "Attendee: Invited" in body
    client.force_login(personas.unrelated.user)
    assert meeting.title not in client.get(url("meeting_list")).content.decode()
    client.force_login(personas.admin.user)
    assert meeting.title in client.get(url("meeting_list") + "?show=all").content.decode()


def test_the_list_runs_the_same_queries_for_few_and_many(
    client: Client, personas: Personas, meeting: Meeting, co: Person
) -> None:
    client.force_login(personas.supporter.user)
    client.get(url("meeting_list"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("meeting_list")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for day in range(2, 20):
        schedule(personas, facilitators=[personas.supporter, co], starts_at=at(day), place="Hall")
    assert count() == few


def form_data(personas: Personas, co: Person, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": MeetingKind.WEEKLY_SESSION,
        "title": "Thursday evening group",
        "date": "2025-07-03",
        "time": "18:30",
        "duration_minutes": "120",
        "place": "Library meeting room",
        "facilitators": [personas.supporter.pk, co.pk],
        "lead": "",
        "attendees": [personas.party.pk],
        "action": "save",
    }
    data.update(overrides)
    return data


def test_scheduling_from_the_page(client: Client, personas: Personas, co: Person) -> None:
    client.force_login(personas.supporter.user)
    response = client.post(url("meeting_create"), form_data(personas, co))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.starts_at == at(3, hour=18).replace(minute=30)
    assert meeting.participants.count() == 3


def test_bad_input_keeps_what_was_typed_and_writes_nothing(
    client: Client, personas: Personas, co: Person
) -> None:
    client.force_login(personas.supporter.user)
    entries = AuditEntry.objects.count()
    response = client.post(
        url("meeting_create"), form_data(personas, co, facilitators=[], date="not a date")
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Thursday evening group" in body and "Library meeting room" in body
    assert 'aria-invalid="true"' in body
    assert Meeting.objects.count() == 0 and AuditEntry.objects.count() == entries


def test_IMHP_1_a_refused_schedule_shows_the_rule_on_the_facilitators(
    client: Client, personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    client.force_login(personas.supporter.user)
    response = client.post(url("meeting_create"), form_data(personas, co))
    body = response.content.decode()
    assert response.status_code == 200 and "IMHP-1" in body
    assert "Thursday evening group" in body
    assert Meeting.objects.count() == 0


def test_IMHP_2_the_staffing_check_shows_warnings_before_saving(
    client: Client, personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED, "dbs_check")
    client.force_login(personas.supporter.user)
    data = form_data(
        personas,
        co,
        kind=MeetingKind.INDIVIDUAL_SUPPORT,
        facilitators=[personas.supporter.pk],
        action="check",
    )
    body = client.post(url("meeting_create"), data).content.decode()
    assert "Staffing check" in body and "IMHP-2" in body and "Warning" in body
    assert Meeting.objects.count() == 0
    response = client.post(url("meeting_create"), data | {"action": "save"}, follow=True)
    assert "IMHP-2: Ideally 2 team members" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_the_detail_page_shows_the_staffing_check_with_its_rule_ids(
    client: Client, personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    meeting = schedule(personas, facilitators=[personas.supporter, co])
    client.force_login(personas.supporter.user)
    assert "Staffed as IMHP-1 says" in client.get(url("meeting_detail", meeting)).content.decode()
    client.force_login(co.user)
    client.post(url("meeting_apologies", meeting), {"reason": ""})
    client.force_login(personas.admin.user)
    body = client.get(url("meeting_detail", meeting)).content.decode()
    assert "IMHP-1" in body and "Not allowed" in body
    client.force_login(personas.party.user)
    assert "Staffing" not in client.get(url("meeting_detail", meeting)).content.decode()


def test_changing_a_meeting_from_the_page(
    client: Client, personas: Personas, meeting: Meeting, co: Person
) -> None:
    client.force_login(personas.supporter.user)
    response = client.post(
        url("meeting_edit", meeting),
        {
            "title": "Tuesday group (moved)",
            "date": "2025-07-08",
            "time": "11:00",
            "duration_minutes": "60",
            "place": "Room 3",
            "facilitators": [personas.supporter.pk, personas.unrelated.pk],
            "lead": personas.unrelated.pk,
            "action": "save",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Tuesday group (moved)" and meeting.place == "Room 3"
    assert meeting.starts_at == at(8, hour=11)
    assert meeting.participants.get(role="lead").person == personas.unrelated


def test_attendance_and_apologies_from_the_pages(
    client: Client, personas: Personas, meeting: Meeting, clock: object
) -> None:
    client.force_login(personas.supporter.user)
    response = client.post(
        url("meeting_apologies", meeting) + "?for=other",
        {"person": personas.party.pk, "received_by": "Text message", "reason": "Stuck at work"},
    )
    assert response.status_code == 302
    detail = client.get(url("meeting_detail", meeting)).content.decode()
    assert "Sent apologies (by Text message)" in detail
    # Too early to record attendance.
    before = client.post(url("meeting_attendance", meeting), {})
    assert before.status_code == 200
    clock.move_to(at(1, hour=12))  # type: ignore[attr-defined]
    client.force_login(personas.supporter.user)  # the session has timed out meanwhile
    fields = {f"p{p.person_id}": "attended" for p in meeting.participants.all()}
    fields[f"p{personas.party.pk}"] = "apologies"
    response = client.post(url("meeting_attendance", meeting), fields)
    assert response.status_code == 302 and response.url == url("meeting_detail", meeting)
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_notes_written_on_the_page_are_kept_and_shown(
    client: Client, personas: Personas, meeting: Meeting
) -> None:
    client.force_login(personas.supporter.user)
    page = client.get(url("meeting_notes", meeting)).content.decode()
    assert "Round of good news" in page and "Round of “something I am taking away”" in page
    response = client.post(url("meeting_notes", meeting), {"round_of_good_news": "Many smiles"})
    assert response.status_code == 302
    assert "Many smiles" in client.get(url("meeting_notes", meeting)).content.decode()


def test_cancelling_needs_a_reason(client: Client, personas: Personas, meeting: Meeting) -> None:
    client.force_login(personas.admin.user)
    response = client.post(url("meeting_cancel", meeting), {"reason": ""})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert client.post(url("meeting_cancel", meeting), {"reason": "Snow"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
