"""Adopt a database written by the seed's own services.

The seed's SQLite file has the 16 seed tables plus pl_summary and position_pl, no
revision, no CHECKs or foreign keys, timestamps in several spellings and statuses
outside our enumerations. Adoption builds a fresh head-schema file beside it, copies
every row (same ids) with timestamps normalised to UTCDateTime and statuses mapped
(the original kept in the row's metadata JSON), checks the counts, then swaps the new
file into place. Any failure leaves the original untouched.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, text

from tradecycle.core import types as t
from tradecycle.errors import DatabaseError, DataError

from .bulk import insert_rows, to_json
from .engine import make_engine
from .schema import LEGACY_TABLES, SEED_TABLES, metadata
from .types import UTCDateTime, parse_utc

BATCH = 5_000


def _enum_map(enum, aliases: dict[str, str]) -> dict[str, str]:
    """Lower-cased spelling -> enum value: every member's own value plus the legacy aliases."""
    mapping = {m.value.lower(): m.value for m in enum}
    mapping.update({k: enum(v).value for k, v in aliases.items()})
    return mapping


_ORDER_STATUS = _enum_map(
    t.OrderStatus,
    {
        "new": "submitted",
        "accepted": "submitted",
        "pending_new": "submitted",
        "open": "submitted",
        "partially_filled": "partial",
        "canceled": "cancelled",
        "expired": "cancelled",
        "done_for_day": "cancelled",
        "executed": "filled",
        "failed": "rejected",
    },
)
_TRADE_STATUS = _enum_map(
    t.TradeStatus,
    {
        "executed": "open",
        "filled": "open",
        "active": "open",
        "completed": "closed",
        "canceled": "cancelled",
        "rejected": "cancelled",
        "failed": "cancelled",
    },
)
_SERVICE_STATUS = _enum_map(
    t.ServiceStatus,
    {
        "active": "running",
        "healthy": "running",
        "online": "running",
        "started": "running",
        "starting": "running",
        "inactive": "stopped",
        "offline": "stopped",
        "unhealthy": "error",
        "failed": "error",
    },
)
_CYCLE_ALIASES = {
    "complete": "completed",
    "success": "completed",
    "succeeded": "completed",
    "started": "running",
    "in_progress": "running",
    "error": "failed",
}
_CYCLE_STATUS = _enum_map(t.CycleStatus, _CYCLE_ALIASES)
_PHASE_STATUS = _enum_map(t.PhaseStatus, _CYCLE_ALIASES)
_SIGNAL = _enum_map(t.SignalLabel, {"bullish": "BUY", "bearish": "SELL", "hold": "NEUTRAL"})
_SENTIMENT = _enum_map(t.SentimentLabel, {"bullish": "positive", "bearish": "negative"})

# table -> column -> lower-cased legacy spelling -> our value
VALUE_MAPS: dict[str, dict[str, dict[str, str]]] = {
    "trades": {"status": _TRADE_STATUS, "signal_type": _enum_map(t.Side, {})},
    "orders": {
        "status": _ORDER_STATUS,
        "side": _enum_map(t.Side, {}),
        "order_type": _enum_map(t.OrderType, {"stop-limit": "STOP_LIMIT", "stoplimit": "STOP_LIMIT"}),
    },
    "service_coordination": {"status": _SERVICE_STATUS},
    "trading_cycles": {"status": _CYCLE_STATUS},
    "workflow_metrics": {"status": _CYCLE_STATUS},
    "workflow_tracking": {"status": _PHASE_STATUS},
    "technical_indicators": {"signal": _SIGNAL},
    "pattern_analysis": {"pattern_type": _enum_map(t.PatternType, {}), "direction": _SIGNAL},
    "news_sentiment": {"sentiment_label": _SENTIMENT},
    "ml_predictions": {"prediction_type": _enum_map(t.PredictionType, {})},
}


def is_legacy(table_names: set[str]) -> bool:
    """Seed tables present but not our schema: a file the seed's services wrote."""
    return bool(table_names & set(SEED_TABLES)) and not set(metadata.tables) <= table_names


def normalise_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """One legacy row in our schema: timestamps as UTC datetimes, statuses mapped, originals kept."""
    out = dict(row)
    originals: dict[str, Any] = {}
    for name, value in row.items():
        if name not in table.c:
            raise DataError(
                f"{table.name} row id={row.get('id')}: column {name!r} is not in the tradecycle schema"
            )
        if value is None:
            continue
        if isinstance(table.c[name].type, UTCDateTime):
            out[name] = _timestamp(table.name, row, name, value)
        mapping = VALUE_MAPS.get(table.name, {}).get(name)
        if mapping is not None:
            mapped = mapping.get(str(value).strip().lower())
            if mapped is None:
                raise DataError(
                    f"{table.name} row id={row.get('id')}: {name} value {value!r} has no tradecycle equivalent "
                    f"(expected one of {sorted(set(mapping.values()))})"
                )
            if mapped != value:
                originals[name] = value
                out[name] = mapped
    if originals:
        if "metadata" not in table.c:
            raise DataError(f"{table.name} row id={row.get('id')}: no metadata column to keep {originals}")
        out["metadata"] = _with_legacy(row.get("metadata"), originals)
    return out


def _timestamp(table: str, row: dict[str, Any], column: str, value: Any) -> datetime:
    """Seed timestamps are naive (CURRENT_TIMESTAMP or datetime.now()); they are taken as UTC."""
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        return parse_utc(str(value))
    except ValueError:
        raise DataError(f"{table} row id={row.get('id')}: {column} {value!r} is not a timestamp") from None


def _with_legacy(existing: Any, originals: dict[str, Any]) -> str:
    meta: dict[str, Any]
    if existing in (None, ""):
        meta = {}
    else:
        try:
            parsed = json.loads(existing)
        except (TypeError, ValueError):
            parsed = existing
        meta = parsed if isinstance(parsed, dict) else {"legacy_metadata": parsed}
    meta["legacy"] = {**meta.get("legacy", {}), **originals}
    return to_json(meta)


def check_writable(path: Path) -> None:
    """Adoption rewrites the file: a read-only one (mode bits, honoured even for root) is refused."""
    read_only = not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    if read_only or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise DatabaseError(f"{path}: read-only; make the file and its directory writable to adopt it")


def adopt(path: Path, create_schema: Callable[[Connection], None]) -> dict[str, int]:
    """Replace the seed file at `path` by an adopted copy; return rows per table (equal before/after)."""
    check_writable(path)
    work = path.with_name(f"{path.name}.adopting")
    _remove_database_files(work)
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        counts = _copy_all(source, work, create_schema)
    except BaseException:
        _remove_database_files(work)
        raise
    finally:
        source.close()
    _remove_database_files(path, main=False)
    os.replace(work, path)
    return counts


def _copy_all(
    source: sqlite3.Connection, work: Path, create_schema: Callable[[Connection], None]
) -> dict[str, int]:
    present = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    unknown = present - set(metadata.tables) - {"sqlite_sequence"}
    if unknown:
        raise DatabaseError(f"cannot adopt: table(s) {sorted(unknown)} are not part of the seed schema")
    sequences = (
        dict(source.execute("SELECT name, seq FROM sqlite_sequence")) if "sqlite_sequence" in present else {}
    )
    engine = make_engine(f"sqlite:///{work}")
    counts: dict[str, int] = {}
    try:
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(
                "PRAGMA foreign_keys=OFF"
            )  # checked below, all at once, with a clear message
            create_schema(conn)
            for name in [n for n in (*SEED_TABLES, *LEGACY_TABLES) if n in present]:
                table = metadata.tables[name]
                copied = sum(insert_rows(conn, table, batch) for batch in _batches(source, table))
                expected = source.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                if copied != expected:
                    raise DatabaseError(f"adoption of {name} copied {copied} of {expected} rows")
                counts[name] = copied
            _restore_sequences(conn, sequences)
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                table, rowid, parent, _ = problems[0]
                raise DatabaseError(
                    f"cannot adopt: {len(problems)} row(s) reference missing parents, e.g. {table} rowid {rowid} "
                    f"-> {parent}"
                )
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    finally:
        engine.dispose()
    return counts


def _batches(source: sqlite3.Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    cursor = source.execute(f'SELECT * FROM "{table.name}" ORDER BY rowid')
    columns = [d[0] for d in cursor.description]
    while rows := cursor.fetchmany(BATCH):
        yield [normalise_row(table, dict(zip(columns, row, strict=True))) for row in rows]


def _restore_sequences(conn: Connection, sequences: dict[str, int]) -> None:
    """Keep AUTOINCREMENT high-water marks, so ids of deleted legacy rows are never reused."""
    for name, seq in sequences.items():
        if name not in metadata.tables or not metadata.tables[name].dialect_kwargs.get(
            "sqlite_autoincrement"
        ):
            continue
        params = {"seq": seq, "name": name}
        updated = conn.execute(
            text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = :name"), params
        )
        if updated.rowcount == 0:
            conn.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"), params)


def _remove_database_files(path: Path, main: bool = True) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    if main:
        path.unlink(missing_ok=True)
