"""The groups pages: who may open them, what each persona sees, the forms and their refusals,
scheduling with the staffing check first (PSP-4, IMHP-1), and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.groups import selectors, services
from commonground.groups.models import GroupMember, SupportGroup
from commonground.groups.tests.world import SharedGroup, train
from commonground.meetings.models import Meeting
from commonground.people.models import Qualification
from commonground.people.roles import Role
from commonground.testing.factories import PersonFactory, person_with_login
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


def _url(p: Personas, name: str, **kwargs: Any) -> str:
    return reverse(f"groups:{name}", kwargs={"org": p.org.slug, **kwargs})


def _statuses(client: Client, p: Personas, url: str) -> dict[str, int]:
    out = {}
    for name, person in p.all().items():
        client.force_login(person.user)
        out[name] = client.get(url).status_code
    return out


def _as(client: Client, person: Any) -> Client:
    client.force_login(person.user)
    return client


RUNS = {"party": 403, "supporter": 200, "admin": 200, "unrelated": 404, "other_org": 404}
ADMIN = {"party": 403, "supporter": 403, "admin": 200, "unrelated": 404, "other_org": 404}


def test_who_may_open_each_page(client: Client, personas: Personas, shared: SharedGroup) -> None:
    p, g = personas, shared.group
    member = GroupMember.objects.get(group=g, person=p.party)
    pool_row = g.facilitators.get(person=shared.co)
    expected = {
        _url(p, "group_list"): dict.fromkeys(p.all(), 200) | {"other_org": 404},
        _url(p, "group_create"): ADMIN | {"unrelated": 403},
        _url(p, "group_detail", pk=g.pk): RUNS | {"party": 200},
        _url(p, "group_edit", pk=g.pk): ADMIN,
        _url(p, "group_close", pk=g.pk): ADMIN,
        _url(p, "facilitator_add", pk=g.pk): ADMIN,
        _url(p, "facilitator_end", pk=g.pk, facilitator_pk=pool_row.pk): ADMIN,
        _url(p, "session_schedule", pk=g.pk): RUNS,
        _url(p, "member_leave", pk=g.pk, member_pk=member.pk): RUNS,
    }
    before = AuditEntry.objects.count()
    for url, statuses in expected.items():
        assert _statuses(client, p, url) == statuses, url
    # Opening pages changes nothing.
    assert AuditEntry.objects.count() == before


def test_a_group_id_from_another_organisation_or_unknown_is_404(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    _as(client, personas.other_org)
    other_url = reverse(
        "groups:group_detail", kwargs={"org": personas.other.slug, "pk": shared.group.pk}
    )
    assert client.get(other_url).status_code == 404
    _as(client, personas.admin)
    assert client.get(_url(personas, "group_detail", pk=999_999)).status_code == 404
    assert client.get(_url(personas, "group_detail", pk=2**63)).status_code == 404
    # A pool row or a member of another group is not found through this one.
    url = _url(personas, "member_leave", pk=shared.group.pk, member_pk=999_999)
    assert client.get(url).status_code == 404


def test_a_peer_sees_the_schedule_venue_sessions_and_facilitators_never_other_members(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    other_peer = PersonFactory(organisation=personas.org, full_name="Zed Hidden-Peer")
    services.member_add(actor=personas.admin.user, group=shared.group, person=other_peer)
    page = _as(client, personas.party).get(_url(personas, "group_detail", pk=shared.group.pk))
    text = page.content.decode()
    assert "Tuesdays, 18:30" in text
    assert "Millbrook Community Centre, room 2" in text
    assert "Tuesday 1 July 2025, 18:30" in text
    assert personas.supporter.display_name in text and "Cam Cofacilitator" in text
    assert "Zed Hidden-Peer" not in text
    assert "Members of the group" not in text and "Pool of facilitators" not in text
    guidelines = reverse(
        "peers:group_guidelines", kwargs={"org": personas.org.slug, "group_id": shared.group.pk}
    )
    assert f'href="{guidelines}"' in text
    apologies = reverse(
        "peers:apologies",
        kwargs={
            "org": personas.org.slug,
            "group_id": shared.group.pk,
            "meeting_id": shared.session.pk,
        },
    )
    assert f'href="{apologies}"' in text
    assert "Run this session" not in text and "Absences" not in text


def test_facilitators_see_members_pool_training_and_each_sessions_staffing(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    page = _as(client, personas.supporter).get(_url(personas, "group_detail", pk=shared.group.pk))
    text = page.content.decode()
    assert personas.party.display_name in text and "30 June 2025" in text
    assert "PSP-4 training" in text and "Facilitator training" in text
    assert "Not staffed" not in text
    # The co-facilitator's training lapses before the session: the page warns (PSP-4).
    Qualification.objects.filter(person=shared.co).update(expires_on=dt.date(2025, 6, 30))
    text = client.get(_url(personas, "group_detail", pk=shared.group.pk)).content.decode()
    assert "Not staffed as the policy says" in text and "PSP-4" in text
    assert "Cam Cofacilitator has no facilitator training current on 1 July 2025" in text


def test_the_list_shows_a_peer_only_their_groups_and_facilitators_every_group(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    services.group_create(
        actor=personas.admin.user,
        organisation=personas.org,
        name="Thursday afternoon group",
        weekday=3,
        start_time=dt.time(14, 0),
    )
    mine = _as(client, personas.party).get(_url(personas, "group_list")).content.decode()
    assert "Tuesday evening group" in mine and "Thursday afternoon group" not in mine
    assert "Tuesday 1 July 2025, 18:30" in mine
    every = _as(client, personas.supporter).get(_url(personas, "group_list")).content.decode()
    assert "Tuesday evening group" in every and "Thursday afternoon group" in every
    none = _as(client, personas.unrelated).get(_url(personas, "group_list")).content.decode()
    assert "You are not in a group yet" in none


def _list_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_queries_for_1_or_20_groups(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    url = _url(personas, "group_list")
    one = {}
    for who in (personas.admin, personas.party):
        _as(client, who).get(url)
        one[who.pk] = _list_queries(client, url)
    for n in range(19):
        group = services.group_create(
            actor=personas.admin.user,
            organisation=personas.org,
            name=f"Group {n}",
            weekday=n % 7,
            start_time=dt.time(10, 0),
        )
        for person in (shared.co, personas.supporter):
            services.facilitator_add(actor=personas.admin.user, group=group, person=person)
        services.member_add(actor=personas.admin.user, group=group, person=personas.party)
        services.sessions_schedule(
            actor=personas.admin.user, group=group, facilitators=[shared.co, personas.supporter]
        )
    assert SupportGroup.objects.count() == 20
    for who in (personas.admin, personas.party):
        _as(client, who)
        assert _list_queries(client, url) == one[who.pk]
    assert client.get(url).content.decode().count("Group 1") >= 1


def test_the_admin_sets_up_changes_and_closes_a_group(
    client: Client, personas: Personas, clock: Any
) -> None:
    _as(client, personas.admin)
    data = {
        "name": "Thursday afternoon group",
        "weekday": "3",
        "start_time": "14:00",
        "duration_minutes": "120",
        "venue": "The library meeting room",
        "description": "",
    }
    response = client.post(_url(personas, "group_create"), data)
    group = SupportGroup.objects.get(name="Thursday afternoon group")
    assert response.status_code == 302 and group.weekday == 3
    # The same name again is refused on the form, with what was typed kept.
    again = client.post(_url(personas, "group_create"), data | {"venue": "Elsewhere"})
    assert again.status_code == 400
    assert "There is already a group called" in again.content.decode()
    assert 'value="Elsewhere"' in again.content.decode()
    assert SupportGroup.objects.count() == 1
    # Too short a session is refused by the form, nothing written.
    short = client.post(_url(personas, "group_edit", pk=group.pk), data | {"duration_minutes": "5"})
    assert short.status_code == 400
    edit = client.post(
        _url(personas, "group_edit", pk=group.pk), data | {"start_time": "13:30", "weekday": "2"}
    )
    assert edit.status_code == 302
    group.refresh_from_db()
    assert (group.weekday, group.start_time) == (2, dt.time(13, 30))
    no_reason = client.post(
        _url(personas, "group_close", pk=group.pk), {"closed_on": "2025-07-31", "reason": ""}
    )
    assert no_reason.status_code == 400
    closed = client.post(
        _url(personas, "group_close", pk=group.pk),
        {"closed_on": "2025-07-31", "reason": "The room is no longer available."},
    )
    assert closed.status_code == 302
    group.refresh_from_db()
    assert group.closed_on == dt.date(2025, 7, 31)
    entry = AuditEntry.objects.filter(summary="Group closed").get()
    assert entry.reason == "The room is no longer available."


def test_the_admin_keeps_the_pool(client: Client, personas: Personas, shared: SharedGroup) -> None:
    third = person_with_login(personas.org, Role.FACILITATOR, email="f3@example.test")
    _as(client, personas.admin)
    url = _url(personas, "facilitator_add", pk=shared.group.pk)
    assert client.post(url, {"person": third.pk, "starts_on": "2025-06-30"}).status_code == 302
    assert third.pk in selectors.facilitator_ids(shared.group.pk)
    # Someone from another organisation is not a choice.
    bad = client.post(url, {"person": personas.other_org.pk, "starts_on": "2025-06-30"})
    assert bad.status_code == 400
    row = shared.group.facilitators.get(person=third)
    end = _url(personas, "facilitator_end", pk=shared.group.pk, facilitator_pk=row.pk)
    assert client.post(end, {"ends_on": "2025-06-30", "reason": "Moving away"}).status_code == 302
    assert third.pk not in selectors.facilitator_ids(shared.group.pk)
    assert client.get(end).status_code == 404  # no longer in the pool


def test_PSP_4_scheduling_checks_staffing_first_and_refuses_an_untrained_facilitator(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    untrained = person_with_login(personas.org, Role.FACILITATOR, email="new@example.test")
    services.facilitator_add(actor=personas.admin.user, group=shared.group, person=untrained)
    _as(client, personas.supporter)
    url = _url(personas, "session_schedule", pk=shared.group.pk)
    before = Meeting.objects.count()
    check = client.post(
        url,
        {"facilitators": [personas.supporter.pk, untrained.pk], "weeks": "2", "action": "check"},
    )
    text = check.content.decode()
    assert check.status_code == 200 and "Staffing check" in text
    assert f"{untrained.display_name} has no facilitator training current on 8 July" in text
    refused = client.post(
        url, {"facilitators": [personas.supporter.pk, untrained.pk], "weeks": "2"}
    )
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "PSP-4 on Tuesday 8 July 2025" in text
    assert 'value="2"' in text  # what was typed is kept
    alone = client.post(url, {"facilitators": [personas.supporter.pk], "weeks": "1"})
    assert alone.status_code == 400 and "co-facilitated by at least 2" in alone.content.decode()
    assert Meeting.objects.count() == before


def test_scheduling_the_next_four_weeks_follows_on_from_the_last_session(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    _as(client, personas.supporter)
    url = _url(personas, "session_schedule", pk=shared.group.pk)
    response = client.post(
        url, {"facilitators": [personas.supporter.pk, shared.co.pk], "weeks": "4"}
    )
    assert response.status_code == 302
    days = [
        timezone.localtime(m.starts_at).date()
        for m in selectors.group_sessions(shared.group).order_by("starts_at")
    ]
    assert days == [dt.date(2025, 7, d) for d in (1, 8, 15, 22, 29)]
    first = selectors.group_sessions(shared.group).order_by("starts_at")[1]
    assert timezone.localtime(first.starts_at).time() == dt.time(18, 30)
    assert list(first.participants.filter(role="attendee").values_list("person", flat=True)) == [
        personas.party.pk
    ]


def test_PSP_10_a_facilitator_records_a_member_leaving_with_an_encrypted_reason(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    member = GroupMember.objects.get(group=shared.group, person=personas.party)
    _as(client, personas.supporter)
    url = _url(personas, "member_leave", pk=shared.group.pk, member_pk=member.pk)
    response = client.post(url, {"ends_on": "2025-06-30", "reason": "Ready to move on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ends_on == dt.date(2025, 6, 30) and member.end_reason == "Ready to move on"
    with connection.cursor() as cursor:
        cursor.execute("SELECT end_reason FROM groups_groupmember WHERE id = %s", [member.pk])
        (stored,) = cursor.fetchone()
    assert "Ready to move on" not in stored
    entry = AuditEntry.objects.filter(summary="A peer left the group").get()
    assert "Ready to move on" not in str(entry.changes)
    assert not selectors.is_member(personas.party, shared.group)
    # The peer no longer knows the group.
    _as(client, personas.party)
    assert client.get(_url(personas, "group_detail", pk=shared.group.pk)).status_code == 404


def test_PSP_11_leaving_needs_no_reason(
    client: Client, personas: Personas, shared: SharedGroup
) -> None:
    member = GroupMember.objects.get(group=shared.group, person=personas.party)
    _as(client, personas.admin)
    url = _url(personas, "member_leave", pk=shared.group.pk, member_pk=member.pk)
    assert client.post(url, {"ends_on": "2025-06-30", "reason": ""}).status_code == 302
    member.refresh_from_db()
    assert member.ends_on is not None and member.end_reason == ""


def test_train_helper_gives_current_training(personas: Personas, clock: Any) -> None:
    train(personas.unrelated)
    assert Qualification.objects.current().filter(person=personas.unrelated).exists()
