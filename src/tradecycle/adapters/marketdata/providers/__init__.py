"""Online market data providers (optional extras) behind `fetch_bars(symbols, start, end)`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

import pandas as pd

from tradecycle.adapters.marketdata import calendar
from tradecycle.config import SettingsModel
from tradecycle.errors import ConfigError

from .alpaca import AlpacaProvider
from .cache import BarCache
from .yahoo import YahooProvider

ONLINE_PROVIDERS = ("yahoo", "alpaca")


def make_provider(
    settings: SettingsModel,
    name: Literal["yahoo", "alpaca"],
    today: date,
    *,
    use_cache: bool = True,
    now: datetime | None = None,
) -> YahooProvider | AlpacaProvider:
    """The provider `name`, caching complete ranges under settings.data.cache_dir; `now` (live
    use) keeps Alpaca requests out of the last 15 minutes."""
    cache = BarCache(settings.data.cache_dir, today) if use_cache else None
    if name == "yahoo":
        return YahooProvider(cache=cache)
    if name == "alpaca":
        broker = settings.broker
        return AlpacaProvider(broker.alpaca_api_key, broker.alpaca_secret_key, cache=cache, now=now)
    raise ConfigError(f"unknown market data provider {name!r} (choose one of: {', '.join(ONLINE_PROVIDERS)})")


def drop_unfinished(frame: pd.DataFrame, now: datetime) -> tuple[pd.DataFrame, list[str]]:
    """Remove bars of sessions that have not closed at `now` (tz-aware); returns what was dropped.

    Online sources serve today's bar while the session runs; stored as a daily bar it would
    claim a close that has not happened. Only the last two calendar days can be affected.
    """
    if frame.empty:
        return frame, []
    days = pd.to_datetime(frame["date"]).dt.normalize()
    recent = [d for d in days.unique() if d.date() >= now.date() - timedelta(days=1)]
    open_days = [d for d in recent if calendar.is_session(d) and calendar.session_close_utc(d) > now]
    if not open_days:
        return frame, []
    unfinished = days.isin(open_days).to_numpy()
    dropped = [
        f"{sym} {d:%Y-%m-%d}" for sym, d in zip(frame["symbol"][unfinished], days[unfinished], strict=True)
    ]
    return frame.loc[~unfinished].reset_index(drop=True), dropped
