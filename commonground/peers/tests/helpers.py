"""A PSP group for the peers tests, the access matrix and the API tests: the supporter and a
second trained facilitator run it, the party is a member, and past sessions can be held."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import time_machine
from django.utils import timezone

from commonground.groups import services as groups
from commonground.groups.models import SupportGroup
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_record_attendance
from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.policies.models import PolicyAdoption
from commonground.policies.services import policy_adopt
from commonground.testing.factories import QualificationFactory, person_with_login
from commonground.testing.personas import Personas


def psp_group(personas: Personas, name: str = "Tuesday evening group") -> SupportGroup:
    """PSP adopted; the supporter and a second trained facilitator; the party a member."""
    if not PolicyAdoption.objects.filter(organisation=personas.org, policy="PSP").exists():
        policy_adopt(actor=None, organisation=personas.org, policy="PSP")
    admin = personas.admin.user
    group = groups.group_create(
        actor=admin,
        organisation=personas.org,
        name=name,
        weekday=1,
        start_time=dt.time(18, 30),
        venue="Quaker meeting house",
    )
    second = Person.objects.filter(organisation=personas.org, email="cofac@example.test").first()
    if second is None:
        second = person_with_login(
            personas.org, Role.FACILITATOR, email="cofac@example.test", full_name="Cory Cofac"
        )
    for person in (personas.supporter, second):
        groups.facilitator_add(
            actor=admin,
            group=group,
            person=person,
            starts_on=timezone.localdate() - dt.timedelta(days=120),
        )
        if not person.qualifications.exists():
            QualificationFactory(person=person)
    groups.member_add(
        actor=admin,
        group=group,
        person=personas.party,
        starts_on=timezone.localdate() - dt.timedelta(days=120),
    )
    return group


def facilitators(group: SupportGroup) -> list[Person]:
    from commonground.groups.selectors import current_facilitators

    return current_facilitators(group)[:2]


def session(personas: Personas, group: SupportGroup, when: dt.datetime | None = None) -> Meeting:
    """A session of the group, scheduled now for its next slot (or for `when`)."""
    return groups.session_schedule(
        actor=personas.admin.user, group=group, facilitators=facilitators(group), starts_at=when
    )


def held_session(
    personas: Personas, group: SupportGroup, weeks_ago: int, marks: Mapping[int, str]
) -> Meeting:
    """A session `weeks_ago` weeks back, held, with attendance `marks` (person id: status)."""
    start = timezone.now() - dt.timedelta(weeks=weeks_ago)
    with time_machine.travel(start - dt.timedelta(days=1), tick=False):
        meeting = session(personas, group, when=start)
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        full: dict[int, Any] = {p.person_id: "attended" for p in meeting.participants.all()}
        meeting_record_attendance(
            actor=personas.admin.user, meeting=meeting, attendance=full | dict(marks)
        )
    return meeting
