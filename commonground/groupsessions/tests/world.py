"""A peer support group with a session under way, for this module's tests.

The standing personas: the party is a member of the group, the supporter facilitates it (with
a second trained facilitator, PSP-4), the admin runs the organisation, the unrelated member is
in no group. Three more peers belong, one of them known by a preferred name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from commonground.groups import services as groups
from commonground.groups.models import SupportGroup
from commonground.meetings.models import Meeting
from commonground.people.models import Person
from commonground.people.roles import Role
from commonground.policies.models import PolicyAdoption
from commonground.policies.services import policy_adopt
from commonground.testing.factories import QualificationFactory, person_with_login
from commonground.testing.personas import Personas


@dataclass
class SessionWorld:
    p: Personas
    group: SupportGroup
    second: Person
    peers: list[Person]
    meeting: Meeting

    @property
    def org(self):  # type: ignore[no-untyped-def]
        return self.p.org


def adopt_psp(personas: Personas) -> None:
    if not PolicyAdoption.objects.filter(organisation=personas.org, policy="PSP").exists():
        policy_adopt(actor=None, organisation=personas.org, policy="PSP")


def make_group(personas: Personas, name: str = "Tuesday evening group") -> SupportGroup:
    adopt_psp(personas)
    group = groups.group_create(
        actor=personas.admin.user,
        organisation=personas.org,
        name=name,
        weekday=timezone.localdate().weekday(),
        start_time=dt.time(18, 0),
        venue="Community centre, room 2",
    )
    groups.facilitator_add(actor=personas.admin.user, group=group, person=personas.supporter)
    QualificationFactory(person=personas.supporter)
    groups.member_add(actor=personas.admin.user, group=group, person=personas.party)
    return group


def make_session_world(
    personas: Personas, *, group: SupportGroup | None = None, starts_at: dt.datetime | None = None
) -> SessionWorld:
    group = group or make_group(personas)
    second = person_with_login(
        personas.org,
        Role.FACILITATOR,
        email="fran@example.test",
        full_name="Francesca Second",
        preferred_name="Fran",
    )
    QualificationFactory(person=second)
    groups.facilitator_add(actor=personas.admin.user, group=group, person=second)
    peers = [
        person_with_login(personas.org, email=f"{e}@example.test", full_name=n, **kw)
        for e, n, kw in (
            ("pip", "Philippa Peer", {"preferred_name": "Pip"}),
            ("quinn", "Quinn Quiet", {}),
            ("robin", "Robin Rowe", {}),
        )
    ]
    for peer in peers:
        groups.member_add(actor=personas.admin.user, group=group, person=peer)
    meeting = groups.session_schedule(
        actor=personas.admin.user,
        group=group,
        facilitators=[personas.supporter, second],
        starts_at=starts_at or timezone.now() - dt.timedelta(minutes=5),
    )
    return SessionWorld(personas, group, second, peers, meeting)
