"""Online market data adapters without the network: payload parsing and the local cache.

Builds Yahoo v8 chart and Alpaca bars payloads shaped like the real APIs from the
bundled S&P 500 bars (all symbols, all sessions unless cut), serves them from memory,
and prints rows/s for parsing and for a full `fetch_bars` served from the Parquet
cache. The network itself (about 0.2-1 s per Yahoo request, 200 requests/min on
Alpaca) dominates a real fetch; this measures everything else.

    python benchmarks/online_adapters.py [--symbols 505] [--sessions 1259]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date

import numpy as np
import pandas as pd

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.adapters.marketdata.providers.alpaca import AlpacaProvider, parse_bars
from tradecycle.adapters.marketdata.providers.cache import BarCache
from tradecycle.adapters.marketdata.providers.ratelimit import RateLimiter, RetryPolicy
from tradecycle.adapters.marketdata.providers.yahoo import YahooProvider, parse_chart


def _payloads(n_symbols: int, n_sessions: int):
    panel = load_bundled_panel()
    symbols = panel.symbols[:n_symbols].tolist()
    sessions = pd.DatetimeIndex(panel.sessions[:n_sessions].astype("datetime64[ns]"))
    opens_utc = (sessions + pd.Timedelta(hours=14, minutes=30)).asi8 // 10**9  # ~09:30 New York
    yahoo, alpaca = {}, {}
    for i, symbol in enumerate(symbols):
        fields = {f: getattr(panel, f)[i, :n_sessions] for f in ("open", "high", "low", "close", "volume")}
        quote = {f: [None if np.isnan(v) else float(v) for v in fields[f]] for f in fields}
        yahoo[symbol] = {
            "chart": {
                "result": [
                    {
                        "meta": {"symbol": symbol, "exchangeTimezoneName": "America/New_York"},
                        "timestamp": opens_utc.tolist(),
                        "indicators": {"quote": [quote], "adjclose": [{"adjclose": quote["close"]}]},
                    }
                ],
                "error": None,
            }
        }
        ok = ~np.isnan(fields["close"])
        alpaca[symbol] = [
            {"t": f"{d:%Y-%m-%d}T05:00:00Z", "o": o, "h": h, "l": lo, "c": c, "v": int(v), "n": 1, "vw": c}
            for d, o, h, lo, c, v in zip(
                sessions[ok],
                *(fields[f][ok] for f in ("open", "high", "low", "close", "volume")),
                strict=True,
            )
        ]
    return symbols, sessions, yahoo, alpaca


class _MemoryAlpaca:
    def __init__(self, bars):
        self.bars = bars

    def get_stock_bars(self, request):
        return {s: self.bars[s] for s in request.symbol_or_symbols}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=505)
    parser.add_argument("--sessions", type=int, default=1259)
    args = parser.parse_args()
    symbols, sessions, yahoo, alpaca = _payloads(args.symbols, args.sessions)
    start, end = sessions[0].date(), sessions[-1].date()
    free = RateLimiter(rate=1e9, per=1.0, burst=1_000_000)
    no_retry = RetryPolicy(attempts=1)
    print(f"{len(symbols)} symbols x {len(sessions)} sessions ({start} .. {end})")

    t = time.perf_counter()
    rows = sum(len(parse_chart(s, yahoo[s])) for s in symbols)
    print(
        f"yahoo parse_chart:   {rows:>9,} rows in {time.perf_counter() - t:6.2f} s = {rows / (time.perf_counter() - t):>10,.0f} rows/s"
    )
    t = time.perf_counter()
    rows = sum(len(parse_bars(s, alpaca[s])) for s in symbols)
    print(
        f"alpaca parse_bars:   {rows:>9,} rows in {time.perf_counter() - t:6.2f} s = {rows / (time.perf_counter() - t):>10,.0f} rows/s"
    )

    with tempfile.TemporaryDirectory() as tmp:
        cache = BarCache(tmp, today=date(2100, 1, 1))
        transport = lambda url, params: yahoo[url.rsplit("/", 1)[1].replace("-", ".")]  # noqa: E731
        provider = YahooProvider(cache=cache, transport=transport, limiter=free, retry=no_retry)
        for label in ("yahoo fetch (parse+cache write)", "yahoo fetch (from cache)   "):
            t = time.perf_counter()
            frame = provider.fetch_bars(symbols, start, end)
            elapsed = time.perf_counter() - t
            print(
                f"{label}: {len(frame):>9,} rows in {elapsed:6.2f} s = {len(frame) / elapsed:>10,.0f} rows/s"
            )
        client = _MemoryAlpaca(alpaca)
        provider = AlpacaProvider(None, None, cache=cache, client=client, limiter=free, retry=no_retry)
        t = time.perf_counter()
        frame = provider.fetch_bars(symbols, start, end)
        elapsed = time.perf_counter() - t
        print(
            f"alpaca fetch (parse+cache write): {len(frame):>9,} rows in {elapsed:6.2f} s = {len(frame) / elapsed:>10,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
