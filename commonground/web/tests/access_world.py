"""A small world with one record of every kind, for the page-by-page access test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from commonground.agreements.kinds import PartyRole
from commonground.agreements.models import Agreement
from commonground.agreements.services import agreement_create
from commonground.meetings.models import Meeting
from commonground.meetings.services import calendar_feed_create, meeting_schedule
from commonground.notifications.delivery import outbox_deliver
from commonground.notifications.models import Channel, Notification
from commonground.notifications.services import notify
from commonground.obligations.models import Obligation
from commonground.obligations.services import obligation_schedule
from commonground.people.models import Qualification, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.factories import (
    PersonFactory,
    QualificationFactory,
    RoleAssignmentFactory,
)
from commonground.testing.personas import Personas, make_personas
from commonground.web.tests.access_extensions import modules


@dataclass
class World:
    p: Personas
    role: RoleAssignment
    qualification: Qualification
    obligation: Obligation
    agreement: Agreement
    meeting: Meeting
    feed_token: str
    message: Notification
    letter: Notification
    # Records that apps add through their tests/access_rows.py.
    extra: dict[str, Any] = field(default_factory=dict)

    def kwargs(self, name: str) -> dict[str, Any]:
        org = self.p.org.slug
        for module in modules():
            found = module.kwargs(self, name)
            if found is not None:
                return {"org": org, **found}
        person = self.p.party.pk
        table: dict[str, dict[str, Any]] = {
            "people:person_detail": {"pk": person},
            "people:person_confidential": {"pk": person},
            "people:person_break_glass": {"pk": person},
            "people:person_edit": {"pk": person},
            "people:membership_change": {"pk": person},
            "people:person_invite": {"pk": person},
            "people:role_assign": {"pk": person},
            "people:role_end": {"pk": person, "role_pk": self.role.pk},
            "people:qualification_add": {"pk": person},
            "people:qualification_edit": {"pk": person, "q_pk": self.qualification.pk},
            "people:qualification_remove": {"pk": person, "q_pk": self.qualification.pk},
            "policies:policy_rule": {"rule_id": "ASH-8"},
            "obligations:obligation_detail": {"pk": self.obligation.pk},
        }
        if name.startswith("agreements:") and name not in {
            "agreements:agreement_list",
            "agreements:agreement_create",
        }:
            table[name] = {"pk": self.agreement.pk}
        if name.startswith("meetings:") and name not in {
            "meetings:meeting_list",
            "meetings:meeting_create",
            "meetings:calendar_settings",
            "meetings:calendar_feed",
        }:
            table[name] = {"pk": self.meeting.pk}
        table["meetings:calendar_feed"] = {"token": self.feed_token}
        table["notifications:detail"] = table["notifications:read"] = {"pk": self.message.pk}
        table["notifications:letter_print"] = table["notifications:letter_posted"] = {
            "pk": self.letter.pk
        }
        kwargs = table.get(name, {})
        return {"org": org, **kwargs}


def make_world() -> World:
    p = make_personas()
    policy_adopt(actor=None, organisation=p.org, policy="ASH")
    role = RoleAssignmentFactory(person=p.party, role=Role.STAFF_MEMBER)
    qualification = QualificationFactory(person=p.party)
    obligation = obligation_schedule(
        organisation=p.org,
        rule_id="ASH-1",
        param="within",
        subject=("casework.case", 1),
        title="Hold the initial conversation",
        trigger_event="the request",
        trigger_at=timezone.localdate(),
        assignees=[p.supporter],
        oversight_role=Role.SW_MEMBER,
    )
    # A shared agreement the party must sign and the supporter helps run (ASH-5).
    agreement = agreement_create(
        actor=p.admin.user,
        organisation=p.org,
        kind="shared_agreement",
        title="Kitchen rota",
        sections={"agreements": "We take turns to clean the shared kitchen."},
        parties=[(p.party, PartyRole.PARTY), (p.supporter, PartyRole.SUPPORTER)],
    )
    # A meeting the supporter facilitates and the party attends, at a confidential place.
    meeting = meeting_schedule(
        actor=p.admin.user,
        organisation=p.org,
        kind="group_meeting",
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration=dt.timedelta(hours=1),
        facilitators=[p.supporter],
        attendees=[p.party],
        title="Group Meeting",
        place="The common room",
        place_confidential=True,
    )
    _, feed_token = calendar_feed_create(actor=p.party.user, organisation=p.org)
    # An in-app message for the party, and a letter for someone who uses only the post.
    offline = PersonFactory(
        organisation=p.org, contact_channels=["post"], postal_address="1 High St"
    )
    notify(
        organisation=p.org,
        recipients=[p.party, offline],
        kind="test",
        dedupe_key="world:1",
        subject="Your Group Meeting",
        body="It is on Thursday.",
    )
    outbox_deliver()
    world = World(
        p=p,
        role=role,
        qualification=qualification,
        obligation=obligation,
        agreement=agreement,
        meeting=meeting,
        feed_token=feed_token,
        message=Notification.objects.get(
            recipient=p.party, channel=Channel.IN_APP, dedupe_key="world:1"
        ),
        letter=Notification.objects.get(
            recipient=offline, channel=Channel.LETTER, dedupe_key="world:1"
        ),
    )
    for module in modules():
        module.extend_world(world)
    return world
