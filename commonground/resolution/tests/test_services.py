"""The ASH rules for Community Resolution Meetings, through the services."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connections
from django.utils import timezone

from commonground.agreements.kinds import Kind
from commonground.agreements.models import Agreement
from commonground.audit.models import AuditEntry
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_record_attendance, meeting_schedule
from commonground.notifications.models import Channel, Notification
from commonground.obligations.models import Obligation
from commonground.obligations.selectors import explain
from commonground.people.models import MembershipStatus
from commonground.policies.values import LONDON
from commonground.resolution import selectors, services
from commonground.resolution.models import CommunityResolutionMeeting, Decision, NoticeToQuit
from commonground.resolution.tests.setup import CaseWorld, break_an_agreement, make_case_world
from commonground.testing.personas import make_personas

START = dt.datetime(2027, 3, 1, 10, tzinfo=LONDON)


def _call(cw: CaseWorld, harm_by: list | None = None) -> CommunityResolutionMeeting:
    break_an_agreement(cw.case, cw.admin.user, [cw.party, cw.other_party])
    return services.crm_call(
        actor=cw.supporter.user,
        case=cw.case,
        stuck_reason="Individual conversations, a Group Meeting and a review have not helped.",
        harm_reason="Nightly noise is causing serious distress to a neighbour.",
        harm_by=[cw.parties[0]] if harm_by is None else harm_by,
    )


def _prepared(cw: CaseWorld) -> CommunityResolutionMeeting:
    crm = _call(cw)
    services.crm_set_date(
        actor=cw.supporter.user, crm=crm, meeting_at=START + dt.timedelta(days=35)
    )
    for party, person in zip(crm.parties.all(), [cw.party, cw.other_party], strict=True):
        services.crm_record_outreach(actor=cw.supporter.user, party=party, on=timezone.localdate())
        c = services.contribution_save(
            actor=person.user,
            party=party,
            author=person,
            needs="Quiet nights.",
            requests="No music after 11pm.",
        )
        services.contribution_place(actor=cw.supporter.user, contribution=c, on_agenda=True)
    services.crm_write_summary(
        actor=cw.supporter.user,
        crm=crm,
        support_summary="Two conversations each, one Group Meeting, one review.",
        suggested_action_plan="Member A keeps music off after 11pm.",
    )
    services.agenda_publish(actor=cw.supporter.user, crm=crm)
    return crm


@pytest.fixture
def at_start():  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# ASH-7 ---------------------------------------------------------------------------------------


def test_ASH_7_a_crm_needs_stuck_and_significant_harm_with_reasons(cw: CaseWorld, at_start) -> None:
    break_an_agreement(cw.case, cw.admin.user, [cw.party, cw.other_party])
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.crm_call(actor=cw.supporter.user, case=cw.case, stuck_reason="", harm_reason=" ")
    errors = refused.value.error_dict
    assert set(errors) == {"stuck_reason", "harm_reason"}
    assert all(e.code == "ASH-7" for es in errors.values() for e in es)
    assert "stuck" in errors["stuck_reason"][0].message
    assert "significant harm" in errors["harm_reason"][0].message
    assert AuditEntry.objects.count() == before
    assert not CommunityResolutionMeeting.objects.exists()

    crm = services.crm_call(
        actor=cw.supporter.user,
        case=cw.case,
        stuck_reason="Tools exhausted.",
        harm_reason="Distress.",
    )
    assert crm.agreement_broken and crm.stuck_reason == "Tools exhausted."
    cw.case.refresh_from_db()
    assert cw.case.stage == "crm"
    entry = AuditEntry.objects.filter(object_type="resolution.communityresolutionmeeting").get()
    assert "Tools" not in str(entry.changes)


def test_ASH_7_a_kept_agreement_with_everyone_engaging_is_no_ground(
    cw: CaseWorld, at_start
) -> None:
    agreement = break_an_agreement(cw.case, cw.admin.user, [cw.party, cw.other_party])
    Agreement.objects.filter(pk=agreement.pk).update(state=Agreement.State.AGREED)
    with pytest.raises(ValidationError) as refused:
        services.crm_call(actor=cw.supporter.user, case=cw.case, stuck_reason="x", harm_reason="y")
    assert set(refused.value.error_dict) == {"__all__"}
    assert refused.value.error_dict["__all__"][0].code == "ASH-7"
    # A party not engaging is a ground of its own.
    cw.parties[1].engaging = False
    cw.parties[1].save()
    crm = services.crm_call(
        actor=cw.supporter.user, case=cw.case, stuck_reason="x", harm_reason="y"
    )
    assert crm.party_not_engaging and not crm.no_agreement


def test_ASH_7_no_agreement_reached_is_a_ground_and_an_sw_member_may_call(cw: CaseWorld) -> None:
    crm = services.crm_call(
        actor=cw.sw_member.user, case=cw.case, stuck_reason="x", harm_reason="y"
    )
    assert crm.no_agreement


def test_ASH_7_a_party_or_unrelated_member_cannot_call(cw: CaseWorld) -> None:
    for person in (cw.party, cw.unrelated, cw.admin):
        with pytest.raises(PermissionDenied):
            services.crm_call(actor=person.user, case=cw.case, stuck_reason="x", harm_reason="y")


# ASH-8 ---------------------------------------------------------------------------------------


def test_ASH_8_a_crm_needs_a_months_notice(cw: CaseWorld, at_start) -> None:
    crm = _call(cw)
    too_soon = dt.datetime(2027, 3, 31, 19, tzinfo=LONDON)
    with pytest.raises(ValidationError) as refused:
        services.crm_set_date(actor=cw.supporter.user, crm=crm, meeting_at=too_soon)
    error = refused.value.error_dict["meeting_at"][0]
    assert error.code == "ASH-8"
    assert "Thursday 1 April 2027" in error.message % error.params
    assert not Notification.objects.filter(kind="resolution.crm_notice").exists()

    services.crm_set_date(
        actor=cw.supporter.user, crm=crm, meeting_at=dt.datetime(2027, 4, 1, 19, tzinfo=LONDON)
    )
    obligation = Obligation.objects.get(rule_id="ASH-8")
    assert obligation.direction == Obligation.Direction.NOT_BEFORE
    assert obligation.due_on == dt.date(2027, 4, 1)


def test_ASH_8_notice_goes_to_every_party_once_by_their_channel_including_a_letter(
    cw: CaseWorld, at_start
) -> None:
    cw.other_party.contact_channels = ["post"]
    cw.other_party.postal_address = "2 Mill Lane"
    cw.other_party.save()
    crm = _call(cw)
    when = dt.datetime(2027, 4, 10, 19, tzinfo=LONDON)
    services.crm_set_date(actor=cw.supporter.user, crm=crm, meeting_at=when)
    services.crm_set_date(actor=cw.supporter.user, crm=crm, meeting_at=when)
    notices = Notification.objects.filter(kind="resolution.crm_notice")
    assert set(notices.filter(recipient=cw.other_party).values_list("channel", flat=True)) == {
        Channel.LETTER,
        Channel.IN_APP,
    }
    assert notices.filter(recipient=cw.party, channel=Channel.EMAIL).count() == 1
    assert "Jo" not in notices.first().body
    # Moving it earlier than the notice allows is refused, even after notice was given.
    at_start.move_to(START + dt.timedelta(days=20))
    with pytest.raises(ValidationError):
        services.crm_set_date(
            actor=cw.supporter.user, crm=crm, meeting_at=dt.datetime(2027, 3, 30, 19, tzinfo=LONDON)
        )


# ASH-9, ASH-12 -------------------------------------------------------------------------------


def test_ASH_9_a_contribution_is_private_to_its_author_and_supporters_until_placed(
    cw: CaseWorld, at_start
) -> None:
    crm = _call(cw)
    party_a = crm.parties.get(case_party=cw.parties[0])
    contribution = services.contribution_save(
        actor=cw.party.user, party=party_a, author=cw.party, needs="Sleep.", requests="Quiet."
    )
    seen = lambda p: selectors.contributions_visible(actor=p.user, crm=crm)  # noqa: E731
    assert seen(cw.party) == [contribution]
    assert seen(cw.supporter) == [contribution]
    assert seen(cw.other_party) == [] and seen(cw.sw_member) == [] and seen(cw.admin) == []
    with pytest.raises(PermissionDenied):
        services.contribution_save(
            actor=cw.other_party.user, party=party_a, author=cw.other_party, needs="x", requests="y"
        )
    with pytest.raises(PermissionDenied):
        services.contribution_place(actor=cw.party.user, contribution=contribution, on_agenda=True)
    services.crm_record_outreach(actor=cw.supporter.user, party=party_a, on=timezone.localdate())
    party_a.refresh_from_db()
    assert party_a.outreach_on == timezone.localdate()


def test_ASH_12_sw_notes_never_reach_the_agenda(cw: CaseWorld, at_start) -> None:
    crm = _call(cw)
    services.crm_write_notes(actor=cw.supporter.user, crm=crm, notes="Member A has asthma.")
    crm = _prepared_again(cw, crm)
    draft = services.agenda_draft(crm)
    assert all("asthma" not in text for _, text in draft.sections)
    assert selectors.crm_notes(actor=cw.supporter.user, crm=crm) == "Member A has asthma."
    for person in (cw.party, cw.sw_member, cw.admin, cw.unrelated):
        assert selectors.crm_notes(actor=person.user, crm=crm) is None
        with pytest.raises(PermissionDenied):
            services.crm_write_notes(actor=person.user, crm=crm, notes="x")


def _prepared_again(cw: CaseWorld, crm: CommunityResolutionMeeting) -> CommunityResolutionMeeting:
    for party, person in zip(crm.parties.all(), [cw.party, cw.other_party], strict=True):
        services.crm_record_outreach(actor=cw.supporter.user, party=party, on=timezone.localdate())
        c = services.contribution_save(
            actor=person.user, party=party, author=person, needs="Quiet.", requests="Rota."
        )
        services.contribution_place(actor=cw.supporter.user, contribution=c, on_agenda=True)
    services.crm_write_summary(actor=cw.supporter.user, crm=crm, support_summary="Support so far.")
    crm.refresh_from_db()
    return crm


# ASH-10, ASH-11 ------------------------------------------------------------------------------


def test_ASH_10_the_agenda_refuses_to_publish_a_party_name_and_shows_where(
    cw: CaseWorld, at_start
) -> None:
    crm = _call(cw)
    services.crm_set_date(
        actor=cw.supporter.user, crm=crm, meeting_at=START + dt.timedelta(days=35)
    )
    crm = _prepared_again(cw, crm)
    services.crm_write_summary(
        actor=cw.supporter.user,
        crm=crm,
        support_summary="We met JOJO twice and Adeyemi once; Marshall Road was quiet.",
        suggested_action_plan="Member A: music off after 11pm.",
    )
    crm.refresh_from_db()
    draft = services.agenda_draft(crm)
    found = {(f.section, f.word) for f in draft.names_found}
    # Case-insensitive, on word boundaries: "Marshall" is not "Marsh".
    assert found == {
        ("Summary of support so far", "JOJO"),
        ("Summary of support so far", "Adeyemi"),
    }
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.agenda_publish(actor=cw.supporter.user, crm=crm)
    error = refused.value.error_dict["__all__"][0]
    assert error.code == "ASH-10"
    assert "“JOJO” in Summary of support so far" in error.message % error.params
    assert AuditEntry.objects.count() == before and not crm.agendas.exists()

    services.crm_write_summary(
        actor=cw.supporter.user, crm=crm, support_summary="Two conversations each, one review."
    )
    crm.refresh_from_db()
    version = services.agenda_publish(actor=cw.supporter.user, crm=crm)
    headings = [h for h, _ in version.sections()]
    assert headings[0] == "Member A: what they need"
    # Once published it is frozen: later edits do not change the version.
    services.crm_write_summary(actor=cw.supporter.user, crm=crm, support_summary="Changed later.")
    version.refresh_from_db()
    assert "Two conversations" in dict(version.sections())["Summary of support so far"]


def test_ASH_10_another_alias_a_party_is_known_by_is_found(cw: CaseWorld, at_start) -> None:
    from commonground.casework.models import Case, CaseParty

    other_case = Case.objects.create(organisation=cw.org, reference="C-2", title="Parking")
    CaseParty.objects.create(case=other_case, person=cw.party, alias="Member Z")
    crm = _call(cw)
    crm = _prepared_again(cw, crm)
    services.crm_write_summary(
        actor=cw.supporter.user, crm=crm, support_summary="As member z said."
    )
    crm.refresh_from_db()
    assert [f.word for f in services.agenda_draft(crm).names_found] == ["member z"]


def test_ASH_11_sw_summary_and_suggested_text_go_on_the_agenda(cw: CaseWorld, at_start) -> None:
    crm = _prepared(cw)
    sections = dict(crm.agendas.get().sections())
    assert sections["Summary of support so far"].startswith("Two conversations")
    assert sections["Suggested Action Plan text"] == "Member A keeps music off after 11pm."
    with pytest.raises(PermissionDenied):
        services.crm_write_summary(actor=cw.party.user, crm=crm, support_summary="x")


# ASH-13, ASH-14 ------------------------------------------------------------------------------


def _at_meeting(at_start) -> None:  # type: ignore[no-untyped-def]
    at_start.move_to(START + dt.timedelta(days=35, hours=1))


def test_ASH_13_an_action_plan_only_where_significant_harm_is_recorded(
    cw: CaseWorld, at_start
) -> None:
    crm = _prepared(cw)
    a, b = crm.parties.order_by("case_party__alias")
    with pytest.raises(ValidationError):  # not before the meeting
        services.crm_decide(actor=cw.admin.user, party=a, action_plan_needed=False, reason="x")
    _at_meeting(at_start)
    with pytest.raises(ValidationError) as refused:
        services.crm_decide(
            actor=cw.admin.user, party=b, action_plan_needed=True, reason="x", actions="y"
        )
    assert refused.value.error_dict["action_plan_needed"][0].code == "ASH-13"
    with pytest.raises(PermissionDenied):
        services.crm_decide(actor=cw.supporter.user, party=a, action_plan_needed=False, reason="x")
    decision = services.crm_decide(
        actor=cw.admin.user,
        party=a,
        action_plan_needed=True,
        reason="Harm continues.",
        actions="No music after 11pm.",
    )
    plan = decision.action_plan
    assert plan is not None and plan.kind == Kind.ACTION_PLAN
    assert plan.subject_type == "resolution.communityresolutionmeeting"
    assert (plan.starts_on, plan.ends_on) == (dt.date(2027, 4, 5), dt.date(2027, 6, 5))
    services.crm_decide(actor=cw.admin.user, party=b, action_plan_needed=False, reason="No harm.")
    crm.refresh_from_db()
    cw.case.refresh_from_db()
    assert crm.state == "decided" and cw.case.stage == "after_crm"


def test_ASH_14_an_action_plan_removes_membership_and_issues_an_8_week_ntq(
    cw: CaseWorld, at_start
) -> None:
    crm = _prepared(cw)
    _at_meeting(at_start)
    a = crm.parties.get(case_party=cw.parties[0])
    decision = services.crm_decide(
        actor=cw.admin.user, party=a, action_plan_needed=True, reason="Harm.", actions="Quiet."
    )
    notice = NoticeToQuit.objects.get(decision=decision)
    assert (notice.issued_on, notice.ends_on) == (dt.date(2027, 4, 5), dt.date(2027, 5, 31))
    cw.party.refresh_from_db()
    assert cw.party.membership_status == MembershipStatus.REMOVED
    letter = services.notice_to_quit_letter(notice)
    assert "Dear Jo Marsh" in letter and "Monday 31 May 2027" in letter
    assert Notification.objects.filter(
        kind="resolution.notice_to_quit", recipient=cw.party
    ).exists()
    with pytest.raises(ValidationError):
        services.notice_to_quit_issue(actor=cw.admin.user, decision=decision)
    assert NoticeToQuit.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_ASH_14_two_simultaneous_issues_make_one_ntq() -> None:
    with time_machine.travel(START, tick=False) as traveller:
        p = make_personas()
        cw = make_case_world(p.org, p.admin)
        crm = _prepared(cw)
        _at_meeting(traveller)
        party = crm.parties.get(case_party=cw.parties[0])
        decision = Decision.objects.create(
            crm=crm, party=party, action_plan_needed=True, reason="Harm."
        )
        callers = 4
        start = threading.Barrier(callers)
        results: list[str] = []

        def issue() -> None:
            try:
                start.wait()
                services.notice_to_quit_issue(actor=cw.admin.user, decision=decision)
                results.append("issued")
            except ValidationError:
                results.append("refused")
            except OperationalError:
                # SQLite's shared in-memory test database answers a second writer "locked"
                # instead of queueing it; PostgreSQL queues it on the row lock, then refuses.
                results.append("refused")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=issue) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["issued"] + ["refused"] * (callers - 1)
        assert NoticeToQuit.objects.filter(decision=decision).count() == 1
        assert cw.party.membership_changes.filter(status=MembershipStatus.REMOVED).count() == 1


# ASH-15, ASH-16, ASH-17 ----------------------------------------------------------------------


def _notice(cw: CaseWorld, at_start) -> NoticeToQuit:  # type: ignore[no-untyped-def]
    crm = _prepared(cw)
    _at_meeting(at_start)
    a = crm.parties.get(case_party=cw.parties[0])
    services.crm_decide(
        actor=cw.admin.user, party=a, action_plan_needed=True, reason="H.", actions="Q."
    )
    return NoticeToQuit.objects.get()


def test_ASH_15_check_ins_through_the_8_weeks_and_one_before_the_end(
    cw: CaseWorld, at_start
) -> None:
    notice = _notice(cw, at_start)
    check_ins = Obligation.objects.filter(rule_id="ASH-15").order_by("due_on")
    assert [o.due_on for o in check_ins] == [
        dt.date(2027, 4, 19),
        dt.date(2027, 5, 3),
        dt.date(2027, 5, 17),
        dt.date(2027, 5, 24),
    ]
    assert check_ins.last().key == "final"
    # ASH-15: the final check-in is counted back from the end, and its why says so.
    assert selectors.notice_obligations(notice).get(key="final").due_on == dt.date(2027, 5, 24)
    assert explain(check_ins.last())["sentence"] == (
        "Due by 24 May 2027: 1 week before the Notice to Quit ends on 31 May 2027, by rule ASH-15."
    )
    assert set(check_ins.first().assignees.all()) == {cw.supporter}
    at_start.move_to(dt.datetime(2027, 4, 18, 10, tzinfo=LONDON))
    services.check_in_record(
        actor=cw.supporter.user,
        notice=notice,
        held_on=timezone.localdate(),
        note="Going well.",
        recommend_restore=True,
    )
    assert Obligation.objects.get(key="check_in:1").state == Obligation.State.MET
    with pytest.raises(PermissionDenied):
        services.check_in_record(
            actor=cw.party.user, notice=notice, held_on=timezone.localdate(), note="x"
        )


def _held_meeting(cw: CaseWorld) -> Meeting:
    meeting = meeting_schedule(
        actor=cw.admin.user,
        organisation=cw.org,
        kind="group_meeting",
        starts_at=timezone.now() - dt.timedelta(hours=2),
        duration=dt.timedelta(hours=1),
        facilitators=[cw.supporter],
        title="General meeting",
    )
    return meeting_record_attendance(actor=cw.admin.user, meeting=meeting, attendance={})


def test_ASH_16_reinstatement_only_by_a_meeting_decision(cw: CaseWorld, at_start) -> None:
    notice = _notice(cw, at_start)
    at_start.move_to(dt.datetime(2027, 5, 18, 10, tzinfo=LONDON))
    with pytest.raises(ValidationError) as refused:
        services.reinstatement_decide(
            actor=cw.admin.user, notice=notice, meeting=None, reason="Done"
        )
    assert refused.value.error_dict["meeting"][0].code == "ASH-16"
    scheduled = meeting_schedule(
        actor=cw.admin.user,
        organisation=cw.org,
        kind="group_meeting",
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration=dt.timedelta(hours=1),
        facilitators=[cw.supporter],
    )
    with pytest.raises(ValidationError):
        services.reinstatement_decide(
            actor=cw.admin.user, notice=notice, meeting=scheduled, reason="x"
        )
    meeting = _held_meeting(cw)
    with pytest.raises(PermissionDenied):
        services.reinstatement_decide(
            actor=cw.supporter.user, notice=notice, meeting=meeting, reason="x"
        )
    services.reinstatement_decide(
        actor=cw.admin.user, notice=notice, meeting=meeting, reason="The Action Plan succeeded."
    )
    cw.party.refresh_from_db()
    notice.refresh_from_db()
    assert cw.party.membership_status == MembershipStatus.REINSTATED
    assert notice.state == NoticeToQuit.State.REINSTATED
    assert Obligation.objects.get(rule_id="ASH-17").state == Obligation.State.CANCELLED
    assert meeting.outcomes.count() == 1


def test_ASH_17_without_reinstatement_the_court_application_is_due_at_the_end(
    cw: CaseWorld, at_start
) -> None:
    notice = _notice(cw, at_start)
    court = Obligation.objects.get(rule_id="ASH-17")
    assert court.due_on == notice.ends_on == dt.date(2027, 5, 31)
    assert set(court.assignees.all()) == {cw.admin}
    with pytest.raises(ValidationError) as refused:
        services.court_application_begin(actor=cw.admin.user, notice=notice, note="Solicitor.")
    assert refused.value.error_dict["note"][0].code == "ASH-17"
    at_start.move_to(dt.datetime(2027, 5, 31, 10, tzinfo=LONDON))
    services.court_application_begin(
        actor=cw.admin.user, notice=notice, note="Solicitor instructed."
    )
    court.refresh_from_db()
    assert court.state == Obligation.State.MET
