from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import time_machine

from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting
from commonground.meetings.services import meeting_schedule
from commonground.people.models import Person, QualificationKind
from commonground.people.roles import Role
from commonground.policies.values import LONDON
from commonground.testing.factories import QualificationFactory, person_with_login
from commonground.testing.personas import Personas

# Monday 30 June 2025, 09:00 in London (British Summer Time).
NOW = dt.datetime(2025, 6, 30, 9, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def co(personas: Personas) -> Person:
    """A second facilitator beside the personas' supporter."""
    return person_with_login(
        personas.org, Role.FACILITATOR, email="co@example.test", full_name="Cam Cofacilitator"
    )


def qualify(person: Person, *kinds: str, expires_on: dt.date | None = None) -> None:
    for kind in kinds:
        QualificationFactory(
            person=person,
            kind=kind,
            obtained_on=dt.date(2024, 1, 1),
            expires_on=expires_on,
        )


TRAINED = QualificationKind.TEAM_MEMBER_TRAINING
DBS = QualificationKind.DBS_CHECK
FACILITATOR = QualificationKind.FACILITATOR_TRAINING


def at(day: int, hour: int = 10, month: int = 7, year: int = 2025) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=LONDON)


def schedule(
    personas: Personas,
    *,
    facilitators: Sequence[Person],
    kind: str = MeetingKind.WEEKLY_SESSION,
    attendees: Sequence[Person] | None = None,
    starts_at: dt.datetime | None = None,
    **extra: Any,
) -> Meeting:
    return meeting_schedule(
        actor=personas.admin.user,
        organisation=personas.org,
        kind=kind,
        title=extra.pop("title", "Tuesday group"),
        starts_at=starts_at or at(1),
        duration=dt.timedelta(minutes=90),
        facilitators=facilitators,
        attendees=[personas.party] if attendees is None else attendees,
        **extra,
    )


@pytest.fixture
def meeting(personas: Personas, co: Person) -> Meeting:
    """A weekly session on Tuesday 1 July 2025 at 10:00 (BST) in an organisation that adopts
    no staffing rule: supporter leads, co co-facilitates, party attends."""
    return schedule(
        personas, facilitators=[personas.supporter, co], place="Room 2, Community Centre"
    )
