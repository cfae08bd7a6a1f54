"""Money in pence: parsing what people type and showing it as £1,234.56."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_TYPED = re.compile(r"^\d+(\.\d{1,2})?$")


def pounds(pence: int | None) -> str:
    """£1,234.56 (and −£12.00 below zero)."""
    value = int(pence or 0)
    sign = "−" if value < 0 else ""
    whole, part = divmod(abs(value), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def parse_pounds(text: str) -> int:
    """Pence from "1234.56", "£1,234.56" or "12"; ValueError naming the problem otherwise."""
    cleaned = (text or "").strip().replace(",", "").removeprefix("£").strip()
    if not _TYPED.match(cleaned):
        raise ValueError("Give an amount in pounds and pence, such as 120.50.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
        raise ValueError("Give an amount in pounds and pence, such as 120.50.") from exc
    return int(amount * 100)
