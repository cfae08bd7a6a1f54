"""The way in, rule by rule: PSP-1 workshop, PSP-2 initial conversation, PSP-3 name-check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from commonground.audit.models import AuditEntry
from commonground.groups.selectors import member_ids
from commonground.joining import selectors, services
from commonground.joining.models import GroupAttempt, NameCheckConflict, PeerJourney
from commonground.joining.selectors import Stage, progress_get
from commonground.joining.tests.conftest import attend_workshop, converse, whole_way
from commonground.meetings.models import Meeting
from commonground.people.models import Person
from commonground.policies.models import PolicyAdoption
from commonground.policies.selectors import organisation_policy

pytestmark = pytest.mark.django_db


def _progress(w):
    journey = selectors.journeys(w.p.org).get(pk=w.journey.pk)
    return progress_get(journey, organisation_policy(w.p.org))


def _join_errors(w, group=None):
    with pytest.raises(ValidationError) as err:
        services.peer_join(actor=w.p.supporter.user, journey=w.journey, group=group or w.group)
    return err.value


def test_a_peer_cannot_join_with_a_step_missing_and_the_message_says_which(way):
    errors = _join_errors(way)
    messages = [e.message for items in errors.error_dict.values() for e in items]
    codes = {f: [e.code for e in items] for f, items in errors.error_dict.items()}
    assert codes == {
        "workshop": ["PSP-1"],
        "initial_conversation": ["PSP-2"],
        "name_check": ["PSP-3"],
    }
    assert messages[0] == (
        "PSP-1: Ash Ahmed has not yet attended the Introduction to Group Work workshop."
    )
    assert way.ash.pk not in member_ids(way.group.pk)
    # One step early: everything done but the name-check.
    attend_workshop(way)
    converse(way)
    errors = _join_errors(way)
    assert list(errors.error_dict) == ["name_check"]
    assert "PSP-3" in errors.error_dict["name_check"][0].message
    assert way.ash.pk not in member_ids(way.group.pk)


def test_PSP_1_attended_means_attended_at_a_held_workshop(way):
    workshop = services.workshop_schedule(
        actor=way.p.supporter.user,
        organisation=way.p.org,
        starts_at=timezone.now() + dt.timedelta(days=3),
        facilitators=way.facilitators,
        invite=[way.journey],
    )
    # PSP-1's length in force, two facilitators (PSP-4 is checked by meetings).
    assert workshop.duration == dt.timedelta(hours=2)
    assert workshop.kind == "workshop"
    progress = _progress(way)
    assert progress.workshop_on is None
    assert progress.workshop_invited == workshop
    assert "workshop on" in progress.next_step
    assert "workshop" in _join_errors(way).error_dict
    attend_workshop(way)
    progress = _progress(way)
    assert progress.workshop_on is not None
    assert progress.stage == Stage.WORKSHOP


def test_PSP_1_absent_from_the_workshop_is_not_attended(way):
    from commonground.meetings.services import meeting_record_attendance

    workshop = services.workshop_schedule(
        actor=way.p.supporter.user,
        organisation=way.p.org,
        starts_at=timezone.now() - dt.timedelta(days=1),
        facilitators=way.facilitators,
        invite=[way.journey],
    )
    meeting_record_attendance(
        actor=way.p.supporter.user, meeting=workshop, attendance={way.ash.pk: "absent"}
    )
    assert _progress(way).workshop_on is None


def test_PSP_1_workshop_length_comes_from_the_policy_in_force(way):
    from commonground.policies.services import policy_value_change

    policy_value_change(
        actor=way.p.admin.user,
        organisation=way.p.org,
        rule_id="PSP-1",
        param="workshop_length",
        value="3 hours",
        reason="A longer first session",
    )
    workshop = services.workshop_schedule(
        actor=way.p.supporter.user,
        organisation=way.p.org,
        starts_at=timezone.now() + dt.timedelta(days=3),
        facilitators=way.facilitators,
    )
    assert workshop.duration == dt.timedelta(hours=3)


def test_PSP_4_a_workshop_needs_two_trained_facilitators(way):
    with pytest.raises(ValidationError) as err:
        services.workshop_schedule(
            actor=way.p.supporter.user,
            organisation=way.p.org,
            starts_at=timezone.now() + dt.timedelta(days=3),
            facilitators=[way.p.supporter],
        )
    assert "facilitators" in err.value.error_dict


def test_PSP_2_conversation_outside_the_usual_length_warns_but_is_arranged(way):
    attempt, warnings = services.conversation_arrange(
        actor=way.p.supporter.user,
        journey=way.journey,
        group=way.group,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration=dt.timedelta(minutes=60),
        mode="call",
        facilitators=way.facilitators,
    )
    assert warnings and "between 30 and 45 minutes" in warnings[0]
    assert attempt.conversation.kind == "initial_conversation"
    assert attempt.conversation.subject_type == "joining.groupattempt"
    in_force = organisation_policy(way.p.org)
    assert services.conversation_warnings(dt.timedelta(minutes=30), in_force) == []
    assert services.conversation_warnings(dt.timedelta(minutes=45), in_force) == []
    assert services.conversation_warnings(dt.timedelta(minutes=20), in_force)


def test_PSP_2_conversation_is_with_the_groups_own_facilitators(way):
    with pytest.raises(ValidationError) as err:
        services.conversation_arrange(
            actor=way.p.supporter.user,
            journey=way.journey,
            group=way.group,
            starts_at=timezone.now() + dt.timedelta(days=2),
            duration=dt.timedelta(minutes=40),
            mode="in_person",
            facilitators=[way.p.admin],
        )
    assert err.value.error_dict["facilitators"][0].code == "PSP-2"
    assert not GroupAttempt.objects.exists()


def test_PSP_2_outcome_is_join_or_not_now_never_a_score(way):
    attempt, _ = services.conversation_arrange(
        actor=way.p.supporter.user,
        journey=way.journey,
        group=way.group,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        duration=dt.timedelta(minutes=40),
        mode="video",
        facilitators=way.facilitators,
    )
    with pytest.raises(ValidationError):
        services.conversation_outcome(actor=way.p.supporter.user, attempt=attempt, outcome="7")
    services.conversation_outcome(
        actor=way.p.supporter.user, attempt=attempt, outcome="join", note="Keen."
    )
    attempt.refresh_from_db()
    assert attempt.outcome == "join"
    assert attempt.conversation.status == Meeting.Status.HELD
    with connection.cursor() as cursor:
        cursor.execute("SELECT outcome_note FROM joining_groupattempt WHERE id = %s", [attempt.pk])
        assert "Keen" not in cursor.fetchone()[0]  # encrypted at rest


def test_PSP_2_not_now_closes_the_attempt_and_may_be_revisited(way):
    attend_workshop(way)
    attempt = converse(way, outcome="not_now")
    assert not attempt.is_open
    progress = _progress(way)
    assert progress.stage == Stage.NOT_NOW
    assert "come back" in progress.next_step
    # Later, they come back to it: a new attempt for the same group.
    again = converse(way)
    assert again.pk != attempt.pk and again.is_open
    assert _progress(way).stage == Stage.CONVERSATION


def test_PSP_2_the_conversation_outcome_waits_for_the_conversation(way):
    attempt, _ = services.conversation_arrange(
        actor=way.p.supporter.user,
        journey=way.journey,
        group=way.group,
        starts_at=timezone.now() + dt.timedelta(days=1),
        duration=dt.timedelta(minutes=40),
        mode="video",
        facilitators=way.facilitators,
    )
    with pytest.raises(ValidationError) as err:
        services.conversation_outcome(actor=way.p.supporter.user, attempt=attempt, outcome="join")
    assert err.value.error_dict["outcome"][0].code == "PSP-2"


def test_PSP_3_matches_are_case_and_accent_insensitive_and_find_preferred_names(way):
    members = list(way.group.members.current().select_related("person"))
    assert [m.member for m in selectors.name_matches("JO bloggs", members)] == [way.member]
    assert [m.member for m in selectors.name_matches("joanne", members)] == [way.member]
    assert selectors.name_matches("Sam Smith\nRiley", members) == []
    way.member.full_name = "Zoë O'Brien"
    way.member.preferred_name = ""
    way.member.save()
    members = list(way.group.members.current().select_related("person"))
    assert len(selectors.name_matches("zoe obrien; someone else", members)) == 1


def test_PSP_3_conflict_blocks_join_unless_member_agrees(way):
    attend_workshop(way)
    attempt = converse(way)
    services.names_declare(
        actor=way.ash.user, attempt=attempt, names="Jo Bloggs (we worked together)"
    )
    conflict = services.conflict_record(
        actor=way.p.supporter.user, attempt=attempt, member=way.member, source="declared"
    )
    errors = _join_errors(way)
    assert errors.error_dict["name_check"][0].code == "PSP-3"
    assert "not yet agreed" in errors.error_dict["name_check"][0].message
    with pytest.raises(ValidationError):
        services.name_check_clear(actor=way.p.supporter.user, attempt=attempt)
    services.conflict_agree(actor=way.second.user, conflict=conflict)
    conflict.refresh_from_db()
    assert conflict.agreed_on == timezone.localdate()
    assert conflict.agreement_recorded_by == way.second.user
    member = services.peer_join(actor=way.p.supporter.user, journey=way.journey, group=way.group)
    assert member.person == way.ash


def test_PSP_3_only_current_members_can_be_recorded_as_a_conflict(way):
    attempt = converse(way)
    with pytest.raises(ValidationError) as err:
        services.conflict_record(
            actor=way.p.supporter.user,
            attempt=attempt,
            member=way.p.unrelated,
            source="facilitator",
        )
    assert err.value.error_dict["member"][0].code == "PSP-3"


def test_PSP_3_the_peer_never_sees_the_match_or_the_members(way, client):
    attempt = converse(way)
    services.names_declare(actor=way.ash.user, attempt=attempt, names="Jo Bloggs")
    services.conflict_record(
        actor=way.p.supporter.user, attempt=attempt, member=way.member, source="declared"
    )
    assert not way.ash.user.has_perm("groups.view_members", way.group)
    with pytest.raises(PermissionDenied):
        services.conflict_record(
            actor=way.ash.user, attempt=attempt, member=way.member, source="declared"
        )


def test_PSP_3_a_new_declaration_is_checked_again(way):
    attempt = converse(way)
    services.names_declare(actor=way.ash.user, attempt=attempt, names="")
    services.name_check_clear(actor=way.p.supporter.user, attempt=attempt)
    assert attempt.checked_on is not None
    services.names_declare(actor=way.ash.user, attempt=attempt, names="Jo")
    attempt.refresh_from_db()
    assert attempt.checked_on is None


def test_the_whole_way_in_joins_the_group_and_records_the_step(way):
    attempt = whole_way(way)
    member = services.peer_join(actor=way.p.supporter.user, journey=way.journey, group=way.group)
    attempt.refresh_from_db()
    assert attempt.closed_reason == "joined" and attempt.member == member
    assert _progress(way).stage == Stage.MEMBER
    assert AuditEntry.objects.filter(summary__startswith="Joined Tuesday evening group").exists()


def test_pressing_join_twice_makes_one_membership_with_a_clean_message(way):
    whole_way(way)
    services.peer_join(actor=way.p.supporter.user, journey=way.journey, group=way.group)
    errors = _join_errors(way)
    assert errors.error_dict["group"][0].code == "group_member_once"
    assert way.group.members.filter(person=way.ash).count() == 1


def test_only_rules_the_organisation_adopted_are_required(way):
    PolicyAdoption.objects.filter(organisation=way.p.org).update(only_rules=["PSP-2", "PSP-4"])
    attempt = converse(way)
    member = services.peer_join(actor=way.p.supporter.user, journey=way.journey, group=way.group)
    assert member.person == way.ash
    assert attempt.pk


def test_only_the_groups_facilitators_or_the_admin_join_a_peer(way):
    whole_way(way)
    for user in (way.ash.user, way.p.unrelated.user, way.p.other_org.user):
        with pytest.raises(PermissionDenied):
            services.peer_join(actor=user, journey=way.journey, group=way.group)


def test_enquiry_of_a_new_person_goes_through_the_people_services(way):
    journey = services.journey_enquire(
        actor=way.p.supporter.user,
        organisation=way.p.org,
        full_name="Bea Newcomer",
        phone="07700 900123",
        note="Heard about us at the library.",
    )
    assert isinstance(journey, PeerJourney)
    person = Person.objects.get(full_name="Bea Newcomer")
    assert journey.person == person and person.membership_status == "not_a_member"
    assert AuditEntry.objects.filter(object_type="people.person", object_id=str(person.pk)).exists()
    with pytest.raises(ValidationError) as err:
        services.journey_enquire(actor=way.p.supporter.user, organisation=way.p.org, person=person)
    assert err.value.error_dict["person"][0].code == "journey_once"
    with pytest.raises(PermissionDenied):
        services.journey_enquire(actor=way.p.party.user, organisation=way.p.org, full_name="X")


def test_a_conflict_record_is_kept_from_the_peer(way):
    attempt = converse(way)
    services.conflict_record(
        actor=way.p.supporter.user, attempt=attempt, member=way.member, source="facilitator"
    )
    assert NameCheckConflict.objects.count() == 1
    with pytest.raises(Http404):
        selectors.conflict_get(
            actor=way.ash.user, organisation=way.p.org, pk=NameCheckConflict.objects.get().pk
        )
