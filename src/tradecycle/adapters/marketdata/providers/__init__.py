"""Online market data providers (optional extras) behind `fetch_bars(symbols, start, end)`."""

from __future__ import annotations

from datetime import date
from typing import Literal

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
) -> YahooProvider | AlpacaProvider:
    """The provider `name`, caching complete ranges under settings.data.cache_dir."""
    cache = BarCache(settings.data.cache_dir, today) if use_cache else None
    if name == "yahoo":
        return YahooProvider(cache=cache)
    if name == "alpaca":
        broker = settings.broker
        return AlpacaProvider(broker.alpaca_api_key, broker.alpaca_secret_key, cache=cache)
    raise ConfigError(f"unknown market data provider {name!r} (choose one of: {', '.join(ONLINE_PROVIDERS)})")
