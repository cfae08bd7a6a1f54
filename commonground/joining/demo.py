"""The joining module's part of Peer Support Plus's demo (called by commonground/demo/groups.py).

Peers at every step of the way in, made through the people and joining services with the
organisation admin as the actor and the groups' own facilitators for their steps:
- Robin Hale enquired and is invited to next month's workshop;
- Kit Morrow attended the Introduction to Group Work workshop (PSP-1);
- Noor Shah had an initial conversation with the Tuesday evening group: "join" (PSP-2);
- Dee Walsh's conversation with the Thursday afternoon group ended "not now";
- Lee Carter declared a former colleague who is in the Tuesday evening group: joining waits on
  that member's agreement (PSP-3);
- Ash Lindqvist came the whole way and joined the Tuesday evening group.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from commonground.groups.models import GroupFacilitator, SupportGroup
from commonground.groups.selectors import current_members
from commonground.joining import services
from commonground.joining.models import GroupAttempt, PeerJourney
from commonground.meetings.services import meeting_record_attendance
from commonground.people.models import Organisation, Person

PEERS = (
    ("Robin Hale", "Robin", "enquired"),
    ("Kit Morrow", "", "workshop"),
    ("Noor Shah", "", "conversation"),
    ("Dee Walsh", "", "not_now"),
    ("Lee Carter", "", "conflict"),
    ("Ash Lindqvist", "", "joined"),
)


def load(organisation: Organisation) -> None:
    if PeerJourney.objects.filter(organisation=organisation).exists():
        return
    admin = Person.objects.get(organisation=organisation, email="admin@psp.demo").user
    tuesday = SupportGroup.objects.get(organisation=organisation, name="Tuesday evening group")
    thursday = SupportGroup.objects.get(organisation=organisation, name="Thursday afternoon group")

    def pool(group: SupportGroup) -> list[Person]:
        rows = GroupFacilitator.objects.current().filter(group=group).select_related("person")
        return [row.person for row in rows]

    now = timezone.now()
    today = timezone.localdate()
    journeys: dict[str, PeerJourney] = {}
    for index, (name, preferred, _) in enumerate(PEERS):
        journeys[name] = services.journey_enquire(
            actor=admin,
            organisation=organisation,
            full_name=name,
            preferred_name=preferred,
            phone=f"07700 900{index:03d}",
            enquired_on=today - dt.timedelta(days=60 - index * 5),
            note="Rang the office after seeing a leaflet at the GP surgery.",
        )
    # PSP-1: a held workshop three weeks ago, and the next one in a month.
    attended = [journeys[n] for n, _, step in PEERS if step != "enquired"]
    held = services.workshop_schedule(
        actor=admin,
        organisation=organisation,
        starts_at=(now - dt.timedelta(days=21)).replace(hour=10, minute=0, second=0, microsecond=0),
        facilitators=pool(tuesday),
        place="Millbrook Community Centre, room 1",
        invite=attended,
    )
    meeting_record_attendance(
        actor=admin,
        meeting=held,
        attendance={j.person_id: "attended" for j in attended},
    )
    services.workshop_schedule(
        actor=admin,
        organisation=organisation,
        starts_at=(now + dt.timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0),
        facilitators=pool(tuesday),
        place="Millbrook Community Centre, room 1",
        invite=[journeys["Robin Hale"]],
    )

    def conversation(name: str, group: SupportGroup, outcome: str, days_ago: int) -> GroupAttempt:
        attempt, _ = services.conversation_arrange(
            actor=admin,
            journey=journeys[name],
            group=group,
            starts_at=now - dt.timedelta(days=days_ago),
            duration=dt.timedelta(minutes=40),
            mode="video" if days_ago % 2 else "in_person",
            facilitators=pool(group),
        )
        return services.conversation_outcome(
            actor=admin,
            attempt=attempt,
            outcome=outcome,
            note="Talked about what they hope for from a group."
            if outcome == "join"
            else "Would rather wait until things settle at work; will get back in touch.",
        )

    conversation("Noor Shah", tuesday, "join", 5)
    conversation("Dee Walsh", thursday, "not_now", 9)
    # PSP-3: Lee declares a former colleague who is in the group; they have not agreed yet.
    lee = conversation("Lee Carter", tuesday, "join", 7)
    members = [m.person for m in current_members(tuesday)]
    if members:
        colleague = members[-1]
        services.names_declare(actor=admin, attempt=lee, names=colleague.full_name)
        services.conflict_record(
            actor=admin,
            attempt=lee,
            member=colleague,
            source="declared",
            note="Worked in the same office some years ago.",
        )
    ash = conversation("Ash Lindqvist", tuesday, "join", 12)
    services.names_declare(actor=admin, attempt=ash, names="")
    services.name_check_clear(actor=admin, attempt=ash)
    services.peer_join(actor=admin, journey=journeys["Ash Lindqvist"], group=tuesday)
