"""Number formats the CLI reports and the HTML tearsheet share; None (not computable) prints as "—"."""

from __future__ import annotations

MISSING = "—"


def pct(value: float | None) -> str:
    """A fraction as a percentage with two decimals: 0.1234 -> "12.34%"."""
    return MISSING if value is None else f"{value * 100:,.2f}%"


def num(value: float | None, digits: int = 2) -> str:
    return MISSING if value is None else f"{value:,.{digits}f}"


def money(value: float | None, currency: str = "") -> str:
    """Two decimals with thousands separators, after an optional currency sign."""
    return MISSING if value is None else f"{currency}{value:,.2f}"


def dollars(value: float | None) -> str:
    return money(value, "$")
