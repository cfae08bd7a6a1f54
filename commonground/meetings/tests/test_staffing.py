from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from commonground.audit.models import AuditEntry
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting, Participant
from commonground.meetings.services import meeting_reschedule, meeting_set_facilitators
from commonground.meetings.staffing import staffing_check
from commonground.people.models import MembershipStatus, Person
from commonground.policies.selectors import organisation_policy
from commonground.policies.services import policy_adopt, policy_value_change
from commonground.testing.personas import Personas

from .conftest import DBS, FACILITATOR, TRAINED, at, qualify, schedule

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> list[str]:
    return [e.code for e in exc.error_dict["facilitators"]]  # type: ignore[misc]


def test_IMHP_1_a_session_needs_two_facilitators_one_trained(
    personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    entries = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as alone:
        schedule(personas, facilitators=[personas.supporter])
    assert codes(alone.value) == ["IMHP-1"]
    assert "nobody runs it alone" in str(alone.value)

    qualify(co, "safeguarding_training")  # not the training the rule names
    with pytest.raises(ValidationError) as untrained:
        schedule(personas, facilitators=[co, personas.unrelated])
    assert codes(untrained.value) == ["IMHP-1"]
    assert "team member training" in str(untrained.value)
    assert Meeting.objects.count() == 0 and Participant.objects.count() == 0
    assert AuditEntry.objects.count() == entries

    meeting = schedule(personas, facilitators=[personas.supporter, co])
    assert meeting.participants.filter(role="lead").get().person == personas.supporter


def test_IMHP_1_the_organisations_own_number_is_used(personas: Personas, co: Person) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    policy_value_change(
        actor=personas.admin.user,
        organisation=personas.org,
        rule_id="IMHP-1",
        param="facilitators_min",
        value="3",
        reason="Our sessions are large",
    )
    with pytest.raises(ValidationError) as exc:
        schedule(personas, facilitators=[personas.supporter, co])
    assert codes(exc.value) == ["IMHP-1"] and "at least 3 facilitators" in str(exc.value)
    schedule(personas, facilitators=[personas.supporter, co, personas.unrelated])


def test_IMHP_1_training_must_be_current_on_the_day_of_the_meeting(
    personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED, expires_on=dt.date(2025, 7, 10))
    schedule(personas, facilitators=[personas.supporter, co], starts_at=at(9))
    with pytest.raises(ValidationError) as exc:
        schedule(personas, facilitators=[personas.supporter, co], starts_at=at(11))
    assert codes(exc.value) == ["IMHP-1"]


def test_IMHP_1_someone_on_hiatus_does_not_count(personas: Personas, co: Person) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    co.membership_status = MembershipStatus.HIATUS
    co.save()
    with pytest.raises(ValidationError) as exc:
        schedule(personas, facilitators=[personas.supporter, co])
    assert codes(exc.value) == ["IMHP-1"]


def test_PSP_4_a_group_session_needs_two_trained_facilitators(
    personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="PSP")
    qualify(personas.supporter, FACILITATOR)
    with pytest.raises(ValidationError) as exc:
        schedule(personas, facilitators=[personas.supporter, co])
    assert codes(exc.value) == ["PSP-4"]
    assert co.display_name in str(exc.value)
    with pytest.raises(ValidationError) as alone:
        schedule(personas, facilitators=[personas.supporter], kind=MeetingKind.WORKSHOP)
    assert codes(alone.value) == ["PSP-4"]

    qualify(co, FACILITATOR)
    schedule(personas, facilitators=[personas.supporter, co])
    schedule(personas, facilitators=[personas.supporter, co], kind=MeetingKind.WORKSHOP)
    # An initial conversation is not a session of a group, workshop or course.
    schedule(personas, facilitators=[personas.unrelated], kind=MeetingKind.INITIAL_CONVERSATION)


def test_IMHP_2_individual_support_needs_a_dbs_checked_trained_member(
    personas: Personas, co: Person
) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    kind = MeetingKind.INDIVIDUAL_SUPPORT
    with pytest.raises(ValidationError) as exc:
        schedule(personas, facilitators=[personas.supporter], kind=kind)
    assert codes(exc.value) == ["IMHP-2"] and "DBS check" in str(exc.value)
    assert Meeting.objects.count() == 0

    qualify(personas.supporter, DBS)
    # Alone is allowed, with a warning: the policy says "ideally" two are present.
    meeting = schedule(personas, facilitators=[personas.supporter], kind=kind)
    problems = staffing_check(
        in_force=organisation_policy(personas.org),
        kind=kind,
        on=meeting.local_day,
        facilitators=[personas.supporter],
    )
    assert [(p.rule_id, p.severity) for p in problems] == [("IMHP-2", "warn")]

    # A second person giving the support must be trained and checked too.
    with pytest.raises(ValidationError):
        schedule(personas, facilitators=[personas.supporter, co], kind=kind)
    qualify(co, TRAINED, DBS)
    meeting = schedule(personas, facilitators=[personas.supporter, co], kind=kind)
    assert (
        staffing_check(
            in_force=organisation_policy(personas.org),
            kind=kind,
            on=meeting.local_day,
            facilitators=[personas.supporter, co],
        )
        == []
    )


def test_a_rule_the_organisation_does_not_adopt_is_not_applied(
    personas: Personas, co: Person
) -> None:
    schedule(personas, facilitators=[personas.supporter])
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP", only_rules=["IMHP-2"])
    schedule(personas, facilitators=[personas.supporter])
    with pytest.raises(ValidationError):
        schedule(personas, facilitators=[co], kind=MeetingKind.INDIVIDUAL_SUPPORT)


def test_IMHP_1_changing_the_facilitators_is_checked_again(personas: Personas, co: Person) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    meeting = schedule(personas, facilitators=[personas.supporter, co])
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        meeting_set_facilitators(
            actor=personas.admin.user, meeting=meeting, facilitators=[personas.supporter]
        )
    assert codes(exc.value) == ["IMHP-1"]
    assert meeting.participants.filter(role__in=["lead", "co"]).count() == 2
    assert AuditEntry.objects.count() == entries

    meeting_set_facilitators(
        actor=personas.admin.user,
        meeting=meeting,
        facilitators=[personas.supporter, personas.unrelated],
        lead=personas.unrelated,
    )
    roles = dict(meeting.participants.values_list("person_id", "role"))
    assert roles[personas.unrelated.pk] == "lead" and co.pk not in roles
    entry = AuditEntry.objects.latest("seq")
    assert entry.changes["facilitators"] == [
        sorted([personas.supporter.pk, co.pk]),
        sorted([personas.supporter.pk, personas.unrelated.pk]),
    ]


def test_IMHP_2_moving_support_past_a_dbs_expiry_is_refused(personas: Personas) -> None:
    policy_adopt(actor=None, organisation=personas.org, policy="IMHP")
    qualify(personas.supporter, TRAINED)
    qualify(personas.supporter, DBS, expires_on=dt.date(2025, 7, 15))
    meeting = schedule(
        personas, facilitators=[personas.supporter], kind=MeetingKind.INDIVIDUAL_SUPPORT
    )
    with pytest.raises(ValidationError) as exc:
        meeting_reschedule(actor=personas.admin.user, meeting=meeting, starts_at=at(20))
    assert codes(exc.value) == ["IMHP-2"]
    meeting.refresh_from_db()
    assert meeting.starts_at == at(1) and meeting.sequence == 0
