"""Reading bar files (CSV, optionally gzipped, or Parquet) into the canonical long format.

Columns are matched by name, case-insensitively, with the usual aliases of the
Kaggle (`Name`) and Yahoo (`Date`, `Adj Close`) layouts; `mapping` overrides the
match (canonical name -> column in the file). A file without a symbol column
(a Yahoo per-symbol download) needs `symbol=`. Every output row keeps `row`, its
row number in the file (CSV: the line number, header = line 1; Parquet: 1-based).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow.parquet as pq

from tradecycle.errors import DataError

from . import calendar
from .validate import BAR_FIELDS, COLUMNS

Format = Literal["csv", "parquet"]
Progress = Callable[[int, int], None]  # (bytes done, bytes total)

ALIASES = {
    "date": ("date", "timestamp", "datetime", "day", "session"),
    "symbol": ("symbol", "name", "ticker", "sym"),
    "open": ("open",),
    "high": ("high",),
    "low": ("low",),
    "close": ("close",),
    "volume": ("volume", "vol"),
}
CHUNK_ROWS = 200_000


def parse_mapping(text: str | None) -> dict[str, str]:
    """'date=Date,symbol=Name' -> {'date': 'Date', 'symbol': 'Name'}; unknown targets are errors."""
    if not text:
        return {}
    mapping: dict[str, str] = {}
    for part in text.split(","):
        target, sep, column = part.partition("=")
        target, column = target.strip().lower(), column.strip()
        if not sep or not column:
            raise DataError(f"--map entry {part!r} must look like date=Date")
        if target not in COLUMNS:
            raise DataError(f"--map target {target!r} is not one of {', '.join(COLUMNS)}")
        mapping[target] = column
    return mapping


def detect_format(path: Path) -> Format:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        return "parquet"
    if ".csv" in suffixes or ".txt" in suffixes:
        return "csv"
    raise DataError(f"{path}: cannot tell the format from the name; pass --format csv or --format parquet")


def resolve_columns(
    columns: list[str], mapping: dict[str, str], source: str, symbol: str | None
) -> dict[str, str]:
    """canonical name -> file column, for every canonical column the file provides."""
    lower = {str(c).strip().lower(): c for c in columns}
    resolved: dict[str, str] = {}
    for target in COLUMNS:
        if target in mapping:
            if mapping[target] not in columns:
                raise DataError(
                    f"{source}: --map {target}={mapping[target]}: no such column (found: {', '.join(columns)})"
                )
            resolved[target] = mapping[target]
            continue
        found = next((lower[a] for a in ALIASES[target] if a in lower), None)
        if found is not None:
            resolved[target] = found
    missing = [c for c in COLUMNS if c not in resolved and not (c == "symbol" and symbol)]
    if missing:
        raise DataError(
            f"{source}: no column for {', '.join(missing)} (found: {', '.join(map(str, columns))}); "
            f"map them with --map {missing[0]}=<column>"
            + (" or give --symbol" if "symbol" in missing else "")
        )
    return resolved


def read_bars(
    path: Path,
    fmt: Format | None = None,
    mapping: dict[str, str] | None = None,
    symbol: str | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """The file as a canonical frame: date (datetime64, NaT if unreadable), symbol (upper), prices and
    volume as floats (NaN if empty or not a number), row."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    fmt = fmt or detect_format(path)
    source = path.name
    reader = _read_parquet if fmt == "parquet" else _read_csv
    raw, first_row = reader(path, progress)
    resolved = resolve_columns([str(c) for c in raw.columns], mapping or {}, source, symbol)
    frame = pd.DataFrame({target: raw[column] for target, column in resolved.items()})
    if "symbol" not in frame.columns:
        frame["symbol"] = symbol
    frame["symbol"] = frame["symbol"].astype("string").str.strip().str.upper()
    frame["date"] = calendar.session_dates(frame["date"])
    for column in BAR_FIELDS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["row"] = range(first_row, first_row + len(frame))
    return frame[[*COLUMNS, "row"]].reset_index(drop=True)


def _read_parquet(path: Path, progress: Progress | None) -> tuple[pd.DataFrame, int]:
    try:
        frame = pq.read_table(path).to_pandas()
    except Exception as exc:  # noqa: BLE001 - any reader failure is bad input, reported with the file
        raise DataError(f"{path.name}: not a readable Parquet file ({exc})") from None
    size = path.stat().st_size
    if progress:
        progress(size, size)
    return frame, 1


def _read_csv(path: Path, progress: Progress | None) -> tuple[pd.DataFrame, int]:
    size = path.stat().st_size
    chunks = []
    with ExitStack() as stack:
        raw = stack.enter_context(path.open("rb"))
        stream = stack.enter_context(gzip.open(raw)) if path.suffix.lower() == ".gz" else raw
        try:
            for chunk in pd.read_csv(stream, chunksize=CHUNK_ROWS):
                chunks.append(chunk)
                if progress:
                    progress(raw.tell(), size)
        except (pd.errors.ParserError, UnicodeDecodeError, OSError, EOFError) as exc:
            raise DataError(f"{path.name}: not a readable CSV file ({exc})") from None
        except pd.errors.EmptyDataError:
            raise DataError(f"{path.name}: the file is empty") from None
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    return frame, 2
