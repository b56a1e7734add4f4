"""The one interface every news source implements.

A source answers "which posts about these symbols were published in
(now - lookback, now]": never anything after `now`, so the same code serves a
live cycle and a replay on the simulated clock. Online sources (RSS, Alpaca)
and the bundled sample all return the same frozen `NewsItem`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class NewsItem:
    """One headline or post about one symbol; `published` is tz-aware UTC."""

    symbol: str
    headline: str
    source: str
    published: datetime
    url: str | None = None


@runtime_checkable
class NewsSource(Protocol):
    """A provider of headlines as of a clock time."""

    name: str

    def fetch(self, symbols: Sequence[str], now: datetime, lookback: timedelta) -> list[NewsItem]:
        """Items for `symbols` with `now - lookback < published <= now`, oldest first."""
        ...


def within_window(items: Iterable[NewsItem], now: datetime, lookback: timedelta) -> list[NewsItem]:
    """Keep items published in (now - lookback, now], sorted oldest first; the as-of rule in one place."""
    if now.tzinfo is None:
        raise ValueError("as-of time must be timezone-aware")
    start = now - lookback
    kept = [item for item in items if start < item.published <= now]
    kept.sort(key=lambda item: (item.published, item.symbol, item.headline))
    return kept
