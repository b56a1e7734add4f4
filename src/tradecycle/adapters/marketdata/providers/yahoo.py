"""Yahoo Finance daily bars (optional extra `yahoo`: yfinance).

yfinance's session does what a plain HTTP client cannot (browser impersonation, the
cookie and crumb Yahoo asks for); we ask it for the documented v8 chart payload and
parse that ourselves, so the timezone, the adjustment and the errors are ours to
control and test. Yahoo spells class shares with a dash (BRK-B); we use a dot (BRK.B).

Prices are Yahoo's OHLC series: split-adjusted, not dividend-adjusted (`adjclose` is
not used). Bars go through `validate.validate_bars` before storage, like every other
source.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd

from tradecycle.errors import ConfigError, DataError

from .cache import BAR_COLUMNS, BarCache, empty_bars, integer_volume
from .ratelimit import RateLimiter, RetryPolicy, TransientError, call_with_retry, shared_limiter

CHART_URL = "https://query2.finance.yahoo.com/v8/finance/chart/{ticker}"
Transport = Callable[[str, dict[str, Any]], dict[str, Any]]


def yahoo_ticker(symbol: str) -> str:
    return symbol.upper().replace(".", "-")


def yfinance_transport(timeout: float = 20.0) -> Transport:
    """GET through yfinance's shared session; 429 and 5xx are transient, other codes carry JSON."""
    try:
        from yfinance.data import YfData
        from yfinance.exceptions import YFRateLimitError
    except ImportError:
        raise ConfigError("the yahoo provider needs yfinance: pip install 'tradecycle[yahoo]'") from None
    logging.getLogger("yfinance").setLevel(logging.ERROR)  # its retry warnings repeat our one message

    def get(url: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = YfData().get(url, params=params, timeout=timeout)
        except YFRateLimitError as exc:
            raise TransientError("HTTP 429 rate limited") from exc
        status = int(response.status_code)
        if status == 429 or status >= 500:
            raise TransientError(f"HTTP {status} from {url}")
        try:
            return response.json()
        except ValueError:
            raise DataError(f"Yahoo answered HTTP {status} with a body that is not JSON for {url}") from None

    return get


class YahooProvider:
    """`fetch_bars(symbols, start, end)` for Yahoo; one request per symbol, rate limited, cached."""

    name = "yahoo"

    def __init__(
        self,
        *,
        cache: BarCache | None = None,
        transport: Transport | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.cache = cache
        self._transport = transport
        self.limiter = limiter or shared_limiter("yahoo")
        self.retry = retry or RetryPolicy()

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = yfinance_transport()
        return self._transport

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> pd.DataFrame:
        """Daily bars for start..end (both inclusive) as a long frame sorted by symbol, date."""
        if end < start:
            raise DataError(f"--end {end} is before --start {start}")
        frames = [self._one(symbol.upper(), start, end) for symbol in dict.fromkeys(symbols)]
        if not frames:
            return empty_bars()
        return pd.concat(frames, ignore_index=True).sort_values(["symbol", "date"], ignore_index=True)

    def _one(self, symbol: str, start: date, end: date) -> pd.DataFrame:
        if self.cache is not None:
            cached = self.cache.load(self.name, symbol, start, end)
            if cached is not None:
                return cached
        params = {
            "period1": int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()),
            "period2": int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp() + 86_400),
            "interval": "1d",
            "includePrePost": "false",
            "events": "div,splits",
        }
        url = CHART_URL.format(ticker=yahoo_ticker(symbol))
        payload = call_with_retry(
            lambda: self.transport(url, params),
            service="Yahoo Finance",
            policy=self.retry,
            limiter=self.limiter,
        )
        frame = parse_chart(symbol, payload)
        frame = frame[(frame["date"] >= pd.Timestamp(start)) & (frame["date"] <= pd.Timestamp(end))]
        frame = frame.reset_index(drop=True)
        if self.cache is not None:
            self.cache.store(self.name, symbol, start, end, frame)
        return frame


def parse_chart(symbol: str, payload: dict[str, Any]) -> pd.DataFrame:
    """Yahoo's v8 chart JSON -> long bars; a Yahoo error or a malformed payload is a DataError."""
    chart = payload.get("chart") if isinstance(payload, dict) else None
    if not isinstance(chart, dict):
        raise DataError(f"Yahoo: unexpected answer for {symbol} (no 'chart' object)")
    if chart.get("error"):
        error = chart["error"]
        raise DataError(f"Yahoo: {symbol}: {error.get('description') or error.get('code') or error}")
    results = chart.get("result") or []
    if not results:
        raise DataError(f"Yahoo: {symbol}: empty result")
    result = results[0]
    stamps = result.get("timestamp") or []
    if not stamps:
        return empty_bars()
    try:
        quote = result["indicators"]["quote"][0]
        tz = result["meta"].get("exchangeTimezoneName") or "America/New_York"
        columns = {f: np.array(quote[f], dtype=float) for f in ("open", "high", "low", "close", "volume")}
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise DataError(f"Yahoo: {symbol}: malformed chart payload (missing {exc})") from None
    if any(len(v) != len(stamps) for v in columns.values()):
        raise DataError(f"Yahoo: {symbol}: chart arrays differ in length from the timestamps")
    sessions = pd.to_datetime(np.array(stamps, dtype="int64"), unit="s", utc=True).tz_convert(tz)
    frame = pd.DataFrame(
        {
            "date": sessions.tz_localize(None).normalize(),
            "symbol": symbol,
            **columns,
        }
    )
    empty = frame[["open", "high", "low", "close"]].isna().all(axis=1)  # Yahoo pads halted days with nulls
    frame = frame[~empty]
    frame = frame.drop_duplicates(subset="date", keep="last")  # the live bar can repeat the last session
    return integer_volume(frame[BAR_COLUMNS].reset_index(drop=True))
