"""The bundled headline sample, served as of the clock.

src/tradecycle/data/news/headlines.parquet is a de-duplicated, trimmed sample of
StockNet's cashtag tweets (58 symbols, 2014 to early 2016; see README.md beside
it and scripts/build_news_sample.py). Posts are held in arrays sorted by symbol
then time, so a window query is two binary searches per symbol.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tradecycle.errors import DataError

from .base import NewsItem, within_window

HEADLINES_PATH = Path(__file__).resolve().parents[2] / "data" / "news" / "headlines.parquet"


class BundledNewsSource:
    """`fetch(symbols, now, lookback)` over the shipped sample (or any parquet of the same columns)."""

    name = "bundled"

    def __init__(self, path: str | Path | None = None) -> None:
        table = _read(Path(path) if path else HEADLINES_PATH)
        symbols = np.asarray(table.column("symbol").to_pylist(), dtype=str)
        published_ns = _timestamps_ns(table.column("published"))
        order = np.lexsort((published_ns, symbols))  # by symbol, then time (stable)
        self.symbols = symbols[order]
        self.published_ns = published_ns[order]
        # Texts stay in Arrow's compact buffers; an item turns one into a str when it is served.
        take = pa.array(order)
        self.headlines = table.column("headline").combine_chunks().take(take)
        self.sources = table.column("source").combine_chunks().take(take)
        self.scores = (
            table.column("score").to_numpy().astype(np.float64)[order]
            if "score" in table.column_names
            else None
        )
        names, starts = np.unique(self.symbols, return_index=True)
        ends = np.append(starts[1:], len(self.symbols))
        self._slices = {str(s): (int(a), int(b)) for s, a, b in zip(names, starts, ends, strict=True)}

    @property
    def covered_symbols(self) -> list[str]:
        return sorted(self._slices)

    def span(self, symbol: str) -> tuple[int, int] | None:
        """[start, end) rows of `symbol`'s posts (sorted by time), or None if the sample lacks it."""
        return self._slices.get(symbol)

    def window_indices(self, symbol: str, now: datetime, lookback: timedelta) -> np.ndarray:
        """Row indices of `symbol`'s posts with now - lookback < published <= now, oldest first."""
        if now.tzinfo is None:
            raise ValueError("as-of time must be timezone-aware")
        span = self._slices.get(symbol)
        if span is None:
            return np.empty(0, dtype=np.intp)
        a, b = span
        times = self.published_ns[a:b]
        hi = _ns(now)
        lo = _ns(now - lookback)
        left = a + int(np.searchsorted(times, lo, side="right"))
        right = a + int(np.searchsorted(times, hi, side="right"))
        return np.arange(left, right, dtype=np.intp)

    def item(self, i: int) -> NewsItem:
        published = datetime.fromtimestamp(self.published_ns[i] / 1e9, tz=UTC)
        return NewsItem(str(self.symbols[i]), self.headlines[i].as_py(), self.sources[i].as_py(), published)

    def fetch(self, symbols: Sequence[str], now: datetime, lookback: timedelta) -> list[NewsItem]:
        items = [self.item(int(i)) for s in symbols for i in self.window_indices(s, now, lookback)]
        return within_window(items, now, lookback)


def _ns(ts: datetime) -> int:
    return int(np.datetime64(ts.astimezone(UTC).replace(tzinfo=None), "ns").view("int64"))


def _read(path: Path) -> pa.Table:
    if not path.is_file():
        raise DataError(f"news sample {path} not found")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"news sample {path} is not a readable Parquet file: {exc}") from None
    missing = {"symbol", "published", "headline", "source"} - set(table.column_names)
    if missing:
        raise DataError(f"news sample {path} lacks column(s) {', '.join(sorted(missing))}")
    return table


def _timestamps_ns(column: pa.ChunkedArray) -> np.ndarray:
    """UTC nanoseconds of a timestamp column (naive means UTC) or of ISO text."""
    if pa.types.is_timestamp(column.type):
        return column.cast(pa.timestamp("ns", tz=column.type.tz)).to_numpy().view("int64").copy()
    stamps = pd.to_datetime(pd.Series(column.to_pylist()), utc=True)
    return stamps.to_numpy(dtype="datetime64[ns]").view("int64")


@lru_cache(maxsize=1)
def bundled_source() -> BundledNewsSource:
    """The shipped sample, loaded once per process."""
    return BundledNewsSource()
