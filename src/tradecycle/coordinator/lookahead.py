"""`check-lookahead`: prove, for the user's own settings, that no cycle sees the future.

The same sessions are replayed twice into two scratch databases: once the normal
way (features computed once over the whole range, then cut per cycle) and once
with every cycle recomputing its features from a panel that ends at its own
session, so the future does not exist for it. Any signal, order or prediction that
differs between the two is lookahead, reported row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Table, select

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.engine import make_engine
from tradecycle.config import SettingsModel

from .clock import Clock
from .replay import ReplaySummary, replay

# What a cycle decides; wall-clock and surrogate-key columns are not decisions.
COMPARED_TABLES: tuple[Table, ...] = (s.strategy_evaluations, s.ml_predictions, s.orders, s.risk_metrics)
IGNORED_COLUMNS = {"id", "created_at", "updated_timestamp"}


@dataclass
class LookaheadReport:
    sessions: int
    rows_compared: dict[str, int] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    replays: tuple[ReplaySummary, ReplaySummary] | None = None

    @property
    def clean(self) -> bool:
        return not self.differences


def check_lookahead(
    settings: SettingsModel,
    start: date,
    end: date,
    workdir: Path,
    wall: Clock,
    symbols: Sequence[str] | None = None,
    source_url: str | None = None,
) -> LookaheadReport:
    """Replay [start, end] both ways in `workdir` and compare every decision row."""
    from tradecycle.adapters.store.database import prepare_database

    summaries = []
    engines = []
    for mode in ("precomputed", "truncated"):
        url = f"sqlite:///{workdir / f'lookahead_{mode}.db'}"
        engine = prepare_database(url)
        engines.append(engine)
        run_settings = settings.model_copy(update={"database_url": url})
        if settings.data.provider == "database":
            _copy_bars(source_url or settings.database_url, engine)
        summaries.append(replay(engine, run_settings, start, end, symbols, wall=wall, features=mode))
    report = LookaheadReport(sessions=summaries[0].sessions, replays=(summaries[0], summaries[1]))
    for table in COMPARED_TABLES:
        left, right = (_decision_rows(engine, table) for engine in engines)
        report.rows_compared[table.name] = len(left)
        report.differences.extend(_diff(table.name, left, right))
    for engine in engines:
        engine.dispose()
    for summary, mode in zip(summaries, ("precomputed", "truncated"), strict=True):
        if not summary.ok:
            report.differences.append(f"{mode} replay failed: {summary.first_failure}")
    return report


def _copy_bars(source_url: str, target) -> None:
    """Bring the user's imported bars into a scratch database."""
    from tradecycle.adapters.store.bulk import insert_rows

    source = make_engine(source_url)
    try:
        with source.connect() as src, target.begin() as dst:
            for table in (s.symbols, s.market_data):
                rows = [dict(row) for row in src.execute(select(table)).mappings()]
                insert_rows(dst, table, rows)
    finally:
        source.dispose()


def _decision_rows(engine, table: Table) -> list[tuple]:
    columns = [c for c in table.c if c.key not in IGNORED_COLUMNS]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns)).all()
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


def _diff(name: str, left: list[tuple], right: list[tuple], limit: int = 20) -> list[str]:
    only_left = sorted(set(left) - set(right))
    only_right = sorted(set(right) - set(left))
    lines = [f"{name}: with future data only: {row}" for row in only_left[:limit]]
    lines += [f"{name}: without future data only: {row}" for row in only_right[:limit]]
    hidden = len(only_left) + len(only_right) - len(lines)
    if hidden > 0:
        lines.append(f"{name}: ... and {hidden} more differing rows")
    return lines
