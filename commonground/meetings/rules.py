"""Who may see and do what with meetings (autodiscovered by `rules`).

Facilitators and the organisation's admin manage a meeting; attendees see it (time, place
unless it is confidential to them, their own status) and read its notes only where the kind
says so (the staff member's copy of 1:1 notes, WCC-8). Anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

import rules

from commonground.access.policy import standing_for
from commonground.access.rules import is_org_admin, sees_directory
from commonground.meetings.kinds import kind_spec


def participation(person: Any, meeting: Any) -> Any:
    """The person's Participant row at the meeting, or None (uses a prefetch if there is one)."""
    if person is None or meeting is None or person.organisation_id != meeting.organisation_id:
        return None
    for participant in meeting.participants.all():
        if participant.person_id == person.pk:
            return participant
    return None


def _own(user: Any, meeting: Any) -> Any:
    return participation(standing_for(user, meeting).person, meeting)


@rules.predicate
def is_participant(user: Any, meeting: Any) -> bool:
    return _own(user, meeting) is not None


@rules.predicate
def is_facilitator(user: Any, meeting: Any) -> bool:
    own = _own(user, meeting)
    return own is not None and own.is_facilitator


@rules.predicate
def is_attendee(user: Any, meeting: Any) -> bool:
    own = _own(user, meeting)
    return own is not None and not own.is_facilitator


@rules.predicate
def kind_shares_notes_with_attendees(user: Any, meeting: Any) -> bool:
    return kind_spec(meeting.kind).attendees_see_notes


@rules.predicate
def place_is_open(user: Any, meeting: Any) -> bool:
    return not meeting.place_confidential


# Scheduling: those who coordinate people's work (facilitators, S&W members, line managers...).
rules.add_perm("meetings.add_meeting", is_org_admin | sees_directory)
rules.add_perm("meetings.view_meeting", is_participant | is_org_admin)
rules.add_perm("meetings.manage_meeting", is_facilitator | is_org_admin)
# A confidential place (someone's home) is for those taking part only, not even the admin.
rules.add_perm("meetings.view_place", place_is_open | is_participant)
rules.add_perm(
    "meetings.view_notes",
    is_facilitator | is_org_admin | (is_attendee & kind_shares_notes_with_attendees),
)
rules.add_perm("meetings.send_apologies", is_participant)
