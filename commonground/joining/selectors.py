"""Reading the way in: where each peer is, step by step, derived from the records.

Nothing here stores a stage: PSP-1 is read from attendance at held workshops, PSP-2 from the
open attempt's outcome, PSP-3 from its declaration, check and conflicts, and membership from
the attempt closed by joining. `way_in` reads every journey of an organisation in a fixed number
of queries, whatever their number.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from commonground.groups.models import GroupMember, SupportGroup
from commonground.joining.models import (
    WORKSHOP_SUBJECT,
    GroupAttempt,
    NameCheckConflict,
    PeerJourney,
)
from commonground.meetings.kinds import MeetingKind
from commonground.meetings.models import Meeting, Participant
from commonground.people.models import Organisation, Person
from commonground.policies.registry import Rule, rule
from commonground.policies.selectors import OrganisationPolicy

WAY_IN_RULES = ("PSP-1", "PSP-2", "PSP-3")


class Stage:
    ENQUIRED = "enquired"
    WORKSHOP = "workshop"
    CONVERSATION = "conversation"
    NOT_NOW = "not_now"
    NAME_CHECKED = "name_checked"
    MEMBER = "member"


STAGE_LABELS = {
    Stage.ENQUIRED: "Enquired",
    Stage.WORKSHOP: "Attended the workshop",
    Stage.CONVERSATION: "Initial conversation: join",
    Stage.NOT_NOW: "Not now",
    Stage.NAME_CHECKED: "Name-check done",
    Stage.MEMBER: "Member of a group",
}
STAGE_ORDER = list(STAGE_LABELS)


@dataclass(frozen=True)
class Missing:
    """One step missing before joining a group: the form field, the rule and what to do."""

    field: str
    rule_id: str
    message: str


@dataclass
class Progress:
    """Where one journey is, read from its records."""

    journey: PeerJourney
    in_force: OrganisationPolicy
    workshop_on: dt.date | None = None
    workshop_invited: Meeting | None = None
    attempts: list[GroupAttempt] = field(default_factory=list)

    @property
    def person(self) -> Person:
        return self.journey.person

    def applies(self, rule_id: str) -> bool:
        return self.in_force.adopts(rule_id)

    @property
    def open_attempts(self) -> list[GroupAttempt]:
        return [a for a in self.attempts if a.is_open]

    @property
    def attempt(self) -> GroupAttempt | None:
        """The attempt the journey is about now: the latest open one, else the latest."""
        open_ = self.open_attempts
        if open_:
            return open_[-1]
        return self.attempts[-1] if self.attempts else None

    @property
    def joined(self) -> list[GroupAttempt]:
        return [a for a in self.attempts if a.closed_reason == GroupAttempt.Closed.JOINED]

    def workshop_done(self) -> bool:
        return not self.applies("PSP-1") or self.workshop_on is not None

    @property
    def stage(self) -> str:
        attempt = self.attempt
        if attempt is not None and not attempt.is_open:
            if attempt.closed_reason == GroupAttempt.Closed.JOINED:
                return Stage.MEMBER
            return Stage.NOT_NOW
        if attempt is not None and not missing_steps(self, attempt.group, attempt):
            return Stage.NAME_CHECKED
        if attempt is not None and attempt.outcome == GroupAttempt.Outcome.JOIN:
            return Stage.CONVERSATION
        if self.workshop_on is not None:
            return Stage.WORKSHOP
        return Stage.ENQUIRED

    @property
    def stage_label(self) -> str:
        if self.stage == Stage.MEMBER and self.attempt is not None:
            return f"Member of {self.attempt.group.name}"
        return STAGE_LABELS[self.stage]

    @property
    def next_step(self) -> str:
        """What comes next, in a sentence for the facilitators."""
        attempt = self.attempt
        stage = self.stage
        if stage == Stage.MEMBER:
            return "Nothing: they have joined."
        if stage == Stage.NOT_NOW:
            return "Nothing for now; they may come back to it when they are ready."
        if not self.workshop_done():
            if self.workshop_invited is not None:
                return (
                    "Attend the Introduction to Group Work workshop on "
                    f"{timezone.localtime(self.workshop_invited.starts_at):%-d %B %Y}."
                )
            return "Invite them to an Introduction to Group Work workshop."
        if attempt is None:
            return "Arrange an initial conversation with a group's facilitators."
        missing = missing_steps(self, attempt.group, attempt)
        if not missing:
            return f"Join {attempt.group.name}."
        first = missing[0]
        if first.rule_id == "PSP-2" and attempt.conversation is not None and not attempt.outcome:
            when = timezone.localtime(attempt.conversation.starts_at)
            return f"Initial conversation with {attempt.group.name} on {when:%-d %B %Y}."
        if first.rule_id == "PSP-3" and attempt.declared_on is None:
            return f"They tell the facilitators of {attempt.group.name} who they know."
        if first.rule_id == "PSP-3":
            return f"The facilitators of {attempt.group.name} finish the name-check."
        return first.message


def missing_steps(
    progress: Progress, group: SupportGroup, attempt: GroupAttempt | None
) -> list[Missing]:
    """Every step (of the rules adopted) missing before `progress`'s peer joins `group`."""
    name = progress.person.display_name
    missing: list[Missing] = []
    if progress.applies("PSP-1") and progress.workshop_on is None:
        missing.append(
            Missing(
                "workshop",
                "PSP-1",
                f"PSP-1: {name} has not yet attended the Introduction to Group Work workshop.",
            )
        )
    if progress.applies("PSP-2") and (
        attempt is None or attempt.outcome != GroupAttempt.Outcome.JOIN
    ):
        missing.append(
            Missing(
                "initial_conversation",
                "PSP-2",
                f"PSP-2: {name} has not yet had an initial conversation with the facilitators "
                f"of {group.name} that ended in “join”.",
            )
        )
    if progress.applies("PSP-3"):
        if attempt is None or attempt.declared_on is None:
            missing.append(
                Missing(
                    "name_check",
                    "PSP-3",
                    f"PSP-3: {name} has not yet told the facilitators of {group.name} about "
                    "the people they have, or had, a relationship with (the name-check).",
                )
            )
        elif attempt.checked_on is None:
            missing.append(
                Missing(
                    "name_check",
                    "PSP-3",
                    f"PSP-3: the facilitators of {group.name} have not yet checked {name}'s "
                    "declaration against the group's members.",
                )
            )
        elif any(c.waiting for c in attempt.conflicts.all()):
            missing.append(
                Missing(
                    "name_check",
                    "PSP-3",
                    f"PSP-3: {name} has a relationship with a member of {group.name}, who has "
                    "not yet agreed to them joining.",
                )
            )
    return missing


def journey_steps(progress: Progress, *, own_view: bool) -> list[dict[str, Any]]:
    """Each step with its date, for the journey page. The peer's own view says nothing about the
    name-check but "the facilitators will be in touch"."""
    journey = progress.journey
    attempt = progress.attempt
    steps: list[dict[str, Any]] = [
        {"key": "enquiry", "label": "Enquired", "rule": "", "done_on": journey.enquired_on}
    ]
    workshop_text = ""
    if progress.workshop_on is None and progress.workshop_invited is not None:
        local = timezone.localtime(progress.workshop_invited.starts_at)
        workshop_text = f"Invited to the workshop on {local:%-d %B %Y at %H:%M}."
    steps.append(
        {
            "key": "workshop",
            "label": "Introduction to Group Work workshop",
            "rule": "PSP-1",
            "done_on": progress.workshop_on,
            "text": workshop_text,
        }
    )
    conversation_text = ""
    if attempt is not None and attempt.conversation is not None and not attempt.outcome:
        local = timezone.localtime(attempt.conversation.starts_at)
        conversation_text = (
            f"Arranged with the facilitators of {attempt.group.name} for "
            f"{local:%-d %B %Y at %H:%M} ({attempt.get_mode_display().lower()})."
        )
    elif attempt is not None and attempt.outcome:
        conversation_text = f"{attempt.group.name}: {attempt.get_outcome_display().lower()}."
    steps.append(
        {
            "key": "initial_conversation",
            "label": "Initial conversation with a group's facilitators",
            "rule": "PSP-2",
            "done_on": attempt.outcome_on
            if attempt is not None and attempt.outcome == GroupAttempt.Outcome.JOIN
            else None,
            "text": conversation_text,
        }
    )
    check_done = (
        attempt is not None
        and attempt.checked_on is not None
        and not any(c.waiting for c in attempt.conflicts.all())
    )
    if own_view:
        check_text = (
            "You told the facilitators whom you know. The facilitators will be in touch."
            if attempt is not None and attempt.declared_on is not None and not check_done
            else ""
        )
    elif attempt is None:
        check_text = ""
    elif attempt.declared_on is None:
        check_text = "Not yet declared."
    else:
        waiting = sum(1 for c in attempt.conflicts.all() if c.waiting)
        check_text = f"Declared on {attempt.declared_on:%-d %B %Y}. " + (
            f"{waiting} relationship{'s' if waiting != 1 else ''} waiting on a member's agreement."
            if waiting
            else ("Checked." if attempt.checked_on else "Not yet checked.")
        )
    steps.append(
        {
            "key": "name_check",
            "label": "Name-check for the group",
            "rule": "PSP-3",
            "done_on": attempt.checked_on if check_done and attempt is not None else None,
            "text": check_text,
        }
    )
    joined = progress.joined
    steps.append(
        {
            "key": "member",
            "label": "Member of the group",
            "rule": "",
            "done_on": joined[-1].closed_on if joined else None,
            "text": f"Joined {joined[-1].group.name}." if joined else "",
        }
    )
    for step in steps:
        step["applies"] = not step["rule"] or progress.applies(step["rule"])
    return steps


# Reading journeys -----------------------------------------------------------------------------


def _attempts_prefetch() -> Prefetch:
    return Prefetch(
        "attempts",
        queryset=GroupAttempt.objects.select_related("group", "conversation").prefetch_related(
            "conflicts"
        ),
    )


def journeys(organisation: Organisation) -> QuerySet[PeerJourney]:
    return (
        PeerJourney.objects.filter(organisation=organisation)
        .select_related("person", "organisation")
        .prefetch_related(_attempts_prefetch())
    )


def progress_for(rows: Iterable[PeerJourney], in_force: OrganisationPolicy) -> list[Progress]:
    """Each journey's progress, with workshop attendance read in two queries for all of them."""
    rows = list(rows)
    if not rows:
        return []
    person_ids = [j.person_id for j in rows]
    org_id = rows[0].organisation_id
    attended: dict[int, dt.date] = {}
    for person_id, starts_at in (
        workshop_participations(org_id)
        .filter(
            person_id__in=person_ids,
            status=Participant.Status.ATTENDED,
            meeting__status=Meeting.Status.HELD,
        )
        .order_by("meeting__starts_at")
        .values_list("person_id", "meeting__starts_at")
    ):
        attended.setdefault(person_id, timezone.localtime(starts_at).date())
    invited: dict[int, Meeting] = {}
    for participant in (
        workshop_participations(org_id)
        .filter(
            person_id__in=person_ids,
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gte=timezone.now() - dt.timedelta(days=1),
        )
        .exclude(status__in=Participant.NOT_THERE)
        .select_related("meeting")
        .order_by("meeting__starts_at")
    ):
        invited.setdefault(participant.person_id, participant.meeting)
    return [
        Progress(
            journey=j,
            in_force=in_force,
            workshop_on=attended.get(j.person_id),
            workshop_invited=invited.get(j.person_id),
            attempts=list(j.attempts.all()),
        )
        for j in rows
    ]


def workshop_participations(organisation_id: int) -> QuerySet[Participant]:
    return Participant.objects.filter(
        role=Participant.Role.ATTENDEE,
        meeting__organisation_id=organisation_id,
        meeting__kind=MeetingKind.WORKSHOP,
        meeting__subject_type=WORKSHOP_SUBJECT,
        meeting__subject_id=str(organisation_id),
    )


def way_in(
    *, actor: Any, organisation: Organisation, in_force: OrganisationPolicy
) -> list[Progress]:
    """Everyone on the way in, by stage then enquiry date (for facilitators and the admin)."""
    if not actor.has_perm("joining.view_way_in", organisation):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            "Only facilitators and the admin see everyone on the way into groups."
        )
    rows = progress_for(journeys(organisation), in_force)
    return sorted(rows, key=lambda p: (STAGE_ORDER.index(p.stage), p.journey.enquired_on))


def journey_get(*, actor: Any, organisation: Organisation, pk: int) -> PeerJourney:
    """The journey, if `actor` may see it; otherwise 404, exactly as a missing one."""
    journey = journeys(organisation).filter(pk=pk).first()
    if journey is None or not actor.has_perm("joining.view_journey", journey):
        raise Http404("No such journey.")
    return journey


def own_journey(*, actor: Any, organisation: Organisation) -> PeerJourney | None:
    from commonground.access.policy import standing

    mine = standing(actor, organisation).person
    if mine is None:
        return None
    return journeys(organisation).filter(person=mine).first()


def progress_get(journey: PeerJourney, in_force: OrganisationPolicy) -> Progress:
    return progress_for([journey], in_force)[0]


def attempt_get(*, actor: Any, organisation: Organisation, pk: int) -> GroupAttempt:
    attempt = (
        GroupAttempt.objects.filter(journey__organisation=organisation, pk=pk)
        .select_related("journey__person", "journey__organisation", "group", "conversation")
        .prefetch_related("conflicts__member")
        .first()
    )
    if attempt is None or not actor.has_perm("joining.view_journey", attempt.journey):
        raise Http404("No such way into a group.")
    return attempt


def conflict_get(*, actor: Any, organisation: Organisation, pk: int) -> NameCheckConflict:
    conflict = (
        NameCheckConflict.objects.filter(attempt__journey__organisation=organisation, pk=pk)
        .select_related("attempt__journey__person", "attempt__group", "member")
        .first()
    )
    if conflict is None or not actor.has_perm("groups.view_members", conflict.attempt.group):
        raise Http404("No such name-check record.")
    return conflict


def workshops(organisation: Organisation) -> QuerySet[Meeting]:
    """The organisation's Introduction to Group Work workshops (PSP-1), soonest last."""
    return (
        Meeting.objects.filter(
            organisation=organisation,
            kind=MeetingKind.WORKSHOP,
            subject_type=WORKSHOP_SUBJECT,
            subject_id=str(organisation.pk),
        )
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("person"))
        )
        .order_by("-starts_at", "-pk")
    )


def upcoming_workshops(organisation: Organisation) -> QuerySet[Meeting]:
    return (
        workshops(organisation)
        .filter(status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at", "pk")
    )


def why(in_force: OrganisationPolicy, rule_id: str) -> dict[str, Any]:
    """A rule's "why": its summary, its clause, and whether the organisation adopts it."""
    found: Rule = rule(rule_id)
    numbers = []
    if in_force.adopts(rule_id):
        for name in found.params:
            override = in_force.override(rule_id, name)
            numbers.append(
                {
                    "name": name.replace("_", " "),
                    "value": in_force.value(rule_id, name),
                    "changed": override is not None and override.value is not None,
                }
            )
    return {"rule": found, "numbers": numbers, "adopted": in_force.adopts(rule_id)}


# PSP-3: matching declared names against the group's members -----------------------------------

_SPLIT = re.compile(r"[\n,;]+")
_NOT_WORD = re.compile(r"[^\w\s]")


def normalise(name: str) -> str:
    """Case- and accent-insensitive: "Zoë O'Brien" and "zoe obrien" read the same."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub("", plain).casefold().split())


def declared_list(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


@dataclass(frozen=True)
class Match:
    declared: str
    member: Person


def name_matches(declared: str, members: Iterable[GroupMember]) -> list[Match]:
    """Each declared name that could be a current member: every word of the declared name is in
    the member's full or preferred name (so "Jo Bloggs" finds Joanne Bloggs who goes by Jo)."""
    found: list[Match] = []
    rows = list(members)
    for text in declared_list(declared):
        words = set(normalise(text).split())
        if not words:
            continue
        for member in rows:
            person = member.person
            theirs = set(normalise(person.full_name).split()) | set(
                normalise(person.preferred_name).split()
            )
            if words <= theirs:
                found.append(Match(declared=text, member=person))
    return found
