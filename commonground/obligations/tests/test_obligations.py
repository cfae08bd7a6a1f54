from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonground.audit.models import AuditEntry
from commonground.obligations.models import Obligation
from commonground.obligations.selectors import explain, my_obligations, overseen_obligations
from commonground.obligations.services import (
    obligation_cancel,
    obligation_meet,
    obligation_schedule,
    obligation_waive,
    obligations_recompute,
    obligations_sweep,
)
from commonground.obligations.signals import obligation_reminder_due
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt, policy_value_change
from commonground.policies.values import LONDON
from commonground.testing.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def ash(personas: Personas) -> Personas:
    policy_adopt(actor=None, organisation=personas.org, policy="ASH")
    return personas


def _initial_conversation(p: Personas, received: dt.datetime) -> Obligation:
    return obligation_schedule(
        organisation=p.org,
        rule_id="ASH-1",
        param="within",
        subject=("casework.case", 7),
        title="Hold the initial conversation",
        trigger_event="the request reached S&W",
        trigger_at=received,
        assignees=[p.supporter],
        oversight_role=Role.SW_MEMBER,
    )


def test_ASH_1_the_initial_conversation_is_due_three_days_after_the_request(ash: Personas) -> None:
    obligation = _initial_conversation(ash, dt.datetime(2026, 5, 4, 16, 30, tzinfo=LONDON))
    assert obligation.due_on == dt.date(2026, 5, 7)
    assert obligation.rule_id == "ASH-1" and obligation.state == "open"


def test_ASH_4_the_group_meeting_is_due_three_weeks_after_the_initial_conversation(
    ash: Personas,
) -> None:
    obligation = obligation_schedule(
        organisation=ash.org,
        rule_id="ASH-4",
        param="within",
        subject=("casework.case", 7),
        title="Hold the Group Meeting",
        trigger_event="the initial conversation",
        trigger_at=dt.date(2026, 5, 7),
    )
    assert obligation.due_on == dt.date(2026, 5, 28)


def test_moving_the_trigger_moves_the_deadline(ash: Personas) -> None:
    first = _initial_conversation(ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON))
    moved = _initial_conversation(ash, dt.datetime(2026, 5, 11, 9, 0, tzinfo=LONDON))
    assert moved.pk == first.pk and moved.due_on == dt.date(2026, 5, 14)
    assert (
        AuditEntry.objects.filter(
            object_type="obligations.obligation", object_id=str(first.pk)
        ).count()
        == 2
    )


def test_changing_the_organisations_number_moves_every_open_deadline_with_an_audit_entry(
    ash: Personas,
) -> None:
    open_one = _initial_conversation(ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON))
    met_one = obligation_schedule(
        organisation=ash.org,
        rule_id="ASH-1",
        param="within",
        subject=("casework.case", 8),
        title="Hold the initial conversation",
        trigger_event="request",
        trigger_at=dt.date(2026, 5, 1),
    )
    obligation_meet(
        subject=("casework.case", 8), rule_id="ASH-1", event="initial conversation held"
    )
    policy_value_change(
        actor=ash.admin.user,
        organisation=ash.org,
        rule_id="ASH-1",
        param="within",
        value="5 days",
        reason="Volunteers asked for a little longer",
    )
    open_one.refresh_from_db()
    met_one.refresh_from_db()
    assert open_one.due_on == dt.date(2026, 5, 9)
    assert met_one.due_on == dt.date(2026, 5, 4)  # met: left as it was
    entry = AuditEntry.objects.filter(
        object_type="obligations.obligation", object_id=str(open_one.pk)
    ).first()
    assert entry is not None and entry.changes["due_on"] == ["2026-05-07", "2026-05-09"]


def test_another_organisations_change_moves_nothing_here(ash: Personas) -> None:
    obligation = _initial_conversation(ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON))
    policy_adopt(actor=None, organisation=ash.other, policy="ASH")
    policy_value_change(
        actor=ash.other_org.user,
        organisation=ash.other,
        rule_id="ASH-1",
        param="within",
        value="10 days",
        reason="Theirs",
    )
    obligation.refresh_from_db()
    assert obligation.due_on == dt.date(2026, 5, 7)


def test_the_deadline_can_say_why(ash: Personas) -> None:
    obligation = _initial_conversation(ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON))
    why = explain(obligation)
    assert why["rule"].id == "ASH-1"
    assert (
        why["sentence"]
        == "Due by 7 May 2026: 3 days after the request reached S&W (4 May 2026), by rule ASH-1."
    )
    assert "Within 3 days of Support & Wellbeing receiving the request" in why["rule"].clause


def test_PSP_8_a_date_the_group_agreed_is_kept_and_explained_as_set_not_counted(
    personas: Personas,
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="PSP")
    obligation = obligation_schedule(
        organisation=personas.org,
        rule_id="PSP-8",
        param="",
        subject=("groupsessions.housekeepingaction", 3),
        title="Bring the grounding handout",
        trigger_event="the group agreed it at the weekly session",
        trigger_at=dt.datetime(2026, 5, 5, 18, 30, tzinfo=LONDON),
        due_on=dt.date(2026, 5, 12),
        assignees=[personas.supporter],
    )
    assert obligation.due_on == dt.date(2026, 5, 12)
    assert explain(obligation)["sentence"] == (
        "Due by 12 May 2026: the date set when the group agreed it at the weekly session "
        "(5 May 2026), by rule PSP-8."
    )
    # A change of the organisation's numbers leaves an agreed date alone.
    assert obligations_recompute(organisation=personas.org, rule_id="PSP-8") == 0


def test_ASH_8_a_crm_cannot_be_held_before_a_months_notice(ash: Personas) -> None:
    notice = obligation_schedule(
        organisation=ash.org,
        rule_id="ASH-8",
        param="notice",
        subject=("casework.crm", 1),
        title="Earliest date for the Community Resolution Meeting",
        trigger_event="notice was given",
        trigger_at=dt.date(2026, 1, 31),
        direction=Obligation.Direction.NOT_BEFORE,
    )
    assert notice.due_on == dt.date(2026, 2, 28)
    assert notice.next_reminder_on is None
    with time_machine.travel(dt.datetime(2026, 2, 10, tzinfo=LONDON)):
        assert notice.status() == "waiting"
    with time_machine.travel(dt.datetime(2026, 2, 28, 12, tzinfo=LONDON)):
        assert notice.status() == "open_now"


def test_statuses_follow_the_clock(ash: Personas) -> None:
    obligation = _initial_conversation(
        ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON)
    )  # due 7 May
    with time_machine.travel(dt.datetime(2026, 5, 5, 12, tzinfo=LONDON)):
        assert obligation.status() == "due_soon"
    with time_machine.travel(dt.datetime(2026, 4, 20, 12, tzinfo=LONDON)):
        assert obligation.status() == "upcoming"
    with time_machine.travel(dt.datetime(2026, 5, 8, 12, tzinfo=LONDON)):
        assert obligation.status() == "overdue"


def test_the_sweep_sends_each_stage_once(ash: Personas) -> None:
    _initial_conversation(ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON))  # due 7 May
    heard: list[int] = []
    obligation_reminder_due.connect(
        lambda **kw: heard.append(kw["stage"]), weak=False, dispatch_uid="t"
    )
    try:
        assert obligations_sweep(today=dt.date(2026, 5, 1)) == 0
        assert obligations_sweep(today=dt.date(2026, 5, 4)) == 1
        assert obligations_sweep(today=dt.date(2026, 5, 5)) == 0
        assert obligations_sweep(today=dt.date(2026, 5, 8)) == 1
        assert obligations_sweep(today=dt.date(2026, 5, 20)) == 0
    finally:
        obligation_reminder_due.disconnect(dispatch_uid="t")
    assert heard == [Obligation.Stage.DUE_SOON, Obligation.Stage.OVERDUE]


def test_the_sweep_looks_only_at_what_is_due(ash: Personas) -> None:
    for n in range(40):
        obligation_schedule(
            organisation=ash.org,
            rule_id="ASH-27",
            param="review_every",
            subject=("test.thing", n),
            title="Far away",
            trigger_event="start",
            trigger_at=dt.date(2026, 1, 1),
        )
    with CaptureQueriesContext(connection) as ctx:
        assert obligations_sweep(today=dt.date(2026, 2, 1)) == 0
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "next_reminder_on" in sql


def test_met_waived_and_cancelled_obligations_leave_the_sweep(ash: Personas) -> None:
    _initial_conversation(ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON))
    obligation_meet(
        subject=("casework.case", 7), rule_id="ASH-1", event="initial conversation held"
    )
    assert obligations_sweep(today=dt.date(2026, 6, 1)) == 0
    obligation_schedule(
        organisation=ash.org,
        rule_id="ASH-4",
        param="within",
        subject=("casework.case", 7),
        title="Group Meeting",
        trigger_event="x",
        trigger_at=dt.date(2026, 5, 7),
    )
    obligation_cancel(
        subject=("casework.case", 7), rule_id="ASH-4", reason="The member resolved it themselves"
    )
    assert obligations_sweep(today=dt.date(2026, 6, 30)) == 0


def test_waiving_needs_a_reason_and_the_right_person(ash: Personas) -> None:
    obligation = _initial_conversation(ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON))
    with pytest.raises(PermissionDenied):
        obligation_waive(actor=ash.unrelated.user, obligation=obligation, reason="x")
    with pytest.raises(PermissionDenied):
        obligation_waive(
            actor=ash.supporter.user, obligation=obligation, reason="x"
        )  # acts, does not oversee
    with pytest.raises(ValidationError) as caught:
        obligation_waive(actor=ash.admin.user, obligation=obligation, reason="  ")
    assert caught.value.error_dict["reason"][0].code == "obligation_waive_reason"
    waived = obligation_waive(
        actor=ash.admin.user, obligation=obligation, reason="The member withdrew the request"
    )
    assert waived.state == "waived" and waived.waived_by == ash.admin.user
    assert AuditEntry.objects.filter(reason="The member withdrew the request").exists()


def test_my_obligations_and_the_ones_i_oversee(ash: Personas) -> None:
    from commonground.testing.factories import person_with_login

    sw = person_with_login(ash.org, Role.SW_MEMBER)
    obligation = _initial_conversation(ash, dt.datetime(2026, 5, 4, 9, 0, tzinfo=LONDON))
    assert list(my_obligations(actor=ash.supporter.user)) == [obligation]
    assert list(my_obligations(actor=ash.unrelated.user)) == []
    assert obligation in overseen_obligations(actor=sw.user, organisation=ash.org)
    assert obligation in overseen_obligations(actor=ash.admin.user, organisation=ash.org)
    assert not overseen_obligations(actor=ash.unrelated.user, organisation=ash.org).exists()
    assert not overseen_obligations(actor=ash.other_org.user, organisation=ash.org).exists()


def test_ASH_27_adopting_the_policy_schedules_its_annual_review(ash: Personas) -> None:
    from commonground.policies.models import PolicyAdoption
    from commonground.policies.services import policy_review_record

    adoption = PolicyAdoption.objects.get(organisation=ash.org, policy="ASH")
    review = Obligation.objects.get(
        subject_type="policies.policyadoption", subject_id=str(adoption.pk)
    )
    assert review.rule_id == "ASH-27" and review.due_on == adoption.adopted_on.replace(
        year=adoption.adopted_on.year + 1
    )
    assert list(review.assignees.all()) == [ash.admin]
    nxt = policy_review_record(
        actor=ash.admin.user,
        organisation=ash.org,
        policy="ASH",
        reviewed_on=adoption.adopted_on,
        note="AGM",
    )
    review.refresh_from_db()
    assert review.state == "met" and nxt.state == "open" and nxt.pk != review.pk


def test_WCC_14_the_council_reviews_its_policy_every_two_years(personas: Personas) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="WCC")
    review = Obligation.objects.get(rule_id="WCC-14")
    adopted = review.trigger_at.astimezone(LONDON).date()
    assert review.due_on == adopted.replace(year=adopted.year + 2)


def test_policies_without_a_review_cycle_schedule_nothing(personas: Personas) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="PSP")
    assert not Obligation.objects.exists()


def _final_check_in(p: Personas) -> Obligation:
    return obligation_schedule(
        organisation=p.org,
        rule_id="ASH-15",
        param="final_check_in_before_end",
        subject=("resolution.noticetoquit", 3),
        key="final",
        title="Final check-in before the Notice to Quit ends",
        trigger_event="the Notice to Quit ends",
        trigger_at=dt.date(2027, 5, 31),
        counts=Obligation.Counts.BEFORE,
    )


def test_ASH_15_a_deadline_can_count_back_from_its_trigger_and_says_so(ash: Personas) -> None:
    obligation = _final_check_in(ash)
    assert obligation.due_on == dt.date(2027, 5, 24)
    assert explain(obligation)["sentence"] == (
        "Due by 24 May 2027: 1 week before the Notice to Quit ends on 31 May 2027, by rule ASH-15."
    )


def test_ASH_15_a_deadline_counted_back_moves_back_when_the_number_changes(ash: Personas) -> None:
    obligation = _final_check_in(ash)
    policy_value_change(
        actor=ash.admin.user,
        organisation=ash.org,
        rule_id="ASH-15",
        param="final_check_in_before_end",
        value="2 weeks",
        reason="More time to arrange a meeting",
    )
    obligation.refresh_from_db()
    assert obligation.due_on == dt.date(2027, 5, 17)
    assert explain(obligation)["sentence"].startswith(
        "Due by 17 May 2027: 2 weeks before the Notice to Quit ends on 31 May 2027"
    )
