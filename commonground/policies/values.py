"""The kinds of number a policy declares, and calendar arithmetic that is right for them.

Durations are added in the organisation's local time (Europe/London): "3 days after 10:00" is
10:00 three days later even across a clock change, "one month after 31 January" is the last day
of February, and "3 working days" skips weekends and England and Wales bank holidays. Hours and
minutes are elapsed time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

LONDON = ZoneInfo("Europe/London")

WORDS = {
    "zero": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
UNITS = {
    "minute": "minutes",
    "minutes": "minutes",
    "hour": "hours",
    "hours": "hours",
    "day": "days",
    "days": "days",
    "working day": "working_days",
    "working days": "working_days",
    "week": "weeks",
    "weeks": "weeks",
    "fortnight": "fortnights",
    "fortnights": "fortnights",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
}
UNIT_NAMES = {
    "minutes": ("minute", "minutes"),
    "hours": ("hour", "hours"),
    "days": ("day", "days"),
    "working_days": ("working day", "working days"),
    "weeks": ("week", "weeks"),
    "fortnights": ("fortnight", "fortnights"),
    "months": ("month", "months"),
    "years": ("year", "years"),
}
_DURATION = re.compile(r"^\s*(?P<amount>\d{1,4}|[a-z]+)\s+(?P<unit>working days?|[a-z]+)\s*$")
MAX_AMOUNT = 1000


class PolicyValueError(ValueError):
    """A value that is not of the kind the rule declares; the message says what is expected."""


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str

    kind: ClassVar[str] = "duration"

    @classmethod
    def parse(cls, text: Any) -> Duration:
        if not isinstance(text, str):
            raise PolicyValueError(
                f"a duration such as “3 days” or “one month” is needed, not {text!r}"
            )
        match = _DURATION.match(text.lower())
        if not match:
            raise PolicyValueError(
                f"“{text}” is not a duration such as “3 days”, “8 weeks” or “one month”"
            )
        raw_amount, raw_unit = match["amount"], match["unit"]
        amount = int(raw_amount) if raw_amount.isdigit() else WORDS.get(raw_amount)
        if amount is None:
            raise PolicyValueError(f"“{raw_amount}” is not a number")
        if raw_unit not in UNITS:
            raise PolicyValueError(
                f"“{raw_unit}” is not a unit of time (minutes, hours, days, working days, weeks, months, years)"
            )
        if amount > MAX_AMOUNT:
            raise PolicyValueError(f"{amount} is more than the largest allowed ({MAX_AMOUNT})")
        return cls(amount, UNITS[raw_unit])

    def __str__(self) -> str:
        singular, plural = UNIT_NAMES[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"

    @property
    def is_elapsed_time(self) -> bool:
        return self.unit in {"minutes", "hours"}

    def _delta(self) -> relativedelta:
        n = self.amount
        return {
            "days": relativedelta(days=n),
            "weeks": relativedelta(weeks=n),
            "fortnights": relativedelta(weeks=2 * n),
            "months": relativedelta(months=n),
            "years": relativedelta(years=n),
            "hours": relativedelta(hours=n),
            "minutes": relativedelta(minutes=n),
        }[self.unit]

    def after(self, start: dt.date | dt.datetime) -> dt.date | dt.datetime:
        """The moment this duration after `start` (a date, or an aware datetime)."""
        return self._shift(start, 1)

    def before(self, start: dt.date | dt.datetime) -> dt.date | dt.datetime:
        return self._shift(start, -1)

    def _shift(self, start: dt.date | dt.datetime, sign: int) -> dt.date | dt.datetime:
        if self.unit == "working_days":
            return self._shift_working_days(start, sign)
        if isinstance(start, dt.datetime):
            if start.tzinfo is None:
                raise ValueError("Durations are added to aware datetimes only.")
            if self.is_elapsed_time:
                utc = start.astimezone(dt.UTC)
                return (utc + sign * dt.timedelta(**{self.unit: self.amount})).astimezone(LONDON)
            local = start.astimezone(LONDON).replace(tzinfo=None)
            moved = local + sign * self._delta()
            return _localise(moved)
        if self.is_elapsed_time:
            raise ValueError(f"{self} cannot be added to a date without a time.")
        return start + sign * self._delta()

    def _shift_working_days(self, start: dt.date | dt.datetime, sign: int) -> dt.date | dt.datetime:
        is_datetime = isinstance(start, dt.datetime)
        local = start.astimezone(LONDON) if isinstance(start, dt.datetime) else None
        day = local.date() if local is not None else start
        assert isinstance(day, dt.date)
        remaining = self.amount
        while remaining:
            day += dt.timedelta(days=sign)
            if is_working_day(day):
                remaining -= 1
        if is_datetime and local is not None:
            return _localise(dt.datetime.combine(day, local.time().replace(tzinfo=None)))
        return day

    def approx_days(self) -> float:
        per = {
            "minutes": 1 / 1440,
            "hours": 1 / 24,
            "days": 1,
            "working_days": 7 / 5,
            "weeks": 7,
            "fortnights": 14,
            "months": 30.44,
            "years": 365.25,
        }
        return self.amount * per[self.unit]

    def scaled(self, factor: float) -> Duration:
        """This duration stretched by `factor` (pro rata), in days or months as fits."""
        if self.unit in {"months", "years"}:
            months = self.amount * (12 if self.unit == "years" else 1) * factor
            return Duration(max(1, round(months)), "months")
        return Duration(max(1, round(self.approx_days() * factor)), "days")


def _localise(naive: dt.datetime) -> dt.datetime:
    """A London wall-clock time as an aware datetime; a time skipped by the clocks going forward
    moves on by the gap, and a repeated one takes its first (summer time) occurrence."""
    aware = naive.replace(tzinfo=LONDON, fold=0)
    round_trip = aware.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None)
    if round_trip != naive:  # in the spring-forward gap
        aware = (naive + dt.timedelta(hours=1)).replace(tzinfo=LONDON)
    return aware


@dataclass(frozen=True)
class Count:
    value: int
    kind: ClassVar[str] = "count"

    @classmethod
    def parse(cls, raw: Any) -> Count:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise PolicyValueError(f"a whole number is needed, not {raw!r}")
        try:
            number = int(str(raw).strip())
        except ValueError as exc:
            raise PolicyValueError(f"“{raw}” is not a whole number") from exc
        if number < 0 or number > 100_000:
            raise PolicyValueError(f"{number} is not between 0 and 100,000")
        return cls(number)

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Share:
    percent: Decimal
    kind: ClassVar[str] = "share"

    @classmethod
    def parse(cls, raw: Any) -> Share:
        text = str(raw).strip().rstrip("%").strip()
        try:
            percent = Decimal(text)
        except InvalidOperation as exc:
            raise PolicyValueError(f"“{raw}” is not a percentage such as “50%”") from exc
        if not percent.is_finite() or percent < 0 or percent > 100:
            raise PolicyValueError(f"“{raw}” is not a percentage between 0% and 100%")
        return cls(percent)

    def __str__(self) -> str:
        return f"{self.percent.normalize():f}%"

    def met_by(self, part: int, whole: int) -> bool:
        if whole == 0:
            return self.percent == 0
        return Decimal(part) * 100 >= self.percent * whole


@dataclass(frozen=True)
class Flag:
    value: bool
    kind: ClassVar[str] = "flag"

    @classmethod
    def parse(cls, raw: Any) -> Flag:
        if isinstance(raw, bool):
            return cls(raw)
        text = str(raw).strip().lower()
        if text in {"true", "yes", "on"}:
            return cls(True)
        if text in {"false", "no", "off"}:
            return cls(False)
        raise PolicyValueError(f"“{raw}” is not yes or no")

    def __str__(self) -> str:
        return "yes" if self.value else "no"


@dataclass(frozen=True)
class QualificationRequirement:
    code: str
    kind: ClassVar[str] = "qualification"

    @classmethod
    def parse(cls, raw: Any) -> QualificationRequirement:
        from commonground.people.models import QualificationKind

        if raw not in QualificationKind.values:
            raise PolicyValueError(
                f"“{raw}” is not a qualification; use one of {', '.join(QualificationKind.values)}"
            )
        return cls(str(raw))

    def __str__(self) -> str:
        from commonground.people.models import QualificationKind

        return str(QualificationKind(self.code).label)


@dataclass(frozen=True)
class Choices:
    items: tuple[str, ...]
    kind: ClassVar[str] = "list"

    @classmethod
    def parse(cls, raw: Any) -> Choices:
        if isinstance(raw, str):
            raw = [part.strip() for part in raw.split(",") if part.strip()]
        if not isinstance(raw, list | tuple) or not raw or not all(isinstance(i, str) for i in raw):
            raise PolicyValueError("a list of names is needed")
        # Names are written with underscores and shown with spaces (__str__): both read back
        # as the same name, so a list an organisation changed keeps its names.
        return cls(tuple("_".join(item.split()) for item in raw))

    def __str__(self) -> str:
        return ", ".join(item.replace("_", " ") for item in self.items)


PolicyValue = Duration | Count | Share | Flag | QualificationRequirement | Choices
VALUE_KINDS: dict[str, Any] = {
    "duration": Duration,
    "count": Count,
    "share": Share,
    "flag": Flag,
    "qualification": QualificationRequirement,
    "list": Choices,
}
