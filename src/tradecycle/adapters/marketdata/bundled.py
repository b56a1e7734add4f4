"""The bundled real sample: S&P 500 daily bars 2013-02-08..2018-02-07 (CC0), no network needed.

The Parquet file is long format sorted by (symbol, date); decoding it into the
symbols x sessions panel is a handful of numpy operations. The full panel is
decoded once per process and cached; sub-ranges are views or row selections of it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tradecycle.core.panel import BarPanel
from tradecycle.errors import DataError

from . import calendar

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
BARS_FILE = "sp500_daily_2013_2018.parquet"
REJECTS_FILE = "sp500_daily_2013_2018_rejects.csv"
SYMBOLS_FILE = "symbols.csv"

DayLike = calendar.DayLike


def load_bundled_panel(
    start: DayLike | None = None, end: DayLike | None = None, symbols: list[str] | None = None
) -> BarPanel:
    """The bundled bars as a panel, optionally cut to sessions in [start, end] and to `symbols`."""
    panel = _full_panel()
    return slice_panel(panel, start, end, symbols)


def slice_panel(
    panel: BarPanel,
    start: DayLike | None = None,
    end: DayLike | None = None,
    symbols: list[str] | None = None,
) -> BarPanel:
    """Sessions in [start, end] (inclusive, by session label) and the given symbols, in that order."""
    lo = 0 if start is None else int(np.searchsorted(panel.sessions, _day64(start), side="left"))
    hi = panel.n_sessions if end is None else int(np.searchsorted(panel.sessions, _day64(end), side="right"))
    cut = BarPanel(
        symbols=panel.symbols,
        sessions=panel.sessions[lo:hi],
        closes_utc=panel.closes_utc[lo:hi],
        open=panel.open[:, lo:hi],
        high=panel.high[:, lo:hi],
        low=panel.low[:, lo:hi],
        close=panel.close[:, lo:hi],
        volume=panel.volume[:, lo:hi],
    )
    if symbols is None:
        return cut
    try:
        return cut.select(list(symbols))
    except KeyError as exc:
        raise DataError(f"bundled data: {exc.args[0]}") from None


def bundled_frame(start: DayLike | None = None, end: DayLike | None = None) -> pd.DataFrame:
    """The bundled bars in long format (date, symbol, open, high, low, close, volume), sessions in [start, end]."""
    frame = pq.read_table(DATA_DIR / BARS_FILE).to_pandas()
    frame["symbol"] = frame["symbol"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    if start is not None:
        frame = frame[frame["date"] >= calendar.session_label(start)]
    if end is not None:
        frame = frame[frame["date"] <= calendar.session_label(end)]
    return frame.reset_index(drop=True)


def _day64(day: DayLike) -> np.datetime64:
    return np.datetime64(calendar.session_label(day).date(), "D")


@lru_cache(maxsize=1)
def _full_panel() -> BarPanel:
    path = DATA_DIR / BARS_FILE
    if not path.is_file():
        raise DataError(f"bundled bars not found at {path}; run scripts/build_bundled_data.py")
    table = pq.read_table(path)
    codes = table.column("symbol").combine_chunks()
    symbols = np.asarray(codes.dictionary.to_pylist(), dtype=str)
    rows = codes.indices.to_numpy()
    days = table.column("date").to_numpy().astype("datetime64[D]")
    panel = panel_from_long(symbols, rows, days, {f: table.column(f).to_numpy() for f in _FIELDS})
    del table, codes
    # Arrow's allocator keeps freed buffers for reuse; hand them back (~65 MB of a replay's peak RSS).
    pa.default_memory_pool().release_unused()
    return panel


_FIELDS = ("open", "high", "low", "close", "volume")


def panel_from_long(
    symbols: np.ndarray, rows: np.ndarray, days: np.ndarray, values: dict[str, np.ndarray]
) -> BarPanel:
    """Scatter long-format bars (row index into `symbols`, session day) into a panel.

    The panel's sessions are every XNYS session from the first to the last day
    present, so a day on which nobody traded still has its (all-NaN) column.
    """
    if len(days) == 0:
        sessions = np.array([], dtype="datetime64[D]")
    else:
        sessions = calendar.sessions(date.fromisoformat(str(days.min())), date.fromisoformat(str(days.max())))
        sessions = sessions.to_numpy().astype("datetime64[D]")
    cols = np.minimum(np.searchsorted(sessions, days), max(len(sessions) - 1, 0))
    off_calendar = sessions[cols] != days if len(days) else np.zeros(0, dtype=bool)
    if off_calendar.any():
        raise DataError(f"bar dated {days[off_calendar][0]} is not an NYSE trading session")
    shape = (len(symbols), len(sessions))
    arrays = {}
    for name in _FIELDS:
        arr = np.full(shape, np.nan)
        arr[rows, cols] = values[name]
        arr.setflags(write=False)
        arrays[name] = arr
    closes = calendar.closes_utc(sessions) if len(sessions) else np.array([], dtype="datetime64[ns]")
    return BarPanel(symbols=np.asarray(symbols, dtype=str), sessions=sessions, closes_utc=closes, **arrays)
