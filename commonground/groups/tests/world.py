"""One group as the tests and the access matrix use it: in the personas' organisation (PSP
adopted), the supporter and a second trained facilitator in its pool, the party a member, and one
upcoming session co-facilitated by the two."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from commonground.groups import services
from commonground.groups.models import SupportGroup
from commonground.meetings.models import Meeting
from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.policies.models import PolicyAdoption
from commonground.policies.services import policy_adopt
from commonground.testing.factories import QualificationFactory, person_with_login
from commonground.testing.personas import Personas


@dataclass
class SharedGroup:
    group: SupportGroup
    co: Person  # the second trained facilitator
    session: Meeting


def train(person: Person) -> None:
    """The facilitator training PSP-4 names, obtained long ago and not expiring."""
    QualificationFactory(person=person, obtained_on=dt.date(2020, 1, 1), expires_on=None)


def make_shared_group(p: Personas, *, email: str = "co.facilitator@example.test") -> SharedGroup:
    if not PolicyAdoption.objects.filter(organisation=p.org, policy="PSP").exists():
        policy_adopt(actor=None, organisation=p.org, policy="PSP")
    group = services.group_create(
        actor=p.admin.user,
        organisation=p.org,
        name="Tuesday evening group",
        weekday=1,
        start_time=dt.time(18, 30),
        venue="Millbrook Community Centre, room 2",
        description="A weekly peer support group.",
    )
    co = person_with_login(p.org, Role.FACILITATOR, email=email, full_name="Cam Cofacilitator")
    for person in (p.supporter, co):
        train(person)
        services.facilitator_add(actor=p.admin.user, group=group, person=person)
    services.member_add(actor=p.supporter.user, group=group, person=p.party)
    (session,) = services.sessions_schedule(
        actor=p.supporter.user, group=group, facilitators=[p.supporter, co]
    )
    return SharedGroup(group=group, co=co, session=session)
