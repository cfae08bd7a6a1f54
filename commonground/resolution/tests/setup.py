"""A case ready for a Community Resolution Meeting, for the resolution tests and the access rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from commonground.agreements.kinds import Kind, PartyRole
from commonground.agreements.models import Agreement
from commonground.agreements.services import (
    agreement_create,
    agreement_record_breach,
    agreement_sign,
)
from commonground.casework.models import Case, CaseParty, CaseSupporter
from commonground.people.models import Organisation, Person
from commonground.people.roles import Role
from commonground.policies.services import policy_adopt
from commonground.testing.factories import person_with_login


@dataclass
class CaseWorld:
    org: Organisation
    case: Case
    party: Person
    other_party: Person
    supporter: Person
    admin: Person
    sw_member: Person
    unrelated: Person
    parties: list[CaseParty]


def case_with_parties(
    org: Organisation,
    *,
    party: Person,
    other_party: Person,
    supporter: Person,
    reference: str = "C-1",
) -> tuple[Case, list[CaseParty]]:
    case = Case.objects.create(organisation=org, reference=reference, title="Noise between flats")
    parties = [
        CaseParty.objects.create(case=case, person=party, alias="Member A"),
        CaseParty.objects.create(case=case, person=other_party, alias="Member B"),
    ]
    CaseSupporter.objects.create(
        case=case,
        person=supporter,
        role=CaseSupporter.Role.FACILITATOR,
        starts_on=timezone.localdate() - dt.timedelta(days=60),
    )
    return case, parties


def break_an_agreement(case: Case, admin: Any, parties: list[Person]) -> Agreement:
    """A Shared Agreement on the case, signed by everyone, then broken."""
    agreement = agreement_create(
        actor=admin,
        organisation=case.organisation,
        kind=Kind.SHARED_AGREEMENT,
        title="Quiet hours",
        sections={"agreements": "Quiet after 11pm."},
        subject=case,
        parties=[(p, PartyRole.PARTY) for p in parties],
    )
    version = agreement.current_version
    for party in agreement.parties.all():
        agreement_sign(actor=party.person.user, party=party, version=version)
    agreement.refresh_from_db()
    agreement_record_breach(
        actor=admin,
        agreement=agreement,
        description="Loud music every night.",
        occurred_on=timezone.localdate(),
    )
    agreement.refresh_from_db()
    return agreement


def make_case_world(org: Organisation, admin: Person) -> CaseWorld:
    policy_adopt(actor=None, organisation=org, policy="ASH")
    party = person_with_login(org, full_name="Jo Marsh", preferred_name="Jojo")
    other = person_with_login(org, full_name="Robin Kaye-Adeyemi")
    supporter = person_with_login(org, Role.SW_MEMBER, full_name="Sam Support")
    sw_member = person_with_login(org, Role.SW_MEMBER, full_name="Wren Wellbeing")
    unrelated = person_with_login(org, full_name="Uma Else")
    case, parties = case_with_parties(org, party=party, other_party=other, supporter=supporter)
    return CaseWorld(
        org=org,
        case=case,
        party=party,
        other_party=other,
        supporter=supporter,
        admin=admin,
        sw_member=sw_member,
        unrelated=unrelated,
        parties=parties,
    )
