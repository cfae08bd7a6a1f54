"""Staffing rules from the organisation's policy, checked on the meeting's own date.

Only rules the organisation adopts are applied, and every number comes from its policy in force:
- IMHP-1: a session has at least `facilitators_min` facilitators, at least `trained_min` of them
  with `trained_qualification` current; nobody runs a group alone;
- PSP-4: a group session, workshop or course has at least `facilitators_min` facilitators, each
  holding `facilitator_qualification`;
- IMHP-2: individual support is given only by facilitators with a current `trained_qualification`
  and `check_qualification` (DBS); fewer than `ideal_team_members` present is a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting, Participant
from commonground.people.models import PARTICIPATING_STATUSES, Person, Qualification
from commonground.policies.selectors import OrganisationPolicy
from commonground.policies.values import Count, QualificationRequirement

REFUSE = "refuse"
WARN = "warn"

# "Every session of every Support Group, Workshop or Course" (PSP-4); "all IMHP sessions" (IMHP-1).
SESSION_KINDS = frozenset(
    {MeetingKind.WEEKLY_SESSION, MeetingKind.WORKSHOP, MeetingKind.GROUP_MEETING}
)
INDIVIDUAL_SUPPORT_KINDS = frozenset({MeetingKind.INDIVIDUAL_SUPPORT})
STAFFING_RULES = ("IMHP-1", "PSP-4", "IMHP-2")


@dataclass(frozen=True)
class StaffingProblem:
    rule_id: str
    # What exactly fails ("facilitators_min", "qualification:12"): one alert per meeting and code.
    code: str
    message: str
    severity: str

    @property
    def refuses(self) -> bool:
        return self.severity == REFUSE


def applicable_rules(*, in_force: OrganisationPolicy, kind: str) -> list[str]:
    """The staffing rules the organisation adopts that apply to a meeting of `kind`."""
    return [
        rule_id
        for rule_id in STAFFING_RULES
        if in_force.adopts(rule_id)
        and kind in (INDIVIDUAL_SUPPORT_KINDS if rule_id == "IMHP-2" else SESSION_KINDS)
    ]


def _count(in_force: OrganisationPolicy, rule_id: str, param: str) -> int:
    value = in_force.value(rule_id, param)
    assert isinstance(value, Count)
    return value.value


def _qualification(in_force: OrganisationPolicy, rule_id: str, param: str) -> str:
    value = in_force.value(rule_id, param)
    assert isinstance(value, QualificationRequirement)
    return value.code


def _label(code: str) -> str:
    label = str(QualificationRequirement(code))
    # "Team member training" reads as "team member training"; "DBS check" keeps its capitals.
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _names(people: Iterable[Person]) -> str:
    names = [p.display_name for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _held(people: Sequence[Person], codes: set[str], on: dt.date) -> dict[int, set[str]]:
    """For each person, which of `codes` they hold on `on` (one query)."""
    held: dict[int, set[str]] = {p.pk: set() for p in people}
    if people and codes:
        rows = (
            Qualification.objects.current(on=on)
            .filter(person__in=[p.pk for p in people], kind__in=sorted(codes))
            .values_list("person_id", "kind")
        )
        for person_id, kind in rows:
            held[person_id].add(kind)
    return held


def staffing_check(
    *,
    in_force: OrganisationPolicy,
    kind: str,
    on: dt.date,
    facilitators: Sequence[Person],
) -> list[StaffingProblem]:
    """What is wrong with these facilitators for a meeting of `kind` on `on`, rule by rule.

    `facilitators` are those expected to be there; people not taking part in the organisation's
    work (on hiatus, membership removed) do not count."""
    counted = [p for p in facilitators if p.membership_status in PARTICIPATING_STATUSES]
    applies = applicable_rules(in_force=in_force, kind=kind)
    if not applies:
        return []
    codes: set[str] = set()
    if "IMHP-1" in applies:
        codes.add(_qualification(in_force, "IMHP-1", "trained_qualification"))
    if "PSP-4" in applies:
        codes.add(_qualification(in_force, "PSP-4", "facilitator_qualification"))
    if "IMHP-2" in applies:
        codes.add(_qualification(in_force, "IMHP-2", "trained_qualification"))
        codes.add(_qualification(in_force, "IMHP-2", "check_qualification"))
    held = _held(counted, codes, on)
    problems: list[StaffingProblem] = []
    day = f"{on.day} {on:%B %Y}"

    if "IMHP-1" in applies:
        # IMHP-1: at least two facilitators, at least one trained; nobody alone.
        minimum = _count(in_force, "IMHP-1", "facilitators_min")
        if len(counted) < minimum:
            problems.append(
                StaffingProblem(
                    "IMHP-1",
                    "facilitators_min",
                    f"Every session needs at least {minimum} facilitators so nobody runs it "
                    f"alone; {len(counted)} will be there.",
                    REFUSE,
                )
            )
        trained_code = _qualification(in_force, "IMHP-1", "trained_qualification")
        trained_min = _count(in_force, "IMHP-1", "trained_min")
        trained = [p for p in counted if trained_code in held[p.pk]]
        if len(trained) < trained_min:
            problems.append(
                StaffingProblem(
                    "IMHP-1",
                    "trained_min",
                    f"Every session needs at least {trained_min} facilitator(s) with "
                    f"{_label(trained_code)} current on {day}; {len(trained)} of them will be there.",
                    REFUSE,
                )
            )

    if "PSP-4" in applies:
        # PSP-4: co-facilitated by two appropriately trained facilitators.
        minimum = _count(in_force, "PSP-4", "facilitators_min")
        if len(counted) < minimum:
            problems.append(
                StaffingProblem(
                    "PSP-4",
                    "facilitators_min",
                    f"Every session, workshop or course is co-facilitated by at least {minimum} "
                    f"facilitators; {len(counted)} will be there.",
                    REFUSE,
                )
            )
        needed = _qualification(in_force, "PSP-4", "facilitator_qualification")
        for person in counted:
            if needed not in held[person.pk]:
                problems.append(
                    StaffingProblem(
                        "PSP-4",
                        f"qualification:{person.pk}",
                        f"{person.display_name} has no {_label(needed)} current on {day}.",
                        REFUSE,
                    )
                )

    if "IMHP-2" in applies:
        # IMHP-2: only by a trained, DBS-checked team member; ideally two present.
        trained_code = _qualification(in_force, "IMHP-2", "trained_qualification")
        check_code = _qualification(in_force, "IMHP-2", "check_qualification")
        if not counted:
            problems.append(
                StaffingProblem(
                    "IMHP-2",
                    "facilitators_min",
                    "Individual support needs a trained, checked team member to give it.",
                    REFUSE,
                )
            )
        for person in counted:
            missing = [c for c in (trained_code, check_code) if c not in held[person.pk]]
            if missing:
                problems.append(
                    StaffingProblem(
                        "IMHP-2",
                        f"qualification:{person.pk}",
                        f"{person.display_name} has no {' and no '.join(map(_label, missing))} "
                        f"current on {day}; individual support is given only by trained, "
                        "checked team members.",
                        REFUSE,
                    )
                )
        ideal = _count(in_force, "IMHP-2", "ideal_team_members")
        if counted and len(counted) < ideal:
            problems.append(
                StaffingProblem(
                    "IMHP-2",
                    "ideal_team_members",
                    f"Ideally {ideal} team members are present for individual support; "
                    f"{len(counted)} will be.",
                    WARN,
                )
            )
    return problems


def refusals(problems: Iterable[StaffingProblem]) -> list[StaffingProblem]:
    return [p for p in problems if p.refuses]


def warnings(problems: Iterable[StaffingProblem]) -> list[StaffingProblem]:
    return [p for p in problems if not p.refuses]


def raise_if_refused(problems: Iterable[StaffingProblem]) -> None:
    """A ValidationError on "facilitators" with each refusing rule's id as its code."""
    refused = refusals(problems)
    if refused:
        raise ValidationError(
            {
                "facilitators": [
                    ValidationError(f"{p.rule_id}: {p.message}", code=p.rule_id) for p in refused
                ]
            }
        )


def counted_facilitators(meeting: Meeting) -> list[Person]:
    """The meeting's facilitators who are still expected there (no apologies, not absent)."""
    return [
        p.person
        for p in meeting.participants.all()
        if p.is_facilitator and p.status not in Participant.NOT_THERE
    ]


def meeting_staffing(*, meeting: Meeting, in_force: OrganisationPolicy) -> list[StaffingProblem]:
    """The staffing check for a meeting as it stands now (participants prefetched or not)."""
    return staffing_check(
        in_force=in_force,
        kind=meeting.kind,
        on=meeting.local_day,
        facilitators=counted_facilitators(meeting),
    )
