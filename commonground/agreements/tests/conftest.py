from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from commonground.agreements import services
from commonground.agreements.kinds import Kind, PartyRole
from commonground.agreements.models import Agreement
from commonground.people.models import Person
from commonground.policies.services import policy_adopt
from commonground.testing.factories import person_with_login
from commonground.testing.personas import Personas

TODAY = timezone.localdate


@dataclass
class World:
    personas: Personas
    second: Person
    agreement: Agreement

    @property
    def admin(self):  # type: ignore[no-untyped-def]
        return self.personas.admin.user


SHARED_TERMS = {
    "agreements": "We keep the shared kitchen tidy by 10pm.",
    "needs": "Quiet after 11.",
}


@pytest.fixture
def adopted(personas: Personas) -> Personas:
    for code in ("ASH", "WCC", "BUD", "PSP"):
        policy_adopt(actor=None, organisation=personas.org, policy=code)
    return personas


@pytest.fixture
def second(adopted: Personas) -> Person:
    return person_with_login(adopted.org, email="second@example.test", full_name="Chris Second")


@pytest.fixture
def world(adopted: Personas, second: Person) -> World:
    """A Shared Agreement between Pat and Chris, supported by Sam (who does not sign)."""
    agreement = services.agreement_create(
        actor=adopted.admin.user,
        organisation=adopted.org,
        kind=Kind.SHARED_AGREEMENT,
        title="Kitchen agreement",
        sections=SHARED_TERMS,
        subject=("casework.case", 7),
        parties=[
            (adopted.party, PartyRole.PARTY),
            (second, PartyRole.PARTY),
            (adopted.supporter, PartyRole.SUPPORTER),
        ],
    )
    return World(adopted, second, agreement)


def sign_all(agreement: Agreement) -> None:
    agreement.refresh_from_db()
    version = agreement.current_version
    assert version is not None
    for party in agreement.parties.filter(must_sign=True).select_related("person__user"):
        if not version.signatures.filter(party=party).exists():
            services.agreement_sign(actor=party.person.user, party=party, version=version)
    agreement.refresh_from_db()


def days(n: int) -> dt.date:
    return TODAY() + dt.timedelta(days=n)
