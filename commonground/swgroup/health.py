"""ASH-18: the S&W group's composition, measured against the numbers in force.

The group is everyone holding a current S&W member role. Gender is encrypted at rest, so women
are counted here, in Python, never by a database filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from commonground.people.models import Gender, Organisation, Person, RoleAssignment
from commonground.people.roles import Role
from commonground.policies.registry import Rule, rule
from commonground.policies.selectors import OrganisationPolicy, organisation_policy
from commonground.policies.values import Share

RULE_ID = "ASH-18"

People = Person | Iterable[Person] | None


def _ids(people: People) -> set[int]:
    if people is None:
        return set()
    if isinstance(people, Person):
        return {people.pk}
    return {p.pk for p in people}


def _as_list(people: People) -> list[Person]:
    if people is None:
        return []
    if isinstance(people, Person):
        return [people]
    return list(people)


def sw_member_ids(organisation: Organisation, on: dt.date | None = None) -> set[int]:
    """Person ids holding a current S&W member role on `on` (today if not given)."""
    return set(
        RoleAssignment.objects.current(on)
        .filter(organisation=organisation, role=Role.SW_MEMBER)
        .values_list("person_id", flat=True)
    )


def sw_members(organisation: Organisation, on: dt.date | None = None) -> list[Person]:
    return list(
        Person.objects.filter(
            organisation=organisation,
            pk__in=RoleAssignment.objects.current(on)
            .filter(organisation=organisation, role=Role.SW_MEMBER)
            .values("person_id"),
        ).order_by("full_name", "pk")
    )


@dataclass(frozen=True)
class GroupHealth:
    on: dt.date
    members: list[Person]
    women: int
    minimum: int
    target: int
    women_share: Share
    rule: Rule
    changed_here: tuple[str, ...] = field(default=())

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def enough_members(self) -> bool:
        return self.count >= self.minimum

    @property
    def enough_women(self) -> bool:
        return self.women_share.met_by(self.women, self.count)

    @property
    def healthy(self) -> bool:
        return self.enough_members and self.enough_women

    @property
    def women_needed(self) -> int:
        """The fewest women the group of this size needs to meet the share."""
        exact = self.women_share.percent * self.count / Decimal(100)
        return int(exact.to_integral_value(rounding=ROUND_CEILING))

    @property
    def women_percent(self) -> int:
        return round(100 * self.women / self.count) if self.count else 0

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.enough_members:
            found.append(
                f"The group has {self.count} member{'' if self.count == 1 else 's'}; "
                f"it needs at least {self.minimum}."
            )
        if not self.enough_women:
            found.append(
                f"{self.women} of {self.count} members are women ({self.women_percent}%); "
                f"at least {self.women_share} are needed, so at least {self.women_needed} women."
            )
        return found

    @property
    def target_note(self) -> str:
        # "Around" the target: a guide, not a limit, so it never counts as a problem.
        gap = self.count - self.target
        if gap == 0:
            return f"The group is at its target size of around {self.target}."
        if gap < 0:
            return f"{-gap} fewer than the target of around {self.target}."
        return f"{gap} more than the target of around {self.target}."


def sw_group_health(
    organisation: Organisation,
    *,
    without: People = None,
    adding: People = None,
    on: dt.date | None = None,
    in_force: OrganisationPolicy | None = None,
) -> GroupHealth:
    """The group's health on `on`, or what it WOULD be without some people or with others added."""
    day = on or timezone.localdate()
    policy = in_force or organisation_policy(organisation)
    leaving = _ids(without)
    members = [p for p in sw_members(organisation, day) if p.pk not in leaving]
    present = {p.pk for p in members}
    for person in _as_list(adding):
        if person.pk not in present and person.pk not in leaving:
            members.append(person)
            present.add(person.pk)
    members.sort(key=lambda p: (p.full_name, p.pk))
    women = sum(1 for p in members if p.gender == Gender.WOMAN)
    params = ("minimum_members", "target_members", "women_share_at_least")
    changed = tuple(
        name
        for name in params
        if (o := policy.override(RULE_ID, name)) is not None and o.value is not None
    )
    return GroupHealth(
        on=day,
        members=members,
        women=women,
        minimum=policy.value(RULE_ID, "minimum_members").value,
        target=policy.value(RULE_ID, "target_members").value,
        women_share=policy.value(RULE_ID, "women_share_at_least"),
        rule=rule(RULE_ID),
        changed_here=changed,
    )
