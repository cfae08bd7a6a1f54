"""Running a weekly session: structure (PSP-6), attendance, Taking Time, rounds (PSP-7),
housekeeping actions as obligations (PSP-8) and confidentiality (PSP-9)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.groupsessions import selectors, services
from commonground.groupsessions.models import SafeguardingConcern, Turn
from commonground.groupsessions.tests.world import SessionWorld
from commonground.meetings.kinds import PSP6_LABELS
from commonground.meetings.models import Meeting, Participant
from commonground.notifications.models import Notification
from commonground.obligations.models import Obligation
from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.policies.services import policy_value_change
from commonground.testing.factories import RoleAssignmentFactory, person_with_login

pytestmark = pytest.mark.django_db


def code(err: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return str(err.value.error_dict[field][0].code)


def present(sw: SessionWorld, *people: Person) -> None:
    everyone = {p.person_id: "absent" for p in sw.meeting.participants.all()}
    everyone.update({p.pk: "attended" for p in people})
    services.attendance_record(actor=sw.p.supporter.user, meeting=sw.meeting, attendance=everyone)


def test_PSP_6_session_follows_the_structure_from_welcome_to_taking_away(sw: SessionWorld) -> None:
    actor = sw.p.supporter.user
    run = services.session_start(actor=actor, meeting=sw.meeting)
    assert run.structure == list(PSP6_LABELS)
    assert run.current_key == "welcome_and_housekeeping"
    with pytest.raises(ValidationError) as err:
        services.session_move(actor=actor, meeting=sw.meeting, direction="back")
    assert code(err, "direction") == "PSP-6"
    keys = [run.current_key]
    for _ in range(len(run.structure) - 1):
        keys.append(
            services.session_move(actor=actor, meeting=sw.meeting, direction="next").current_key
        )
    assert keys[-1] == "round_taking_away"
    run = services.session_move(actor=actor, meeting=sw.meeting, direction="back")
    assert run.current_key == "housekeeping_summary"
    services.session_move(actor=actor, meeting=sw.meeting, direction="next")
    run = services.session_move(actor=actor, meeting=sw.meeting, direction="next")
    assert run.ended_at is not None
    sw.meeting.refresh_from_db()
    assert sw.meeting.status == Meeting.Status.HELD
    steps = list(run.steps.values_list("key", "ended_at"))
    assert len(steps) == 13 and all(ended for _, ended in steps)
    with pytest.raises(ValidationError) as err:
        services.session_move(actor=actor, meeting=sw.meeting, direction="next")
    assert code(err, "step") == "session_running"


def test_PSP_6_the_organisations_own_structure_is_followed(sw: SessionWorld) -> None:
    policy_value_change(
        actor=sw.p.admin.user,
        organisation=sw.org,
        rule_id="PSP-6",
        param="session_structure",
        value="welcome_and_housekeeping, round_of_good_news, round_taking_away",
        reason="A shorter summer session",
    )
    run = services.session_start(actor=sw.p.supporter.user, meeting=sw.meeting)
    assert run.structure == ["welcome_and_housekeeping", "round_of_good_news", "round_taking_away"]


def test_only_the_groups_facilitators_and_the_admin_run_it(sw: SessionWorld) -> None:
    for who in (sw.p.party, sw.p.unrelated, sw.peers[0], sw.p.other_org):
        with pytest.raises(PermissionDenied):
            services.session_start(actor=who.user, meeting=sw.meeting)
    services.session_start(actor=sw.p.admin.user, meeting=sw.meeting)


def test_a_session_opens_at_most_an_hour_early(sw: SessionWorld) -> None:
    early = sw.meeting.starts_at - dt.timedelta(hours=2)
    with time_machine.travel(early), pytest.raises(ValidationError) as err:
        services.session_start(actor=sw.p.supporter.user, meeting=sw.meeting)
    assert code(err, "step") == "session_open_early"


def test_attendance_is_the_meetings_participant_rows_and_a_walk_in_can_be_added(
    sw: SessionWorld,
) -> None:
    newcomer = person_with_login(sw.org, email="late@example.test", full_name="Lee Late")
    from commonground.groups.services import member_add

    member_add(actor=sw.p.admin.user, group=sw.group, person=newcomer)
    present(sw, sw.p.supporter, sw.second, sw.p.party, sw.peers[0])
    services.attendance_record(
        actor=sw.p.supporter.user, meeting=sw.meeting, attendance={sw.peers[1].pk: "apologies"}
    )
    statuses = dict(sw.meeting.participants.values_list("person_id", "status"))
    assert statuses[sw.p.party.pk] == "attended"
    assert statuses[sw.peers[1].pk] == "apologies"
    assert statuses[sw.peers[2].pk] == "absent"
    services.walk_in_add(actor=sw.p.supporter.user, meeting=sw.meeting, person=newcomer)
    assert Participant.objects.get(meeting=sw.meeting, person=newcomer).status == "attended"
    with pytest.raises(ValidationError) as err:
        services.walk_in_add(actor=sw.p.supporter.user, meeting=sw.meeting, person=newcomer)
    assert code(err, "person") == "participant_once"
    with pytest.raises(ValidationError) as err:
        services.walk_in_add(actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.p.unrelated)
    assert code(err, "person") == "group_member"
    with pytest.raises(ValidationError) as err:
        services.attendance_record(
            actor=sw.p.supporter.user, meeting=sw.meeting, attendance={sw.p.party.pk: "maybe"}
        )
    assert code(err, "attendance") == "invalid_choice"
    assert AuditEntry.objects.filter(summary="Attendance recorded").count() == 2


def test_PSP_8_last_weeks_guarantee_comes_first_and_is_met_when_they_take_time(
    sw: SessionWorld,
) -> None:
    from commonground.groups.services import session_schedule

    last_week = session_schedule(
        actor=sw.p.admin.user,
        group=sw.group,
        facilitators=[sw.p.supporter, sw.second],
        starts_at=sw.meeting.starts_at - dt.timedelta(days=7),
    )
    guarantee = services.action_create(
        actor=sw.p.supporter.user,
        meeting=last_week,
        kind="guarantee",
        owner=sw.p.supporter,
        about=sw.peers[0],
    )
    assert guarantee.due_on == sw.meeting.local_day
    services.session_start(actor=sw.p.supporter.user, meeting=sw.meeting)
    present(sw, sw.p.supporter, sw.second, sw.p.party, sw.peers[0], sw.peers[1])
    services.take_time_offer(actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.p.party)
    services.take_time_offer(actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.peers[0])
    offers = selectors.take_time_list(sw.meeting)
    assert [o.person for o in offers] == [sw.peers[0], sw.p.party]
    assert offers[0].guaranteed
    with pytest.raises(ValidationError) as err:
        services.take_time_offer(actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.peers[2])
    assert code(err, "person") == "attended"
    services.take_time_slot(
        actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.peers[0], slot="taking_time_1"
    )
    guarantee.refresh_from_db()
    assert guarantee.is_done
    assert Obligation.objects.get(pk=guarantee.obligation_id).state == "met"
    with pytest.raises(ValidationError) as err:
        services.take_time_slot(
            actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.p.party, slot="taking_time_1"
        )
    assert code(err, "slot") == "take_time_slot_once"
    with pytest.raises(ValidationError) as err:
        services.take_time_slot(
            actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.p.party, slot="break"
        )
    assert code(err, "slot") == "PSP-6"


def test_PSP_7_round_gives_equal_shares_and_a_pass_re_divides(sw: SessionWorld) -> None:
    services.session_start(actor=sw.p.supporter.user, meeting=sw.meeting)
    present(sw, sw.p.supporter, sw.second, sw.p.party, sw.peers[0])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        found = services.round_start(
            actor=sw.p.supporter.user, meeting=sw.meeting, step="round_of_good_news", minutes=8
        )
        state = selectors.round_state(found)
    assert found.total_seconds == 480
    assert state.shares == [120, 120, 120, 120]
    first = state.current
    assert first is not None
    # The third peer says they will pass: the others share their time.
    third = state.turns[2]
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        services.turn_pass(actor=sw.p.supporter.user, round=found, person_id=third.person_id)
        assert selectors.round_state(found).shares == [160, 160, 0, 160]
        # Only the peer speaking now can finish.
        with pytest.raises(ValidationError) as err:
            services.turn_done(
                actor=sw.p.supporter.user, round=found, person_id=state.turns[1].person_id
            )
        assert code(err, "person") == "round_turn_current"
    # The first finishes early after 100 s: the 60 s left goes to the two still to speak.
    with time_machine.travel(start + dt.timedelta(seconds=100), tick=False):
        turn = services.turn_done(actor=sw.p.supporter.user, round=found, person_id=first.person_id)
        assert turn.used_seconds == 100
        later = selectors.round_state(found)
        assert later.shares == [100, 190, 0, 190]
        assert later.current_elapsed == 0
    with time_machine.travel(start + dt.timedelta(seconds=400), tick=False):
        services.turn_done(
            actor=sw.p.supporter.user, round=found, person_id=later.turns[1].person_id
        )
        services.turn_pass(
            actor=sw.p.supporter.user, round=found, person_id=later.turns[3].person_id
        )
    found.refresh_from_db()
    assert found.finished_at is not None
    assert list(found.turns.values_list("state", flat=True)) == [
        Turn.State.SPOKE,
        Turn.State.SPOKE,
        Turn.State.PASSED,
        Turn.State.PASSED,
    ]


def test_PSP_7_a_round_keeps_to_the_sessions_end_time(sw: SessionWorld) -> None:
    services.session_start(actor=sw.p.supporter.user, meeting=sw.meeting)
    present(sw, sw.p.supporter, sw.second, sw.p.party)
    with time_machine.travel(sw.meeting.ends_at - dt.timedelta(minutes=5), tick=False):
        found = services.round_start(
            actor=sw.p.supporter.user, meeting=sw.meeting, step="round_taking_away", minutes=30
        )
    assert found.total_seconds == 300
    assert found.ends_at == sw.meeting.ends_at
    late = sw.meeting.ends_at + dt.timedelta(minutes=1)
    with time_machine.travel(late, tick=False), pytest.raises(ValidationError) as err:
        services.round_start(
            actor=sw.p.supporter.user, meeting=sw.meeting, step="round_of_good_news"
        )
    assert code(err, "minutes") == "PSP-7"


def test_PSP_7_default_length_is_a_fair_part_of_what_remains(sw: SessionWorld) -> None:
    services.session_start(actor=sw.p.supporter.user, meeting=sw.meeting)
    present(sw, sw.p.supporter, sw.second, sw.p.party)
    found = services.round_start(
        actor=sw.p.supporter.user, meeting=sw.meeting, step="round_of_good_news"
    )
    # Ten of the eleven steps are still to come after welcome: about 11 minutes each.
    assert 600 <= found.total_seconds <= 720
    assert found.total_seconds % 60 == 0


def test_PSP_7_the_peer_who_took_time_reflects_after_the_round(sw: SessionWorld) -> None:
    services.session_start(actor=sw.p.supporter.user, meeting=sw.meeting)
    present(sw, sw.p.supporter, sw.second, sw.p.party, sw.peers[0])
    services.take_time_offer(actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.p.party)
    services.take_time_slot(
        actor=sw.p.supporter.user, meeting=sw.meeting, person=sw.p.party, slot="taking_time_2"
    )
    found = services.round_start(
        actor=sw.p.supporter.user, meeting=sw.meeting, step="taking_time_2", minutes=6
    )
    assert sw.p.party.pk not in set(found.turns.values_list("person_id", flat=True))
    assert found.turns.count() == 3


def test_PSP_8_actions_become_obligations_for_their_owner(sw: SessionWorld) -> None:
    actor = sw.p.supporter.user
    day = sw.meeting.local_day + dt.timedelta(days=3)
    handout = services.action_create(
        actor=actor,
        meeting=sw.meeting,
        kind="handout",
        owner=sw.second,
        due_on=day,
        title="Grounding techniques handout",
    )
    obligation = Obligation.objects.get(pk=handout.obligation_id)
    assert (obligation.rule_id, obligation.due_on) == ("PSP-8", day)
    assert list(obligation.assignees.all()) == [sw.second]
    news = services.action_create(
        actor=actor,
        meeting=sw.meeting,
        kind="news",
        owner=sw.p.supporter,
        about=sw.peers[2],
        due_on=day,
    )
    assert "Seek news of Robin Rowe" in news.obligation.title
    with pytest.raises(ValidationError) as err:
        services.action_create(actor=actor, meeting=sw.meeting, kind="guarantee", owner=sw.second)
    assert code(err, "about") == "PSP-8"
    with pytest.raises(ValidationError) as err:
        services.action_create(actor=actor, meeting=sw.meeting, kind="handout", owner=sw.second)
    assert code(err, "title") == "PSP-8"
    with pytest.raises(ValidationError) as err:
        services.action_create(
            actor=actor, meeting=sw.meeting, kind="other", owner=sw.p.unrelated, title="x"
        )
    assert code(err, "owner") == "group_member"
    # The owner marks it done; a peer who does not own it cannot.
    with pytest.raises(PermissionDenied):
        services.action_done(actor=sw.p.party.user, action=handout)
    services.action_done(actor=sw.second.user, action=handout)
    assert Obligation.objects.get(pk=handout.obligation_id).state == "met"
    with pytest.raises(ValidationError) as err:
        services.action_done(actor=sw.p.supporter.user, action=handout)
    assert code(err, "action") == "action_open"


def test_PSP_8_next_meeting_confirms_or_schedules_the_next_session(sw: SessionWorld) -> None:
    actor = sw.p.supporter.user
    with pytest.raises(ValidationError) as err:
        services.action_create(
            actor=actor, meeting=sw.meeting, kind="next_meeting", owner=sw.second
        )
    assert code(err, "next_starts_at") == "PSP-8"
    when = sw.meeting.starts_at + dt.timedelta(days=7)
    action = services.action_create(
        actor=actor, meeting=sw.meeting, kind="next_meeting", owner=sw.second, next_starts_at=when
    )
    assert action.next_meeting is not None and action.next_meeting.starts_at == when
    assert action.next_meeting.place == sw.group.venue
    again = services.action_create(
        actor=actor, meeting=sw.meeting, kind="next_meeting", owner=sw.second
    )
    assert again.next_meeting == action.next_meeting
    assert selectors.next_session(sw.group, sw.meeting) == action.next_meeting


def test_PSP_9_nothing_a_peer_shares_has_anywhere_to_be_written() -> None:
    from commonground.groupsessions import models

    text_fields = {
        f"{m.__name__}.{f.name}"
        for m in (
            models.SessionRun,
            models.SessionStep,
            models.TakeTime,
            models.Round,
            models.Turn,
            models.HousekeepingAction,
        )
        for f in m._meta.get_fields()
        if f.get_internal_type() in {"TextField", "CharField"}
    }
    # Only keys of the structure and a short title of a promise: no notes of any kind.
    assert text_fields == {
        "SessionStep.key",
        "TakeTime.slot",
        "Round.step",
        "Turn.state",
        "HousekeepingAction.kind",
        "HousekeepingAction.title",
    }


@pytest.fixture
def concern(sw: SessionWorld) -> SafeguardingConcern:
    lead = person_with_login(
        sw.org, Role.SAFEGUARDING_LEAD, email="lead@example.test", full_name="Bea Lead"
    )
    sw.lead = lead  # type: ignore[attr-defined]
    return services.concern_record(
        actor=sw.p.supporter.user,
        meeting=sw.meeting,
        about=sw.peers[1],
        concern="Said they have no safe place to stay tonight.",
        reason="An adult at risk.",
        third_party="crisis_team",
        told_at=timezone.now(),
    )


def test_PSP_9_safeguarding_concern_is_encrypted_and_the_lead_is_told(
    sw: SessionWorld, concern: SafeguardingConcern
) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT concern FROM groupsessions_safeguardingconcern WHERE id = %s", [concern.pk]
        )
        raw = cursor.fetchone()[0]
    assert "safe place" not in raw
    sent = Notification.objects.filter(kind="groupsessions.safeguarding")
    assert {n.recipient_id for n in sent} == {sw.lead.pk}  # type: ignore[attr-defined]
    assert all("safe place" not in n.body for n in sent)
    entry = AuditEntry.objects.get(summary="Safeguarding concern recorded (PSP-9)")
    assert "safe place" not in str(entry.changes)


def test_PSP_9_only_the_lead_and_the_recorder_read_a_concern(
    sw: SessionWorld, concern: SafeguardingConcern
) -> None:
    lead = sw.lead  # type: ignore[attr-defined]
    for who in (lead, sw.p.supporter):
        found = selectors.concern_get(actor=who.user, organisation=sw.org, pk=concern.pk)
        assert found.concern.startswith("Said they")
    reads = AuditEntry.objects.filter(action=AuditEntry.Action.READ, object_id=str(concern.pk))
    assert reads.count() == 2
    for who in (sw.p.party, sw.peers[1], sw.p.unrelated, sw.second, sw.p.admin, sw.p.other_org):
        with pytest.raises(Http404):
            selectors.concern_get(actor=who.user, organisation=sw.org, pk=concern.pk)
        assert not selectors.concerns_visible(actor=who.user, organisation=sw.org).exists()


def test_PSP_9_the_admin_reads_concerns_only_when_they_hold_the_lead_role(
    sw: SessionWorld, concern: SafeguardingConcern
) -> None:
    with pytest.raises(Http404):
        selectors.concern_get(actor=sw.p.admin.user, organisation=sw.org, pk=concern.pk)
    RoleAssignmentFactory(person=sw.p.admin, role=Role.SAFEGUARDING_LEAD)
    from commonground.access.policy import forget_standing

    forget_standing(sw.p.admin.user)
    assert selectors.concern_get(actor=sw.p.admin.user, organisation=sw.org, pk=concern.pk)


def test_PSP_9_a_concern_names_the_reason_and_who_was_told(sw: SessionWorld) -> None:
    def record(**kw: object) -> SafeguardingConcern:
        values: dict[str, object] = {
            "actor": sw.p.supporter.user,
            "meeting": sw.meeting,
            "about": sw.peers[1],
            "concern": "c",
            "reason": "r",
            "third_party": "police",
            "told_at": timezone.now(),
        }
        return services.concern_record(**(values | kw))  # type: ignore[arg-type]

    for kw, field in (
        ({"reason": ""}, "reason"),
        ({"third_party": "other"}, "third_party_detail"),
        ({"told_at": None}, "told_at"),
        ({"told_at": timezone.now() + dt.timedelta(days=1)}, "told_at"),
        ({"about": sw.p.unrelated}, "about"),
        ({"third_party": "neighbour"}, "third_party"),
    ):
        with pytest.raises(ValidationError) as err:
            record(**kw)
        assert field in err.value.error_dict
    with pytest.raises(PermissionDenied):
        record(actor=sw.p.party.user)
    assert record(third_party="nobody_yet", told_at=None).told_at is None
