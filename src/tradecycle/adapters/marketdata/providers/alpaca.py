"""Alpaca market data daily bars (optional extra `alpaca`: alpaca-py), and the Alpaca
plumbing the broker and news adapters share: keys from config, error mapping, retries.

alpaca-py's own retry loop sleeps a fixed 3 s on 429 only; we switch it off and let
our RetryPolicy handle 429, 5xx and dropped connections the same way for every service.
Daily bars are requested split-adjusted from the consolidated feed (`sip`; free
accounts may use it for anything older than 15 minutes) or `iex`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TypeVar

import pandas as pd
from pydantic import SecretStr

from tradecycle.errors import ConfigError, DataError, NotFoundError

from .cache import BAR_COLUMNS, BarCache, empty_bars, integer_volume
from .ratelimit import AuthError, RateLimiter, RetryPolicy, TransientError, call_with_retry, shared_limiter

T = TypeVar("T")
NEW_YORK = "America/New_York"
KEYS_HINT = (
    "set broker.alpaca_api_key and broker.alpaca_secret_key in tradecycle.toml or the environment "
    "variables TRADECYCLE_BROKER__ALPACA_API_KEY and TRADECYCLE_BROKER__ALPACA_SECRET_KEY"
)
SYMBOLS_PER_REQUEST = 100
SIP_DELAY = timedelta(minutes=16)


def alpaca_keys(api_key: SecretStr | None, secret_key: SecretStr | None) -> tuple[str, str]:
    """Both keys as plain text, or a ConfigError that says where to put them (never their values)."""
    key = api_key.get_secret_value().strip() if api_key else ""
    secret = secret_key.get_secret_value().strip() if secret_key else ""
    if not key or not secret:
        missing = " and ".join(n for n, v in (("API key", key), ("secret key", secret)) if not v)
        raise ConfigError(f"Alpaca {missing} missing: {KEYS_HINT}")
    return key, secret


def require_alpaca() -> None:
    try:
        import alpaca  # noqa: F401
    except ImportError:
        raise ConfigError("Alpaca support needs alpaca-py: pip install 'tradecycle[alpaca]'") from None


def without_sdk_retry(client: Any) -> Any:
    """Disable alpaca-py's built-in fixed-wait retry (RESTClient._retry) so ours is the only one."""
    client._retry = 0
    return client


def alpaca_call(
    fn: Callable[[], T], *, service: str, policy: RetryPolicy, limiter: RateLimiter | None = None
) -> T:
    """Run one alpaca-py call with our retries; HTTP errors become Auth/Transient/NotFound/Data errors."""
    from alpaca.common.exceptions import APIError

    def guarded() -> T:
        try:
            return fn()
        except APIError as exc:
            status = exc.status_code
            if status == 403 and "subscription" in api_message(exc):  # e.g. recent SIP data on a free plan
                raise DataError(f"{service}: HTTP 403: {api_message(exc)}") from None
            if status in (401, 403):
                raise AuthError(f"HTTP {status}: {api_message(exc)}") from None
            if status == 404:
                raise NotFoundError(f"{service}: {api_message(exc)}") from None
            if status == 429 or (status is not None and status >= 500):
                raise TransientError(f"HTTP {status}") from None
            raise DataError(f"{service}: HTTP {status}: {api_message(exc)}") from None

    return call_with_retry(guarded, service=service, policy=policy, limiter=limiter)


def api_message(exc: Exception) -> str:
    try:
        return str(exc.message)  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError, AttributeError):
        return str(exc)[:200]


def utc_day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class AlpacaService(ABC):
    """What every Alpaca adapter shares: one alpaca-py client built on first use (keys checked
    then, the SDK's own retry off), the process-wide "alpaca" rate limiter and our RetryPolicy."""

    service = "Alpaca"  # names the service in errors

    def __init__(
        self,
        api_key: SecretStr | None,
        secret_key: SecretStr | None,
        *,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        client: Any = None,
    ) -> None:
        self._keys = (api_key, secret_key)
        self.limiter = limiter or shared_limiter("alpaca")
        self.retry = retry or RetryPolicy()
        self._client = client

    @abstractmethod
    def _new_client(self, key: str, secret: str) -> Any:
        """This service's alpaca-py client (alpaca-py is known to be installed when this runs)."""

    @property
    def client(self) -> Any:
        if self._client is None:
            require_alpaca()
            self._client = without_sdk_retry(self._new_client(*alpaca_keys(*self._keys)))
        return self._client

    def _call(self, fn: Callable[[], T]) -> T:
        return alpaca_call(fn, service=self.service, policy=self.retry, limiter=self.limiter)


class AlpacaProvider(AlpacaService):
    """`fetch_bars(symbols, start, end)` for Alpaca: up to 100 symbols per request, paginated."""

    name = "alpaca"
    service = "Alpaca market data"

    def __init__(
        self,
        api_key: SecretStr | None,
        secret_key: SecretStr | None,
        *,
        feed: Literal["sip", "iex"] = "sip",
        now: datetime | None = None,
        cache: BarCache | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        client: Any = None,
    ) -> None:
        super().__init__(api_key, secret_key, limiter=limiter, retry=retry, client=client)
        self.feed = feed
        self.now = now
        self.cache = cache

    def _new_client(self, key: str, secret: str) -> Any:
        from alpaca.data.historical import StockHistoricalDataClient

        return StockHistoricalDataClient(key, secret, raw_data=True)

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> pd.DataFrame:
        """Daily bars for start..end (both inclusive) as a long frame sorted by symbol, date."""
        if end < start:
            raise DataError(f"--end {end} is before --start {start}")
        wanted = [s.upper() for s in dict.fromkeys(symbols)]
        variant = f"feed={self.feed};adjustment=split"
        frames: list[pd.DataFrame] = []
        to_fetch: list[str] = []
        for symbol in wanted:
            cached = self.cache.load(self.name, symbol, start, end, variant) if self.cache else None
            if cached is None:
                to_fetch.append(symbol)
            else:
                frames.append(cached)
        for i in range(0, len(to_fetch), SYMBOLS_PER_REQUEST):
            chunk = to_fetch[i : i + SYMBOLS_PER_REQUEST]
            raw = self._request(chunk, start, end)
            for symbol in chunk:
                frame = parse_bars(symbol, raw.get(symbol, []))
                if self.cache is not None:
                    self.cache.store(self.name, symbol, start, end, frame, variant)
                frames.append(frame)
        if not frames:
            return empty_bars()
        return pd.concat(frames, ignore_index=True).sort_values(["symbol", "date"], ignore_index=True)

    def _request_end(self, end: date) -> datetime:
        """The day after `end`, but never later than 16 minutes ago: free plans may not ask
        for the last 15 minutes of consolidated (SIP) data, and a later bar does not exist yet."""
        after = utc_day_start(end + timedelta(days=1))
        if self.now is None:
            return after
        return min(after, self.now - SIP_DELAY)

    def _request(self, symbols: list[str], start: date, end: date) -> dict[str, list[dict[str, Any]]]:
        from alpaca.data.enums import Adjustment, DataFeed
        from alpaca.data.requests import StockBarsRequest
        from alpaca.data.timeframe import TimeFrame

        request = StockBarsRequest(
            symbol_or_symbols=symbols,
            timeframe=TimeFrame.Day,
            start=utc_day_start(start),
            end=self._request_end(end),
            adjustment=Adjustment.SPLIT,
            feed=DataFeed(self.feed),
        )
        client = self.client
        raw = self._call(lambda: client.get_stock_bars(request))
        if not isinstance(raw, dict):
            raise DataError(f"{self.service}: unexpected answer of type {type(raw).__name__}")
        return raw


def parse_bars(symbol: str, bars: list[dict[str, Any]]) -> pd.DataFrame:
    """Alpaca's raw bars ({t, o, h, l, c, v, n, vw}) -> long bars; `t` is the session day in New York."""
    if not bars:
        return empty_bars()
    try:
        stamps = pd.to_datetime([b["t"] for b in bars], utc=True)
        frame = pd.DataFrame(
            {
                "date": stamps.tz_convert(NEW_YORK).tz_localize(None).normalize(),
                "symbol": symbol,
                "open": [float(b["o"]) for b in bars],
                "high": [float(b["h"]) for b in bars],
                "low": [float(b["l"]) for b in bars],
                "close": [float(b["c"]) for b in bars],
                "volume": [float(b["v"]) for b in bars],
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"Alpaca market data: {symbol}: malformed bar (missing or bad {exc})") from None
    return integer_volume(frame[BAR_COLUMNS])
