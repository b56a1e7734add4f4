"""Replay: the live cycle code run session by session on a simulated clock.

The panel is cut at the replay's end once, features are computed once over it
(every feature is causal: its value at a session uses only bars up to that session,
which tests and `tradecycle check-lookahead` prove), and each cycle is handed
`panel.head(s + 1)` and `features.head(s + 1)` with the clock set just after
session s closed. Completed cycles are skipped, so an interrupted replay resumes
where it stopped and ends in the same state as an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tradecycle.adapters.store.maintenance import refresh_planner_statistics
from tradecycle.config import SettingsModel
from tradecycle.core.benchmark import equal_weight_curve
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import CycleStatus
from tradecycle.errors import DataError

from . import recording
from .clock import Clock, WallClock
from .cycle import CycleInputs, CycleOutcome, CycleRunner, cycle_id_for
from .memory import keep_large_blocks_mapped, release_freed_memory
from .phases import load_phases
from .prefetch import AnalysisPrefetch, OneCycleAhead

# A daily cycle runs this long after the session's close, once the bar is final.
CYCLE_DELAY = timedelta(minutes=5)

FeatureMode = Literal["precomputed", "truncated"]


@dataclass
class ReplaySummary:
    start: date
    end: date
    sessions: int
    cycles_run: int = 0
    cycles_skipped: int = 0
    cycles_failed: int = 0
    first_failure: str | None = None
    phase_seconds: dict[str, float] = field(default_factory=dict)
    cycle_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.cycles_failed == 0


def load_source_panel(
    engine: Engine, settings: SettingsModel, end: date | None = None, symbols: Sequence[str] | None = None
) -> BarPanel:
    """The bars the configured provider serves, up to `end` (nothing after it is loaded)."""
    provider = settings.data.provider
    if provider == "bundled":
        from tradecycle.adapters.marketdata.bundled import load_bundled_panel

        return load_bundled_panel(end=end, symbols=list(symbols) if symbols else None)
    if provider == "database":
        from tradecycle.adapters.marketdata.store import load_panel

        with engine.connect() as conn:
            return load_panel(conn, end=end, symbols=list(symbols) if symbols else None)
    raise DataError(
        f"data.provider={provider!r} is an online source: fetch bars into the database first "
        f"(tradecycle data fetch --provider {provider} ...), then set data.provider = 'database'"
    )


def session_as_of(panel: BarPanel, index: int) -> datetime:
    """When the cycle for session `index` runs: a few minutes after that session's close."""
    close = pd.Timestamp(panel.closes_utc[index]).tz_localize("UTC").to_pydatetime()
    return close + CYCLE_DELAY


def session_open(panel: BarPanel, index: int) -> datetime:
    """When session `index` opened: a new account is funded then, before its first cycle."""
    from tradecycle.adapters.marketdata import calendar

    return calendar.session_open_utc(panel.sessions[index].astype("datetime64[D]").item())


def session_range(panel: BarPanel, start: date, end: date) -> np.ndarray:
    """Indices of the panel's sessions within [start, end]; a clear error if there are none."""
    days = panel.sessions
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    if start > end:
        raise DataError(f"replay start {start} is after its end {end}")
    picked = np.flatnonzero((days >= lo) & (days <= hi))
    if picked.size == 0:
        first, last = (str(days[0]), str(days[-1])) if len(days) else ("-", "-")
        raise DataError(f"no trading sessions between {start} and {end}; the data covers {first} to {last}")
    return picked


def prepare_run(
    engine: Engine, settings: SettingsModel, wall: Clock, opened_at: datetime, symbols: Sequence[str] = ()
) -> tuple[int, dict[str, str]]:
    """Close orphaned cycles, make sure the account exists (funded at `opened_at`, before the
    first cycle it trades in) and so do the universe's `symbols` rows (a fill then never
    stops to add its symbol), read the sector map."""
    from tradecycle.adapters.marketdata.symbols import ensure_symbols, sector_map
    from tradecycle.services.portfolio import ensure_account

    with engine.begin() as conn:
        recording.fail_orphaned_cycles(conn, wall.now(), recording.pid_alive)
        account_id = ensure_account(conn, settings, at=opened_at)
        ensure_symbols(conn, list(symbols))
        sectors = sector_map(conn)
    return account_id, sectors


TRIM_EVERY_CYCLES = 21  # ML retrains come every 63 sessions; their leftovers go back soon after
STATISTICS_EVERY_CYCLES = 63  # a quarter of sessions: the hot tables have grown by a quarter


def replay(
    engine: Engine,
    settings: SettingsModel,
    start: date,
    end: date,
    symbols: Sequence[str] | None = None,
    *,
    wall: Clock | None = None,
    features: FeatureMode = "precomputed",
    on_cycle: Callable[[CycleOutcome, int, int], None] | None = None,
    stop_on_failure: bool = True,
) -> ReplaySummary:
    """Run one cycle per session in [start, end]; return what happened."""
    from tradecycle.services.analysis import precompute_features

    from .features import compute_features

    wall = wall or WallClock()
    keep_large_blocks_mapped()
    panel = load_source_panel(engine, settings, end=end, symbols=symbols)
    picked = session_range(panel, start, end)
    account_id, sectors = prepare_run(
        engine, settings, wall, opened_at=session_open(panel, int(picked[0])), symbols=panel.symbols.tolist()
    )
    all_features = compute_features(panel, settings) if features == "precomputed" else None
    benchmark = equal_weight_curve(panel.close, int(picked[0]), settings.broker.initial_cash)
    phases = load_phases(settings, engine=engine, wall=wall)
    runner = CycleRunner(engine, settings, phases, wall, mode="replay")
    summary = ReplaySummary(start=start, end=end, sessions=len(picked))
    phase_names = [p.name for p in phases]
    prefetch = AnalysisPrefetch.start_if_possible(panel, all_features, settings, phase_names)
    ahead = None
    if prefetch is not None:
        done_before = completed_cycle_ids(engine)
        to_run = [int(i) for i in picked if cycle_id_for(session_as_of(panel, int(i))) not in done_before]
        after = OneCycleAhead.first_analysed(phase_names)
        ahead = OneCycleAhead(prefetch, runner.shared_cache, to_run, after)
        runner.after_phase = ahead.phase_done
    try:
        with runner.one_connection():
            for done, index in enumerate(picked, start=1):
                as_of = session_as_of(panel, int(index))
                if ahead is not None:
                    ahead.cycle_starts(int(index))
                visible = panel.head(int(index) + 1)
                cycle_features = (
                    all_features.head(int(index) + 1)
                    if all_features is not None
                    else precompute_features(visible, settings)
                )
                outcome = runner.run(
                    CycleInputs(
                        as_of=as_of,
                        panel=visible,
                        features=cycle_features,
                        account_id=account_id,
                        sectors=sectors,
                        benchmark_value=float(benchmark[index]),
                    )
                )
                _tally(summary, outcome)
                if done % TRIM_EVERY_CYCLES == 0:
                    release_freed_memory()
                if done % STATISTICS_EVERY_CYCLES == 0:
                    refresh_planner_statistics(engine)
                if on_cycle is not None:
                    on_cycle(outcome, done, len(picked))
                if outcome.status is CycleStatus.FAILED and stop_on_failure:
                    break
    finally:
        if prefetch is not None:
            prefetch.close()
    return summary


def completed_cycle_ids(engine: Engine) -> set[str]:
    """Cycles already completed (a resumed replay skips them, so nothing is prefetched for them)."""
    from sqlalchemy import select

    from tradecycle.adapters.store import schema as s

    with engine.connect() as conn:
        rows = conn.execute(
            select(s.trading_cycles.c.cycle_id).where(
                s.trading_cycles.c.status == CycleStatus.COMPLETED.value
            )
        )
        return set(rows.scalars())


def _tally(summary: ReplaySummary, outcome: CycleOutcome) -> None:
    summary.cycle_ids.append(outcome.cycle_id)
    if outcome.skipped:
        summary.cycles_skipped += 1
        return
    summary.cycles_run += 1
    for record in outcome.phases:
        summary.phase_seconds[record.phase] = summary.phase_seconds.get(record.phase, 0.0) + record.duration
    if outcome.status is CycleStatus.FAILED:
        summary.cycles_failed += 1
        summary.first_failure = summary.first_failure or f"{outcome.cycle_id}: {outcome.error}"
