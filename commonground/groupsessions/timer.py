"""The arithmetic of a round (PSP-7), kept pure so the page, the API and the phone's timer
(static/groupsessions/round-timer.js, which mirrors it line for line) agree.

Every peer present gets an equal share of the round's time; a larger group means less time
each. A peer who passes, or finishes early, leaves their unused time to those still to speak,
shared equally again. The shares always add up to the round's length, so the round, and the
session, end on time.
"""

from __future__ import annotations

from collections.abc import Sequence

MINUTE = 60
# A round shorter than this is not a round: one minute each at the very least.
MIN_ROUND_SECONDS = MINUTE


def split(seconds: int, people: int) -> list[int]:
    """`seconds` shared equally by `people`; the odd seconds go to the first ones, so the parts
    add up to exactly `seconds`."""
    if people <= 0:
        return []
    seconds = max(0, int(seconds))
    each, odd = divmod(seconds, people)
    return [each + (1 if i < odd else 0) for i in range(people)]


def shares(total_seconds: int, speakers: int, used: Sequence[int | None] = ()) -> list[int]:
    """Each speaker's seconds, in order.

    `used[i]` is what speaker i used once they have finished (0 for a pass), or None while they
    are still to speak; missing entries are still to speak. Those finished keep what they used;
    the rest of the round is shared equally by those still to speak."""
    done = [used[i] if i < len(used) else None for i in range(speakers)]
    spent = sum(max(0, int(u)) for u in done if u is not None)
    waiting = [i for i, u in enumerate(done) if u is None]
    parts = iter(split(max(0, int(total_seconds) - spent), len(waiting)))
    return [max(0, int(u)) if u is not None else next(parts) for u in done]


def round_length(seconds_to_end: int, steps_left: int, *, wanted_seconds: int | None = None) -> int:
    """How long a round may last, in seconds.

    Without a choice, what remains of the session shared by the steps still to come (this one
    included), in whole minutes. A chosen length is kept, but never past the session's end."""
    seconds_to_end = max(0, int(seconds_to_end))
    if wanted_seconds is None:
        fair = seconds_to_end // max(1, steps_left)
        wanted_seconds = max(MIN_ROUND_SECONDS, fair // MINUTE * MINUTE)
    return max(0, min(int(wanted_seconds), seconds_to_end))


def minutes_text(seconds: int) -> str:
    """ "2 min 30 s", "45 s", "3 min"."""
    minutes, rest = divmod(max(0, int(seconds)), MINUTE)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
