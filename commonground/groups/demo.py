"""The groups module's part of Peer Support Plus's demo (called by commonground/demo/groups.py).

Two weekly groups, as the demo facilitators' role notes name them: the Tuesday evening group
(Seun, facilitator@psp.demo, and Bea Holloway) and the Thursday afternoon group (Rhys Pritchard
and Mei Lin Zhao). A few established members, and the next four weeks of sessions for each,
co-facilitated by the group's two trained facilitators (PSP-4). Everything goes through the
services, with the organisation admin (admin@psp.demo) as the actor.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from commonground.groups import services
from commonground.groups.models import SupportGroup, Weekday
from commonground.people.models import Organisation, Person

# (name, weekday, start, venue, description, facilitators (email or full name, in the pool for
# how many days), established members (email or full name, joined how many days ago)).
GROUPS = (
    (
        "Tuesday evening group",
        Weekday.TUESDAY,
        dt.time(18, 30),
        "Millbrook Community Centre, room 2 (ground floor, step-free)",
        "A weekly peer support group after work. Tea and biscuits at the break.",
        (("facilitator@psp.demo", 1000), ("Beatrix Holloway", 1200)),
        (("peer@psp.demo", 230), ("Ezekiel Thornbury", 650)),
    ),
    (
        "Thursday afternoon group",
        Weekday.THURSDAY,
        dt.time(14, 0),
        "St Anne's Church Hall, side room",
        "A weekly peer support group in the afternoon, near the bus station.",
        (("Rhys Pritchard", 600), ("Mei Lin Zhao", 300)),
        (("Margaret Quayle", 1300), ("Fergus Byrne", 380)),
    ),
)
WEEKS_AHEAD = 4


def _person(organisation: Organisation, key: str) -> Person:
    people = Person.objects.filter(organisation=organisation)
    return people.get(email=key) if "@" in key else people.get(full_name=key)


def load(organisation: Organisation) -> None:
    actor = _person(organisation, "admin@psp.demo").user
    today = timezone.localdate()
    for name, weekday, start, venue, description, pool, members in GROUPS:
        if SupportGroup.objects.filter(organisation=organisation, name=name).exists():
            continue
        group = services.group_create(
            actor=actor,
            organisation=organisation,
            name=name,
            weekday=weekday,
            start_time=start,
            venue=venue,
            description=description,
        )
        facilitators = []
        for key, days in pool:
            person = _person(organisation, key)
            services.facilitator_add(
                actor=actor, group=group, person=person, starts_on=today - dt.timedelta(days=days)
            )
            facilitators.append(person)
        # These members joined before the way-in records existed, so they are added directly
        # with the day they joined; new peers come in through the joining module (PSP-1..3).
        for key, days in members:
            services.member_add(
                actor=actor,
                group=group,
                person=_person(organisation, key),
                starts_on=today - dt.timedelta(days=days),
            )
        services.sessions_schedule(
            actor=actor, group=group, facilitators=facilitators, weeks=WEEKS_AHEAD
        )
