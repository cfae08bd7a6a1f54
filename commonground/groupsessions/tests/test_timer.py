"""PSP-7: the round's arithmetic (the phone's timer mirrors it)."""

from __future__ import annotations

from commonground.groupsessions.timer import minutes_text, round_length, shares, split


def test_PSP_7_equal_shares() -> None:
    assert shares(600, 4) == [150, 150, 150, 150]
    # Odd seconds go to the first speakers; the shares add up to the round exactly.
    assert shares(100, 3) == [34, 33, 33]
    assert sum(shares(601, 7)) == 601


def test_PSP_7_pass_gives_time_to_those_still_to_speak() -> None:
    # The second peer passes: the three still to speak share their 150 s equally.
    assert shares(600, 4, [None, 0]) == [200, 0, 200, 200]
    # The first spoke for 100 s of 150 (done early): the other 50 s is shared again.
    assert shares(600, 4, [100]) == [100, 500 // 3 + 1, 500 // 3 + 1, 500 // 3]
    # Everyone but the last passes: the last has the whole round.
    assert shares(600, 4, [0, 0, 0]) == [0, 0, 0, 600]


def test_PSP_7_larger_group_less_time_each() -> None:
    small, large = shares(900, 5), shares(900, 9)
    assert max(large) < min(small)
    assert split(0, 3) == [0, 0, 0]
    assert split(10, 0) == []


def test_PSP_7_keeps_to_end_time() -> None:
    # A chosen length never runs past the session's end.
    assert round_length(300, 1, wanted_seconds=900) == 300
    # Without a choice: what remains shared by the steps still to come, in whole minutes.
    assert round_length(3600, 4) == 900
    assert round_length(3599, 4) == 840
    # Past the end there is no round at all.
    assert round_length(-20, 3) == 0
    # However the time is used, the shares never add up to more than the round.
    assert sum(shares(300, 4, [400])) == 400
    assert shares(300, 4, [400]) == [400, 0, 0, 0]


def test_minutes_text() -> None:
    assert minutes_text(150) == "2 min 30 s"
    assert minutes_text(45) == "45 s"
    assert minutes_text(180) == "3 min"
