from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from commonground.policies.values import (
    LONDON,
    Choices,
    Count,
    Duration,
    PolicyValueError,
    Share,
    is_working_day,
)


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("3 days", 3, "days"),
        ("one month", 1, "months"),
        ("8 weeks", 8, "weeks"),
        ("2 months", 2, "months"),
        ("3 working days", 3, "working_days"),
        ("1 year", 1, "years"),
        ("two hours", 2, "hours"),
        ("45 minutes", 45, "minutes"),
        ("A fortnight", 1, "fortnights"),
    ],
)
def test_durations_read_as_the_policies_write_them(text: str, amount: int, unit: str) -> None:
    assert Duration.parse(text) == Duration(amount, unit)


@pytest.mark.parametrize("text", ["soon", "3", "days", "-3 days", "3 parsecs", "99999 days", ""])
def test_a_duration_that_is_not_one_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(PolicyValueError):
        Duration.parse(text)


def test_one_month_after_the_31st_of_january_is_the_end_of_february() -> None:
    assert Duration.parse("one month").after(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert Duration.parse("one month").after(dt.date(2028, 1, 31)) == dt.date(2028, 2, 29)


def test_days_keep_the_wall_clock_time_across_the_spring_clock_change() -> None:
    friday_ten = dt.datetime(2026, 3, 27, 10, 0, tzinfo=LONDON)  # GMT
    monday = Duration.parse("3 days").after(friday_ten)
    assert monday == dt.datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)  # BST, still 10:00
    assert monday.utcoffset() == dt.timedelta(hours=1)  # type: ignore[union-attr]


def test_hours_are_elapsed_time_across_the_autumn_clock_change() -> None:
    start = dt.datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)  # BST
    later = Duration.parse("2 hours").after(start)
    assert later.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=2)  # type: ignore[union-attr]
    assert later.astimezone(LONDON).hour == 1  # type: ignore[union-attr]


def test_working_days_skip_weekends_and_english_bank_holidays() -> None:
    assert not is_working_day(dt.date(2026, 12, 25))
    assert not is_working_day(dt.date(2026, 12, 28))  # Boxing Day, observed
    assert Duration.parse("3 working days").after(dt.date(2026, 12, 24)) == dt.date(2026, 12, 31)
    assert Duration.parse("1 working day").after(dt.date(2026, 8, 28)) == dt.date(2026, 9, 1)


def test_a_deadline_counts_back_as_well_as_forward() -> None:
    meeting = dt.date(2026, 6, 30)
    assert Duration.parse("one month").before(meeting) == dt.date(2026, 5, 30)


def test_shares_and_counts_check_their_range() -> None:
    assert Share.parse("50%").percent == Decimal(50)
    assert Share.parse("50%").met_by(3, 6) and not Share.parse("50%").met_by(2, 6)
    with pytest.raises(PolicyValueError):
        Share.parse("120%")
    with pytest.raises(PolicyValueError):
        Count.parse("-1")
    with pytest.raises(PolicyValueError):
        Count.parse(True)


def test_part_time_stretches_a_cycle_pro_rata() -> None:
    assert Duration.parse("2 months").scaled(37 / 18.5) == Duration(4, "months")
    assert Duration.parse("2 weeks").scaled(2) == Duration(28, "days")


def test_a_list_reads_back_with_the_same_names_after_it_is_shown() -> None:
    # PSP-6: an organisation's own session structure, saved as shown, keeps its step names.
    steps = Choices.parse(["welcome_and_housekeeping", "round_taking_away"])
    assert str(steps) == "welcome and housekeeping, round taking away"
    assert Choices.parse(str(steps)) == steps
