from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from commonground.groups import services as group_services
from commonground.groups.models import SupportGroup
from commonground.joining import services
from commonground.joining.models import GroupAttempt, PeerJourney
from commonground.meetings.models import Meeting
from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.factories import QualificationFactory, person_with_login
from commonground.testing.personas import Personas


def trained(org: Any, name: str, email: str) -> Person:
    person = person_with_login(org, Role.FACILITATOR, full_name=name, email=email)
    QualificationFactory(person=person)
    return person


@dataclass
class Way:
    p: Personas
    group: SupportGroup
    second: Person
    member: Person
    ash: Person
    journey: PeerJourney

    @property
    def facilitators(self) -> list[Person]:
        return [self.p.supporter, self.second]


@pytest.fixture
def way(personas: Personas) -> Way:
    p = personas
    policy_adopt(actor=None, organisation=p.org, policy="PSP")
    QualificationFactory(person=p.supporter)
    second = trained(p.org, "Fran Second", "fran@example.test")
    group = group_services.group_create(
        actor=p.admin.user,
        organisation=p.org,
        name="Tuesday evening group",
        weekday=1,
        start_time=dt.time(18, 30),
    )
    for person in (p.supporter, second):
        group_services.facilitator_add(actor=p.admin.user, group=group, person=person)
    member = person_with_login(
        p.org, full_name="Joanne Bloggs", preferred_name="Jo", email="jo@example.test"
    )
    group_services.member_add(actor=p.admin.user, group=group, person=member)
    ash = person_with_login(p.org, full_name="Ash Ahmed", email="ash@example.test")
    journey = services.journey_enquire(actor=p.supporter.user, organisation=p.org, person=ash)
    return Way(p=p, group=group, second=second, member=member, ash=ash, journey=journey)


def attend_workshop(w: Way, when: dt.datetime | None = None) -> Meeting:
    when = when or timezone.now() - dt.timedelta(days=7)
    workshop = services.workshop_schedule(
        actor=w.p.supporter.user,
        organisation=w.p.org,
        starts_at=when,
        facilitators=w.facilitators,
        invite=[w.journey],
    )
    from commonground.meetings.services import meeting_record_attendance

    meeting_record_attendance(
        actor=w.p.supporter.user, meeting=workshop, attendance={w.ash.pk: "attended"}
    )
    return workshop


def converse(w: Way, outcome: str = "join", group: SupportGroup | None = None) -> GroupAttempt:
    attempt, _ = services.conversation_arrange(
        actor=w.p.supporter.user,
        journey=w.journey,
        group=group or w.group,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        duration=dt.timedelta(minutes=40),
        mode="video",
        facilitators=w.facilitators,
    )
    return services.conversation_outcome(
        actor=w.p.supporter.user, attempt=attempt, outcome=outcome, note="Ready, they said."
    )


def whole_way(w: Way) -> GroupAttempt:
    attend_workshop(w)
    attempt = converse(w)
    services.names_declare(actor=w.ash.user, attempt=attempt, names="Sam Smith")
    services.name_check_clear(actor=w.p.supporter.user, attempt=attempt)
    return attempt
