"""The peers services, rule by rule (PSP-5, PSP-10, PSP-11, PSP-12)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commonground.groups.models import GroupMember
from commonground.groups.services import member_add
from commonground.obligations.models import Obligation
from commonground.peers import selectors, services
from commonground.peers.models import CharityMember, GroupGuideline, NewsRecord
from commonground.peers.tests.helpers import held_session, session
from commonground.policies.services import policy_value_change

pytestmark = pytest.mark.django_db


def codes(err: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return [e.code or "" for e in err.value.error_dict[field]]


# PSP-5 ------------------------------------------------------------------------------------------


def test_PSP_5_guidelines_for_behaviour_are_versioned_by_the_admin_only(personas):
    org = personas.org
    with pytest.raises(PermissionDenied):
        services.behaviour_guidelines_set(actor=personas.supporter.user, organisation=org, text="x")
    first = services.behaviour_guidelines_set(
        actor=personas.admin.user, organisation=org, text="Be kind."
    )
    second = services.behaviour_guidelines_set(
        actor=personas.admin.user, organisation=org, text="Be kind. Be on time.", change_note="t"
    )
    assert (first.number, second.number) == (1, 2)
    assert selectors.behaviour_guidelines_current(org) == second
    with pytest.raises(ValidationError) as err:
        services.behaviour_guidelines_set(
            actor=personas.admin.user, organisation=org, text="Be kind. Be on time."
        )
    assert codes(err, "text") == ["unchanged"]


def _propose(personas, group, text="Phones on silent during rounds."):
    return services.guideline_propose(
        actor=personas.party.user, group=group, topic="phones", text=text
    )


def test_PSP_5_any_member_proposes_outsiders_cannot(personas, group):
    guideline = _propose(personas, group)
    assert guideline.state == GroupGuideline.State.PROPOSED
    assert guideline.proposed_by == personas.party
    for outsider in (personas.unrelated, personas.admin, personas.other_org):
        with pytest.raises(PermissionDenied):
            services.guideline_propose(
                actor=outsider.user, group=group, topic="phones", text="No phones"
            )
    with pytest.raises(ValidationError) as err:
        services.guideline_propose(actor=personas.party.user, group=group, topic="x", text="a")
    assert codes(err, "topic") == ["invalid_choice"]


def test_PSP_5_proposer_is_shown_to_facilitators_and_admin_only(personas, group):
    assert personas.supporter.user.has_perm("peers.view_proposer", group)
    assert personas.admin.user.has_perm("peers.view_proposer", group)
    assert not personas.party.user.has_perm("peers.view_proposer", group)


def test_PSP_5_facilitator_records_agreement_and_review_is_scheduled_on_the_cycle(personas, group):
    guideline = _propose(personas, group)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.guideline_decide(
            actor=personas.party.user,
            guideline=guideline,
            agreed=True,
            decided_on=today,
            how_decided="Consensus",
        )
    with pytest.raises(PermissionDenied):
        services.guideline_decide(
            actor=personas.admin.user,
            guideline=guideline,
            agreed=True,
            decided_on=today,
            how_decided="Consensus",
        )
    agreed = services.guideline_decide(
        actor=personas.supporter.user,
        guideline=guideline,
        agreed=True,
        decided_on=today,
        how_decided="Consensus in the housekeeping round",
    )
    assert agreed.state == GroupGuideline.State.AGREED
    review = Obligation.objects.get(rule_id="PSP-5", subject_type="peers.groupguideline")
    assert review.param == "guideline_review_every"
    # The policy's six months, from the organisation's policy file.
    assert today + dt.timedelta(days=178) <= review.due_on <= today + dt.timedelta(days=186)
    assert set(review.assignees.values_list("pk", flat=True)) >= {personas.supporter.pk}
    with pytest.raises(ValidationError) as err:
        services.guideline_decide(
            actor=personas.supporter.user,
            guideline=guideline,
            agreed=False,
            decided_on=today,
            how_decided="x",
        )
    assert codes(err, "agreed") == ["decided"]


def test_PSP_5_review_follows_the_organisations_number(personas, group):
    policy_value_change(
        actor=personas.admin.user,
        organisation=personas.org,
        rule_id="PSP-5",
        param="guideline_review_every",
        value="3 months",
        reason="The groups asked for it",
    )
    today = timezone.localdate()
    guideline = _propose(personas, group)
    services.guideline_decide(
        actor=personas.supporter.user,
        guideline=guideline,
        agreed=True,
        decided_on=today,
        how_decided="Show of hands",
    )
    review = Obligation.objects.get(rule_id="PSP-5")
    assert today + dt.timedelta(days=85) <= review.due_on <= today + dt.timedelta(days=95)


def test_PSP_5_review_kept_changed_retired_meets_and_schedules_the_next(personas, group):
    today = timezone.localdate()
    guideline = _propose(personas, group)
    meeting = session(personas, group)
    services.guideline_decide(
        actor=personas.supporter.user,
        guideline=guideline,
        agreed=True,
        decided_on=today,
        how_decided="Consensus",
        session=meeting,
    )
    services.guideline_review(
        actor=personas.supporter.user,
        guideline=guideline,
        outcome="changed",
        reviewed_on=today,
        how_decided="Round",
        text="Phones off, except for carers who need them on vibrate.",
    )
    guideline.refresh_from_db()
    assert guideline.text.startswith("Phones off")
    assert guideline.reviews.get().previous_text == "Phones on silent during rounds."
    states = dict(Obligation.objects.filter(rule_id="PSP-5").values_list("key", "state"))
    assert states == {
        f"guideline:{guideline.pk}:review:1": "met",
        f"guideline:{guideline.pk}:review:2": "open",
    }
    services.guideline_review(
        actor=personas.supporter.user,
        guideline=guideline,
        outcome="retired",
        reviewed_on=today,
        how_decided="Round",
    )
    guideline.refresh_from_db()
    assert guideline.state == GroupGuideline.State.RETIRED
    assert not Obligation.objects.filter(rule_id="PSP-5", state="open").exists()
    with pytest.raises(ValidationError):
        services.guideline_review(
            actor=personas.supporter.user,
            guideline=guideline,
            outcome="kept",
            reviewed_on=today,
            how_decided="Round",
        )


def test_PSP_5_a_session_of_another_group_is_refused(personas, group):
    from commonground.peers.tests.helpers import psp_group

    other = psp_group(personas, name="Thursday afternoon group")
    guideline = _propose(personas, group)
    with pytest.raises(ValidationError) as err:
        services.guideline_decide(
            actor=personas.supporter.user,
            guideline=guideline,
            agreed=True,
            decided_on=timezone.localdate(),
            how_decided="x",
            session=session(personas, other),
        )
    assert codes(err, "session") == ["group_session"]


# PSP-10 -----------------------------------------------------------------------------------------


def test_PSP_10_peer_sends_own_apologies_facilitator_records_a_text_message(personas, group):
    meeting = session(personas, group)
    row = services.apologies_send(actor=personas.party.user, group=group, meeting=meeting)
    assert row.status == "apologies" and row.apologies_received_by == ""
    with pytest.raises(PermissionDenied):
        services.apologies_send(
            actor=personas.unrelated.user, group=group, meeting=meeting, person=personas.party
        )
    with pytest.raises(ValidationError) as err:
        services.apologies_send(
            actor=personas.supporter.user,
            group=group,
            meeting=meeting,
            person=personas.party,
            received_by="pigeon",
        )
    assert codes(err, "received_by") == ["PSP-10"]
    row = services.apologies_send(
        actor=personas.supporter.user,
        group=group,
        meeting=meeting,
        person=personas.party,
        received_by="text message",
    )
    assert row.apologies_received_by == "text message"


def test_PSP_10_apologies_only_for_an_upcoming_session_of_the_group(personas, group):
    past = held_session(personas, group, 1, {})
    with pytest.raises(ValidationError) as err:
        services.apologies_send(actor=personas.party.user, group=group, meeting=past)
    assert codes(err, "meeting") == ["session_upcoming"]


def test_PSP_10_peer_leaves_by_themselves_or_a_facilitator_records_a_call(personas, group):
    member = GroupMember.objects.get(group=group, person=personas.party)
    with pytest.raises(PermissionDenied):
        services.leave_group(actor=personas.unrelated.user, member=member)
    with pytest.raises(ValidationError):
        services.leave_group(actor=personas.supporter.user, member=member)
    left = services.leave_group(actor=personas.party.user, member=member, reason="Moving on")
    assert left.ends_on == timezone.localdate()


def _seek_news() -> list[Obligation]:
    return list(Obligation.objects.filter(rule_id="PSP-10"))


def test_PSP_10_three_absences_in_a_row_open_a_seek_news_action(personas, group):
    party = personas.party.pk
    held_session(personas, group, 5, {party: "attended"})
    held_session(personas, group, 4, {party: "absent"})
    held_session(personas, group, 3, {party: "apologies"})
    held_session(personas, group, 2, {party: "absent"})
    last = held_session(personas, group, 1, {party: "absent"})
    # Apologies end a run: two absences since, below the policy's three.
    assert services.absences_check(last) == []
    assert _seek_news() == []
    # Recording attendance runs the check (the meetings module's attendance_recorded signal).
    held_session(personas, group, 0, {party: "absent"})
    [action] = _seek_news()
    assert action.rule_id == "PSP-10" and action.param == "seek_news_after_absences"
    assert action.state == "open"
    assert set(action.assignees.values_list("pk", flat=True)) >= {personas.supporter.pk}
    assert action.due_on >= timezone.localdate()
    # Idempotent: the same run opens nothing more.
    assert services.absences_check(group) == []
    row = next(r for r in selectors.absences(group) if r.person == personas.party)
    assert len(row.run) == 3


def test_PSP_10_the_check_runs_by_hand_for_a_group(personas, group):
    from commonground.meetings.signals import attendance_recorded
    from commonground.peers.receivers import check_absences

    attendance_recorded.disconnect(check_absences, dispatch_uid="peers-absences-check")
    try:
        for weeks in (3, 2, 1):
            held_session(personas, group, weeks, {personas.party.pk: "absent"})
    finally:
        attendance_recorded.connect(check_absences, dispatch_uid="peers-absences-check")
    assert _seek_news() == []
    assert len(services.absences_check(group)) == 1


def test_PSP_10_the_number_in_force_is_the_organisations(personas, group):
    policy_value_change(
        actor=personas.admin.user,
        organisation=personas.org,
        rule_id="PSP-10",
        param="seek_news_after_absences",
        value="2",
        reason="Our groups are small",
    )
    held_session(personas, group, 2, {personas.party.pk: "absent"})
    held_session(personas, group, 1, {personas.party.pk: "absent"})
    assert len(_seek_news()) == 1


def test_PSP_10_changing_the_number_keeps_an_open_seek_news_action_as_it_is(personas, group):
    for weeks_ago in (3, 2, 1):
        held_session(personas, group, weeks_ago, {personas.party.pk: "absent"})
    [action] = _seek_news()
    policy_value_change(
        actor=personas.admin.user,
        organisation=personas.org,
        rule_id="PSP-10",
        param="seek_news_after_absences",
        value="4",
        reason="Our groups are larger now",
    )
    [still] = _seek_news()
    assert (still.pk, still.due_on, still.state) == (action.pk, action.due_on, "open")


def test_PSP_10_news_recorded_meets_the_action_and_keeps_only_the_outcome(personas, group):
    for weeks in (3, 2, 1):
        held_session(personas, group, weeks, {personas.party.pk: "absent"})
    [action] = _seek_news()
    with pytest.raises(PermissionDenied):
        services.news_record(
            actor=personas.admin.user, group=group, person=personas.party, outcome="news_received"
        )
    record = services.news_record(
        actor=personas.supporter.user,
        group=group,
        person=personas.party,
        outcome="news_received",
    )
    action.refresh_from_db()
    assert action.state == "met" and action.met_by_event == "news received"
    assert {f.name for f in NewsRecord._meta.fields} == {
        "id",
        "group",
        "person",
        "outcome",
        "recorded_by",
        "recorded_at",
    }
    assert record.outcome == "news_received"


def test_PSP_10_news_that_the_peer_is_leaving_ends_their_membership(personas, group):
    for weeks in (3, 2, 1):
        held_session(personas, group, weeks, {personas.party.pk: "absent"})
    services.news_record(
        actor=personas.supporter.user, group=group, person=personas.party, outcome="leaving"
    )
    assert not GroupMember.objects.current().filter(group=group, person=personas.party).exists()
    assert Obligation.objects.get(rule_id="PSP-10").state == "met"


def test_PSP_10_a_rule_not_adopted_opens_nothing(personas, group):
    from commonground.policies.models import PolicyAdoption

    PolicyAdoption.objects.filter(organisation=personas.org).update(only_rules=["PSP-4"])
    for weeks in (3, 2, 1):
        held_session(personas, group, weeks, {personas.party.pk: "absent"})
    assert services.absences_check(group) == []
    assert _seek_news() == []


# PSP-11 -----------------------------------------------------------------------------------------


def test_PSP_11_membership_is_open_ended_nothing_expires_by_itself(personas, group):
    with time_machine.travel(timezone.now() + dt.timedelta(days=365 * 5), tick=False):
        assert GroupMember.objects.current().filter(group=group, person=personas.party).exists()


def test_PSP_11_no_longer_eligible_ends_group_memberships_with_a_reason(personas, group):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.eligibility_record(
            actor=personas.supporter.user,
            organisation=personas.org,
            person=personas.party,
            eligible=False,
            checked_on=today,
            reason="Moved out of the area",
        )
    check = services.eligibility_record(
        actor=personas.supporter.user,
        organisation=personas.org,
        person=personas.party,
        eligible=True,
        checked_on=today,
    )
    assert check.eligible and check.checked_by == personas.supporter.user
    with pytest.raises(ValidationError) as err:
        services.eligibility_record(
            actor=personas.admin.user,
            organisation=personas.org,
            person=personas.party,
            eligible=False,
            checked_on=today,
        )
    assert codes(err, "reason") == ["required"]
    services.eligibility_record(
        actor=personas.admin.user,
        organisation=personas.org,
        person=personas.party,
        eligible=False,
        checked_on=today,
        reason="Moved out of the area",
    )
    member = GroupMember.objects.get(group=group, person=personas.party)
    assert member.ends_on == today
    assert "objects" in member.end_reason
    with pytest.raises(PermissionDenied):
        services.eligibility_record(
            actor=personas.party.user,
            organisation=personas.org,
            person=personas.party,
            eligible=True,
            checked_on=today,
        )


# PSP-12 -----------------------------------------------------------------------------------------


def test_PSP_12_anyone_who_supports_the_objects_becomes_a_member_for_nothing(personas):
    from commonground.policies.services import policy_adopt

    policy_adopt(actor=None, organisation=personas.org, policy="PSP")
    with pytest.raises(ValidationError) as err:
        services.charity_join(
            actor=personas.unrelated.user, organisation=personas.org, supports_objects=False
        )
    assert codes(err, "supports_objects") == ["PSP-12"]
    member = services.charity_join(
        actor=personas.unrelated.user, organisation=personas.org, supports_objects=True
    )
    assert member.person == personas.unrelated
    assert not any(f.name.endswith(("fee", "fee_pence")) for f in CharityMember._meta.fields)
    with pytest.raises(PermissionDenied):
        services.charity_join(
            actor=personas.party.user,
            organisation=personas.org,
            supports_objects=True,
            person=personas.unrelated,
        )
    with pytest.raises(ValidationError):
        services.charity_join(
            actor=personas.unrelated.user, organisation=personas.org, supports_objects=True
        )


def test_PSP_12_donations_admin_only_anonymous_has_no_name_or_gift_aid(personas):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.donation_record(
            actor=personas.supporter.user,
            organisation=personas.org,
            amount_pence=500,
            received_on=today,
            donor_name="A",
        )
    with pytest.raises(ValidationError) as err:
        services.donation_record(
            actor=personas.admin.user,
            organisation=personas.org,
            amount_pence=500,
            received_on=today,
            anonymous=True,
            gift_aid=True,
        )
    assert codes(err, "gift_aid") == ["gift_aid"]
    for bad in (0, -5, True, DONATION_MAX + 1):
        with pytest.raises(ValidationError) as err:
            services.donation_record(
                actor=personas.admin.user,
                organisation=personas.org,
                amount_pence=bad,
                received_on=today,
                anonymous=True,
            )
        assert "amount_pence" in err.value.error_dict
    services.donation_record(
        actor=personas.admin.user,
        organisation=personas.org,
        amount_pence=2_500,
        received_on=today,
        donor_name="Jo Giver",
        gift_aid=True,
    )
    services.donation_record(
        actor=personas.admin.user,
        organisation=personas.org,
        amount_pence=1_000,
        received_on=today,
        anonymous=True,
    )
    [month] = selectors.donations_by_month(personas.org)
    assert (month.total_pence, month.count, month.gift_aid_pence) == (3_500, 2, 2_500)


DONATION_MAX = services.DONATION_MAX_PENCE


def test_PSP_12_a_donor_has_no_more_access_or_membership_than_a_peer_who_never_gave(
    personas, group
):
    from commonground.peers.tests.helpers import psp_group

    other = psp_group(personas, name="Thursday afternoon group")
    member_add(actor=personas.admin.user, group=other, person=personas.unrelated)
    # Two plain peers in the same shape of group; one gives money, the other never does.
    services.donation_record(
        actor=personas.admin.user,
        organisation=personas.org,
        amount_pence=10_000,
        received_on=timezone.localdate(),
        donor_name=personas.party.full_name,
    )
    perms = (
        "peers.view_group_guidelines",
        "peers.propose_guideline",
        "peers.view_proposer",
        "peers.decide_guideline",
        "peers.view_absences",
        "peers.record_news",
        "groups.view_members",
    )
    assert [personas.party.user.has_perm(p, group) for p in perms] == [
        personas.unrelated.user.has_perm(p, other) for p in perms
    ]
    org_perms = ("peers.manage_donations", "peers.check_eligibility", "peers.join_charity")
    assert [personas.party.user.has_perm(p, personas.org) for p in org_perms] == [
        personas.unrelated.user.has_perm(p, personas.org) for p in org_perms
    ]
    for person in (personas.party, personas.unrelated):
        member = services.charity_join(
            actor=person.user, organisation=personas.org, supports_objects=True
        )
        assert member.joined_on == timezone.localdate()


def test_PSP_10_the_command_looks_at_recently_held_sessions(personas, group):
    from io import StringIO

    from django.core.management import call_command

    from commonground.meetings.signals import attendance_recorded
    from commonground.peers.receivers import check_absences

    attendance_recorded.disconnect(check_absences, dispatch_uid="peers-absences-check")
    try:
        for weeks in (3, 2, 1):
            held_session(personas, group, weeks, {personas.party.pk: "absent"})
    finally:
        attendance_recorded.connect(check_absences, dispatch_uid="peers-absences-check")
    out = StringIO()
    call_command("peers_absences", days=30, stdout=out)
    assert "1 seek-news actions opened" in out.getvalue()
    call_command("peers_absences", days=30, stdout=out)
    assert len(_seek_news()) == 1
