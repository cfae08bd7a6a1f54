"""The session pages as each persona sees them; refusals re-render with the rule; GET pages
change nothing; the actions list keeps its queries flat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.groupsessions import services
from commonground.groupsessions.models import HousekeepingAction, SessionRun
from commonground.groupsessions.tests.world import SessionWorld
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def as_(client: Client, who: object) -> Client:
    client.force_login(who.user)  # type: ignore[attr-defined]
    return client


def url(sw: SessionWorld, name: str, **kw: object) -> str:
    return reverse(f"groupsessions:{name}", kwargs={"org": sw.org.slug, **kw})


@pytest.mark.parametrize(
    ("who", "session", "actions"),
    [
        ("party", 403, 200),
        ("supporter", 200, 200),
        ("admin", 200, 200),
        ("unrelated", 404, 404),
        ("other_org", 404, 404),
    ],
)
def test_who_sees_the_session_and_the_actions(
    client: Client, sw: SessionWorld, who: str, session: int, actions: int
) -> None:
    as_(client, getattr(sw.p, who))
    assert client.get(url(sw, "session", pk=sw.meeting.pk)).status_code == session
    assert client.get(url(sw, "session_plan", pk=sw.meeting.pk)).status_code == session
    assert client.get(url(sw, "group_actions", pk=sw.group.pk)).status_code == actions


def test_PSP_6_the_page_walks_the_structure_with_plain_forms(
    client: Client, sw: SessionWorld
) -> None:
    as_(client, sw.p.supporter)
    before = AuditEntry.objects.count()
    page = client.get(url(sw, "session", pk=sw.meeting.pk))
    assert AuditEntry.objects.count() == before and not SessionRun.objects.exists()
    assert b"Start the session" in page.content
    client.post(url(sw, "session_step", pk=sw.meeting.pk), {"action": "start"})
    page = client.get(url(sw, "session", pk=sw.meeting.pk))
    assert "Now: Welcome and housekeeping" in page.content.decode()
    assert "Pip" in page.content.decode()  # preferred names
    got = client.post(url(sw, "session_step", pk=sw.meeting.pk), {"action": "back"})
    assert got.status_code == 400
    assert "This is the first step. (PSP-6)" in got.content.decode()
    got = client.post(url(sw, "session_step", pk=sw.meeting.pk), {"action": "sideways"})
    assert got.status_code == 400
    got = client.post(url(sw, "session_attendance", pk=sw.meeting.pk), {"status_abc": "x"})
    assert got.status_code == 400
    got = client.post(url(sw, "round_start", pk=sw.meeting.pk), {"step": "x", "minutes": "ten"})
    assert got.status_code == 400 and "PSP-7" in got.content.decode()
    got = client.post(url(sw, "round_turn", pk=sw.meeting.pk), {"round": "99999", "person": "1"})
    assert got.status_code == 400


def test_PSP_7_without_javascript_the_page_shows_each_share(
    client: Client, sw: SessionWorld
) -> None:
    actor = sw.p.supporter.user
    services.session_start(actor=actor, meeting=sw.meeting)
    marks = {p.person_id: "attended" for p in sw.meeting.participants.all()}
    services.attendance_record(actor=actor, meeting=sw.meeting, attendance=marks)
    services.session_move(actor=actor, meeting=sw.meeting, direction="next")
    services.round_start(actor=actor, meeting=sw.meeting, step="round_of_good_news", minutes=6)
    as_(client, sw.p.supporter)
    page = client.get(url(sw, "session", pk=sw.meeting.pk)).content.decode()
    assert page.count("<td data-share>60 s</td>") == 6
    plan = client.get(url(sw, "session_plan", pk=sw.meeting.pk)).content.decode()
    assert "Pip: 1 min" in plan
    assert 'src="/static/groupsessions/round-timer.js"' in page
    assert "<script>" not in page


def test_PSP_8_a_refused_action_keeps_what_was_typed(client: Client, sw: SessionWorld) -> None:
    as_(client, sw.p.supporter)
    got = client.post(
        url(sw, "action_create", pk=sw.meeting.pk),
        {"kind": "handout", "owner": sw.second.pk, "title": ""},
    )
    assert got.status_code == 400
    assert "Say in a few words what is promised." in got.content.decode()
    assert not HousekeepingAction.objects.exists()
    got = client.post(
        url(sw, "action_create", pk=sw.meeting.pk),
        {"kind": "handout", "owner": sw.second.pk, "title": "Breathing handout"},
    )
    assert got.status_code == 302


def test_PSP_8_members_see_the_actions_and_only_the_owner_marks_done(
    client: Client, sw: SessionWorld
) -> None:
    action = services.action_create(
        actor=sw.p.supporter.user,
        meeting=sw.meeting,
        kind="news",
        owner=sw.second,
        about=sw.peers[2],
    )
    as_(client, sw.p.party)
    page = client.get(url(sw, "group_actions", pk=sw.group.pk)).content.decode()
    assert "news of an absent peer: Robin Rowe" in page
    assert "Mark done: " not in page
    client.post(url(sw, "action_done", pk=action.pk))
    action.refresh_from_db()
    assert action.done_at is None
    as_(client, sw.second)
    client.post(url(sw, "action_done", pk=action.pk))
    action.refresh_from_db()
    assert action.done_at is not None


def test_the_actions_list_keeps_its_queries_flat(client: Client, sw: SessionWorld) -> None:
    def count() -> int:
        as_(client, sw.p.party)
        client.get(url(sw, "group_actions", pk=sw.group.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(sw, "group_actions", pk=sw.group.pk)).status_code == 200
        return len(ctx.captured_queries)

    services.action_create(
        actor=sw.p.supporter.user, meeting=sw.meeting, kind="other", owner=sw.second, title="a"
    )
    one = count()
    for i in range(8):
        services.action_create(
            actor=sw.p.supporter.user,
            meeting=sw.meeting,
            kind="other",
            owner=sw.peers[i % 3],
            title=f"t{i}",
            due_on=timezone.localdate() + dt.timedelta(days=i + 1),
        )
    # The mark-done check is per row (a rules predicate), bounded by a constant per row at most.
    many = count()
    assert many <= one + 8 * 3


def test_PSP_9_the_concern_pages(client: Client, sw: SessionWorld, personas: Personas) -> None:
    as_(client, sw.p.supporter)
    form = url(sw, "concern_create", pk=sw.meeting.pk)
    got = client.post(
        form, {"about": sw.peers[0].pk, "concern": "x", "reason": "", "third_party": "police"}
    )
    assert got.status_code == 400
    got = client.post(
        form,
        {
            "about": sw.peers[0].pk,
            "concern": "Made up.",
            "reason": "At risk",
            "third_party": "police",
            "told_at": "2026-01-01T10:00",
        },
    )
    assert got.status_code == 302
    detail = got["Location"]
    assert "Made up." in client.get(detail).content.decode()
    for who in (sw.p.party, sw.second, sw.p.admin, sw.p.unrelated):
        as_(client, who)
        assert client.get(detail).status_code == 404
