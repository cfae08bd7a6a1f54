"""The kinds of meeting the modules hold, and what each kind's notes template looks like.

A kind says which sections its notes have, and whether those who attend (not only those who
facilitate) may read the notes. Staffing rules are chosen by kind in `staffing.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class MeetingKind(models.TextChoices):
    INITIAL_CONVERSATION = "initial_conversation", "Initial conversation"
    INDIVIDUAL_CONVERSATION = "individual_conversation", "Individual conversation"
    GROUP_MEETING = "group_meeting", "Group meeting"
    REVIEW_MEETING = "review_meeting", "Review meeting"
    COMMUNITY_RESOLUTION_MEETING = "community_resolution_meeting", "Community resolution meeting"
    SUPERVISION = "supervision", "1:1 supervision"
    WEEKLY_SESSION = "weekly_session", "Weekly group session"
    WORKSHOP = "workshop", "Workshop or course"
    BUDDY_MEETING = "buddy_meeting", "Buddy meeting"
    INDIVIDUAL_SUPPORT = "individual_support", "Individual support"
    OTHER = "other", "Other meeting"


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class KindSpec:
    sections: tuple[Section, ...]
    # Whether attendees may read the notes (the staff member's copy of 1:1 notes, WCC-8).
    attendees_see_notes: bool = False


GENERAL = (
    Section("summary", "What was discussed"),
    Section("agreements", "What was agreed"),
    Section("actions", "Actions: who does what, by when"),
)

# WCC-6: notes on the agreed template; WCC-7: disagreements initialled; WCC-11: what is passed on.
SUPERVISION_SECTIONS = (
    Section("line_management", "Line management"),
    Section("facilitation_and_support", "Facilitation and support"),
    Section("learning_and_development", "Learning and development"),
    Section("information_and_resources", "Information and resources"),
    Section("practical_issues", "Practical issues"),
    Section("shared_agreements", "Shared agreements"),
    Section(
        "information_to_pass_on",
        "Information to pass on",
        "To whom, whose responsibility, and how (WCC-11).",
    ),
    Section(
        "disagreements",
        "Disagreements",
        "Note any disagreement; the member of staff initials it (WCC-7).",
    ),
)

# PSP-6: the weekly session structure, in order. An organisation that adopts PSP-6 may list
# its own order (the rule's session_structure); these are the labels for the policy's steps.
PSP6_LABELS = {
    "welcome_and_housekeeping": "Welcome and housekeeping",
    "round_of_good_news": "Round of good news",
    "offers_to_take_time": "Offers to Take Time",
    "taking_time_1": "Taking Time / Checking-In 1",
    "taking_time_2": "Taking Time / Checking-In 2",
    "break": "Break",
    "further_offers": "Further offers to Take Time",
    "taking_time_3": "Taking Time / Checking-In 3",
    "taking_time_4": "Taking Time / Checking-In 4",
    "housekeeping_summary": "Summary of housekeeping actions",
    "round_taking_away": "Round of “something I am taking away”",
}
WEEKLY_SESSION_SECTIONS = tuple(
    Section(
        key,
        label,
        "Next meeting date, time and venue; who may Take Time next; promises (PSP-8)."
        if key == "housekeeping_summary"
        else "",
    )
    for key, label in PSP6_LABELS.items()
)

# PSP-9: what is said in the room stays in the room. The session's record is its housekeeping
# actions (PSP-8); who came, who took time and who passed are kept by the session page itself.
PSP9_SECTIONS = (
    Section(
        "housekeeping_summary",
        PSP6_LABELS["housekeeping_summary"],
        "Next meeting, guarantees to Take Time, promises (PSP-8). Nothing anyone shared is "
        "written here (PSP-9).",
    ),
)

KINDS: dict[str, KindSpec] = {
    MeetingKind.INITIAL_CONVERSATION: KindSpec(
        (
            Section("what_happened", "What the person described"),
            Section("what_they_want", "What they would like to happen"),
            Section("next_steps", "Next steps agreed"),
        )
    ),
    MeetingKind.INDIVIDUAL_CONVERSATION: KindSpec(
        (
            Section("their_view", "Their view of the situation"),
            Section("needs_and_requests", "Their needs and requests"),
            Section("next_steps", "Next steps agreed"),
        )
    ),
    MeetingKind.GROUP_MEETING: KindSpec(GENERAL),
    MeetingKind.REVIEW_MEETING: KindSpec(
        (
            Section("how_agreements_went", "How the agreements have held"),
            Section("changes", "Changes to the agreements"),
            Section("actions", "Actions: who does what, by when"),
        )
    ),
    MeetingKind.COMMUNITY_RESOLUTION_MEETING: KindSpec(
        (
            Section("agenda", "Agenda"),
            Section("discussion", "Discussion"),
            Section("decisions", "Decisions"),
            Section("action_plans", "Action Plans"),
        )
    ),
    MeetingKind.SUPERVISION: KindSpec(SUPERVISION_SECTIONS, attendees_see_notes=True),
    MeetingKind.WEEKLY_SESSION: KindSpec(WEEKLY_SESSION_SECTIONS),
    MeetingKind.WORKSHOP: KindSpec(
        (
            Section("content", "What the workshop covered"),
            Section("follow_up", "Follow-up"),
        )
    ),
    MeetingKind.BUDDY_MEETING: KindSpec(GENERAL, attendees_see_notes=True),
    MeetingKind.INDIVIDUAL_SUPPORT: KindSpec(
        (
            Section("support_given", "Support given"),
            Section("signposting", "Services signposted"),
            Section("follow_up", "Follow-up"),
        )
    ),
    MeetingKind.OTHER: KindSpec(GENERAL),
}


def kind_spec(kind: str) -> KindSpec:
    return KINDS.get(kind, KINDS[MeetingKind.OTHER])


def psp6_sections(structure: tuple[str, ...]) -> tuple[Section, ...]:
    """The weekly session template in the order the organisation's PSP-6 lists."""
    by_key = {s.key: s for s in WEEKLY_SESSION_SECTIONS}
    return tuple(
        by_key.get(key) or Section(key, key.replace("_", " ").capitalize()) for key in structure
    )
