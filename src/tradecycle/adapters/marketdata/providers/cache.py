"""A local cache of fetched daily bars, one Parquet file per (provider, symbol, range, variant).

History that is complete (the range ended before today) never changes, so a repeated
`data fetch` or a re-run replay reads it from disk instead of the network. A range that
reaches today is never cached: its last bar may still change. Files are written to a
temporary name and renamed, so a crash never leaves half a file behind.

One caveat: both providers serve split-adjusted history, which the provider rewrites
after a later split. After a split in a cached symbol, fetch with --no-cache (or delete
its files) so old and new prices are not mixed.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date
from pathlib import Path

import pandas as pd

from tradecycle.adapters.marketdata.base import BAR_COLUMNS as _COLUMNS
from tradecycle.errors import ConfigError

BAR_COLUMNS = list(_COLUMNS)
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


class BarCache:
    """Parquet files under `root/<provider>/`; `today` decides which ranges are complete."""

    def __init__(self, root: str | Path, today: date) -> None:
        self.root = Path(root)
        self.today = today

    def cacheable(self, end: date) -> bool:
        return end < self.today

    def path(self, provider: str, symbol: str, start: date, end: date, variant: str = "") -> Path:
        tag = hashlib.sha256(variant.encode()).hexdigest()[:8] if variant else "raw"
        name = f"{_SAFE.sub('_', symbol)}_{start.isoformat()}_{end.isoformat()}_{tag}.parquet"
        return self.root / provider / name

    def load(
        self, provider: str, symbol: str, start: date, end: date, variant: str = ""
    ) -> pd.DataFrame | None:
        path = self.path(provider, symbol, start, end, variant)
        if not self.cacheable(end) or not path.is_file():
            return None
        try:
            return pd.read_parquet(path)[BAR_COLUMNS]
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)  # a damaged entry is refetched, never trusted
            return None

    def store(
        self, provider: str, symbol: str, start: date, end: date, frame: pd.DataFrame, variant: str = ""
    ) -> bool:
        """Write `frame` if its range is complete; returns whether it was cached."""
        if not self.cacheable(end):
            return False
        path = self.path(provider, symbol, start, end, variant)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            frame[BAR_COLUMNS].to_parquet(tmp, index=False)
            tmp.replace(path)
        except OSError as exc:
            raise ConfigError(
                f"data.cache_dir {self.root}: cannot write the cache ({exc.strerror})"
            ) from None
        return True


def integer_volume(frame: pd.DataFrame) -> pd.DataFrame:
    """Volume as int64, as the provider protocol promises, unless a missing value must stay visible (NaN)."""
    volume = frame["volume"]
    if len(volume) and volume.notna().all():
        frame = frame.assign(volume=volume.round().astype("int64"))
    return frame


def empty_bars() -> pd.DataFrame:
    """A frame with the provider columns and dtypes and no rows (a symbol with no bars in range)."""
    return pd.DataFrame(
        {
            c: pd.Series(dtype={"date": "datetime64[ns]", "symbol": "object"}.get(c, "float64"))
            for c in BAR_COLUMNS
        }
    )
