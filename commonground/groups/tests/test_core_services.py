"""The group records the other PSP modules build on: a group, its pool, members, sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commonground.groups import selectors, services
from commonground.meetings.models import Meeting
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.factories import QualificationFactory, person_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(personas):
    policy_adopt(actor=None, organisation=personas.org, policy="PSP")
    return services.group_create(
        actor=personas.admin.user,
        organisation=personas.org,
        name="Thursday evening group",
        weekday=3,
        start_time=dt.time(18, 30),
        venue="Community centre, room 2",
    )


def test_group_pool_members_and_visibility(personas, group):
    services.facilitator_add(actor=personas.admin.user, group=group, person=personas.supporter)
    services.member_add(actor=personas.supporter.user, group=group, person=personas.party)
    assert selectors.is_member(personas.party, group)
    assert personas.party.user.has_perm("groups.view_group", group)
    assert not personas.party.user.has_perm("groups.view_members", group)
    assert not personas.unrelated.user.has_perm("groups.view_group", group)
    assert not personas.other_org.user.has_perm("groups.view_group", group)
    with pytest.raises(PermissionDenied):
        services.member_add(actor=personas.party.user, group=group, person=personas.unrelated)
    with pytest.raises(ValidationError) as err:
        services.member_add(actor=personas.admin.user, group=group, person=personas.party)
    assert "group_member_once" in str(err.value.error_dict["person"][0].code)


def test_PSP_4_session_needs_two_trained_facilitators_from_the_pool(personas, group):
    second = person_with_login(personas.org, Role.FACILITATOR, email="f2@example.test")
    for person in (personas.supporter, second):
        services.facilitator_add(actor=personas.admin.user, group=group, person=person)
        QualificationFactory(person=person)
    services.member_add(actor=personas.admin.user, group=group, person=personas.party)
    with pytest.raises(ValidationError) as err:
        services.session_schedule(
            actor=personas.admin.user, group=group, facilitators=[personas.unrelated]
        )
    assert "facilitators" in err.value.error_dict
    meeting = services.session_schedule(
        actor=personas.supporter.user, group=group, facilitators=[personas.supporter, second]
    )
    assert meeting.kind == "weekly_session"
    assert timezone.localtime(meeting.starts_at).weekday() == 3
    assert [p.person_id for p in meeting.participants.filter(role="attendee")] == [
        personas.party.pk
    ]
    assert list(selectors.group_sessions(group)) == [meeting]
    assert Meeting.objects.count() == 1
