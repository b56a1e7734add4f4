"""Bars in the `market_data` table: batched writes and panel loads, as of a clock if asked.

A daily bar's `timestamp` is its session's close in UTC (the moment it became
complete) and `session` its New York date, so "visible at t" is `timestamp <= t`.
Writing replaces bars of the same (symbol, session): re-importing a file is
idempotent. Everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, bindparam, delete, select

from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.adapters.store.schema import market_data
from tradecycle.core.panel import BarPanel

from . import calendar
from .bundled import panel_from_long
from .symbols import ensure_symbols
from .validate import ValidationReport, validate_bars

TIMEFRAME = "1d"
_VALUES = ("open", "high", "low", "close", "volume")
_IN_CHUNK = 500  # symbols per IN (...) list, well under every driver's parameter limit
WRITE_CHUNK = 100_000
BULK_CACHE_KIB = -131_072  # negative = KiB, SQLite's convention
Progress = Callable[[int, int], None]  # (rows done, rows total)


@dataclass(frozen=True)
class ImportResult:
    report: ValidationReport
    written: int


def write_bars(
    conn: Connection, frame: pd.DataFrame, source: str | None = None, progress: Progress | None = None
) -> int:
    """Store validated long-format bars (date, symbol, open, high, low, close, volume); return rows written.

    Symbols not yet in `symbols` are added (sector from the bundle or 'Unknown');
    existing bars of the same symbol and session are replaced. Large frames go in
    chunks of WRITE_CHUNK rows (bounded memory), `progress(done, total)` after each.
    """
    written = 0
    with _sqlite_page_cache(conn, len(frame)):
        for start in range(0, len(frame), WRITE_CHUNK):
            written += _write_chunk(conn, frame.iloc[start : start + WRITE_CHUNK], source)
            if progress:
                progress(written, len(frame))
    return written


@contextmanager
def _sqlite_page_cache(conn: Connection, rows: int) -> Iterator[None]:
    """A 128 MB SQLite page cache while a large frame goes in (the market_data indexes outgrow
    the 2 MB default and thrash: about a third less CPU per bulk load), restored afterwards."""
    if conn.dialect.name != "sqlite" or rows < WRITE_CHUNK:
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size={BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")


def _write_chunk(conn: Connection, frame: pd.DataFrame, source: str | None) -> int:
    codes, unique_days = pd.factorize(pd.to_datetime(frame["date"]).dt.normalize())
    closes = calendar.closes_utc(pd.DatetimeIndex(unique_days))
    day_stamps = [pd.Timestamp(close).tz_localize(UTC).to_pydatetime() for close in closes]
    day_labels = [day.strftime("%Y-%m-%d") for day in unique_days]
    symbols = frame["symbol"].astype(str).str.upper().tolist()
    ensure_symbols(conn, sorted(set(symbols)))
    code_list = codes.tolist()
    stamps = [day_stamps[c] for c in code_list]
    labels = [day_labels[c] for c in code_list]
    _delete_overlap(conn, symbols, labels)
    columns = {f: frame[f].to_numpy(dtype=float).tolist() for f in ("open", "high", "low", "close")}
    volume = frame["volume"].to_numpy(dtype=float).astype(np.int64).tolist()
    sources = frame["source"].tolist() if "source" in frame.columns else [source] * len(frame)
    rows = (
        {
            "symbol": symbols[i],
            "session": labels[i],
            "timestamp": stamps[i],
            "open": columns["open"][i],
            "high": columns["high"][i],
            "low": columns["low"][i],
            "close": columns["close"][i],
            "volume": volume[i],
            "source": sources[i],
        }
        for i in range(len(frame))
    )
    return insert_rows(conn, market_data, rows)


def _delete_overlap(conn: Connection, symbols: list[str], sessions: list[str]) -> None:
    """Delete the stored bars that the incoming (symbol, session) bars replace.

    One SELECT when nothing overlaps. A symbol whose stored bars within the incoming
    span are all being replaced (the usual re-import) is cleared with one range delete;
    otherwise only the exact (symbol, session) pairs go.
    """
    incoming = pd.DataFrame({"symbol": symbols, "session": sessions})
    spans = incoming.groupby("symbol")["session"].agg(["min", "max"])
    lo, hi = spans["min"].min(), spans["max"].max()
    md = market_data.c
    wanted = spans.index.tolist()
    existing: list[tuple[str, str]] = []
    for i in range(0, len(wanted), _IN_CHUNK):
        existing += conn.execute(
            select(md.symbol, md.session).where(
                md.timeframe == TIMEFRAME,
                md.session >= lo,
                md.session <= hi,
                md.symbol.in_(wanted[i : i + _IN_CHUNK]),
            )
        ).all()
    if not existing:
        return
    stored_symbols, stored_sessions = zip(*existing, strict=True)
    stored = pd.DataFrame({"symbol": stored_symbols, "session": stored_sessions}).join(spans, on="symbol")
    stored = stored[(stored["session"] >= stored["min"]) & (stored["session"] <= stored["max"])]
    if stored.empty:
        return
    keys = set(zip(symbols, sessions, strict=True))
    replaced = np.fromiter(
        (k in keys for k in zip(stored["symbol"], stored["session"], strict=True)),
        dtype=bool,
        count=len(stored),
    )
    whole = pd.Series(replaced).groupby(stored["symbol"].to_numpy()).all()
    ranges = [
        {"b_symbol": sym, "b_lo": spans.at[sym, "min"], "b_hi": spans.at[sym, "max"]}
        for sym in whole.index[whole]
    ]
    exact = stored[replaced & ~stored["symbol"].map(whole).to_numpy(dtype=bool)]
    where_symbol = and_(md.symbol == bindparam("b_symbol"), md.timeframe == TIMEFRAME)
    if ranges:
        conn.execute(
            delete(market_data).where(
                where_symbol, md.session >= bindparam("b_lo"), md.session <= bindparam("b_hi")
            ),
            ranges,
        )
    if len(exact):
        conn.execute(
            delete(market_data).where(where_symbol, md.session == bindparam("b_session")),
            [
                {"b_symbol": sym, "b_session": ses}
                for sym, ses in zip(exact["symbol"], exact["session"], strict=True)
            ],
        )


def import_bars(
    conn: Connection,
    frame: pd.DataFrame,
    source_name: str,
    *,
    skip_bad: bool = False,
    source: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate then store: any bad row rejects the whole frame unless `skip_bad` (then only good rows go in)."""
    report = validate_bars(frame, source_name)
    if not skip_bad:
        report.raise_if_bad()
    good = frame.loc[~report.bad]
    written = write_bars(conn, good, source=source, progress=progress)
    return ImportResult(report=report, written=written)


def load_panel(
    conn: Connection,
    start: calendar.DayLike | None = None,
    end: calendar.DayLike | None = None,
    symbols: list[str] | None = None,
    *,
    asof: datetime | None = None,
) -> BarPanel:
    """The stored daily bars as a panel over the XNYS sessions they span.

    `start`/`end` bound session labels (inclusive); `asof` (tz-aware) keeps only bars
    complete by then. With `symbols`, rows come in that order (all-NaN when a symbol
    has no bars); otherwise every stored symbol, sorted.
    """
    md = market_data.c
    query = select(md.symbol, md.session, md.open, md.high, md.low, md.close, md.volume).where(
        md.timeframe == TIMEFRAME
    )
    if start is not None:
        query = query.where(md.session >= _label(start))
    if end is not None:
        query = query.where(md.session <= _label(end))
    if symbols is not None:
        query = query.where(md.symbol.in_(list(symbols)))
    if asof is not None:
        if asof.tzinfo is None:
            raise ValueError("as-of time must be timezone-aware")
        query = query.where(md.timestamp <= asof)
    fetched = conn.execute(query).all()
    columns = list(zip(*fetched, strict=True)) if fetched else [()] * (2 + len(_VALUES))
    # factorize first: a few hundred distinct symbols and sessions, converted once each
    symbol_codes, stored_names = pd.factorize(np.asarray(columns[0], dtype=object))
    day_codes, stored_days = pd.factorize(np.asarray(columns[1], dtype=object))
    names = (
        np.sort(np.asarray(stored_names, dtype=str))
        if symbols is None
        else np.asarray(list(symbols), dtype=str)
    )
    index = {s: i for i, s in enumerate(names.tolist())}
    rows = np.asarray([index[s] for s in stored_names], dtype=np.intp)[symbol_codes]
    days = np.asarray(stored_days, dtype="datetime64[D]")[day_codes]
    values = {f: np.asarray(columns[2 + k], dtype=float) for k, f in enumerate(_VALUES)}
    panel = panel_from_long(names, rows, days, values)
    return panel if asof is None else panel.asof(asof)


def _label(day: calendar.DayLike) -> str:
    return calendar.session_label(day).strftime("%Y-%m-%d")
