"""The standing personas every access test uses.

For any record in organisation `org`:
- party: the person the record is about (here, a plain member with a login);
- supporter: someone who works with people and so has need to know (a facilitator);
- admin: the organisation's admin;
- unrelated: another plain member of the same organisation, with no need to know;
- other_org: the admin of a different organisation on the same installation.
"""

from __future__ import annotations

from dataclasses import dataclass

from commonground.people.models import Organisation, Person
from commonground.people.roles import Role
from commonground.testing.factories import OrganisationFactory, person_with_login


@dataclass
class Personas:
    org: Organisation
    other: Organisation
    party: Person
    supporter: Person
    admin: Person
    unrelated: Person
    other_org: Person

    def all(self) -> dict[str, Person]:
        return {
            "party": self.party,
            "supporter": self.supporter,
            "admin": self.admin,
            "unrelated": self.unrelated,
            "other_org": self.other_org,
        }


def make_personas() -> Personas:
    org = OrganisationFactory(name="Riverside Housing Co-op", slug="riverside")
    other = OrganisationFactory(name="Hilltop Peer Support", slug="hilltop")
    return Personas(
        org=org,
        other=other,
        party=person_with_login(
            org,
            email="party@example.test",
            full_name="Pat Party",
            gender="woman",
            support_needs="Uses a wheelchair; asthma.",
        ),
        supporter=person_with_login(
            org, Role.FACILITATOR, email="supporter@example.test", full_name="Sam Supporter"
        ),
        admin=person_with_login(
            org, Role.ORG_ADMIN, email="admin@example.test", full_name="Alex Admin"
        ),
        unrelated=person_with_login(org, email="unrelated@example.test", full_name="Uma Unrelated"),
        other_org=person_with_login(
            other, Role.ORG_ADMIN, email="other@example.test", full_name="Olu Other"
        ),
    )
