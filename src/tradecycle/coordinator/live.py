"""One cycle at a given moment: `tradecycle run`, the scheduler and the API.

The data must reach the last session that closed before the cycle's time, or the
cycle would trade on stale prices; that is an error naming both dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import Engine, func, select

from tradecycle.adapters.store import schema as s
from tradecycle.config import SettingsModel
from tradecycle.core.benchmark import equal_weight_curve
from tradecycle.core.types import CycleStatus
from tradecycle.errors import DataError

from .clock import Clock
from .cycle import CycleInputs, CycleOutcome, CycleRunner
from .phases import load_phases
from .replay import CYCLE_DELAY, load_source_panel, prepare_run, session_as_of, session_open


def last_closed_session(at: datetime) -> date | None:
    """The newest XNYS session whose close is at or before `at`."""
    from tradecycle.adapters.marketdata import calendar

    recent = calendar.sessions(at.date() - timedelta(days=10), at.date())
    closes = calendar.closes_utc(recent)
    done = np.flatnonzero(closes <= np.datetime64(at.astimezone(UTC).replace(tzinfo=None), "ns"))
    return None if done.size == 0 else recent[done[-1]].date()


def run_once(
    engine: Engine, settings: SettingsModel, wall: Clock, at: datetime | None = None
) -> CycleOutcome:
    """Run the cycle for `at` (default: now on `wall`) on the data as of that moment."""
    moment = at or wall.now()
    if moment.tzinfo is None:
        raise DataError(
            f"cycle time {moment.isoformat()} has no timezone; give one, e.g. 2015-06-01T20:05:00Z"
        )
    panel = load_source_panel(engine, settings, end=moment.date()).asof(moment)
    if panel.n_sessions == 0:
        raise DataError(f"no market data is complete at {moment.isoformat()}")
    newest = panel.sessions[-1].astype("datetime64[D]").item()
    expected = last_closed_session(moment)
    if expected is not None and newest < expected:
        raise DataError(
            f"market data ends at {newest} but the session of {expected} has closed by {moment.isoformat()}: "
            "import fresh bars (tradecycle data import / data fetch) or run a past cycle with --at"
        )
    return _run_on(engine, settings, wall, panel, moment)


def run_next(engine: Engine, settings: SettingsModel, wall: Clock) -> CycleOutcome:
    """Run the cycle of the first session after the newest completed cycle (continues a replay)."""
    with engine.connect() as conn:
        newest = conn.execute(
            select(func.max(s.trading_cycles.c.as_of)).where(
                s.trading_cycles.c.status == CycleStatus.COMPLETED.value
            )
        ).scalar_one_or_none()
    panel = load_source_panel(engine, settings)
    if panel.n_sessions == 0:
        raise DataError("there is no market data: run tradecycle data seed or data import first")
    index = panel.n_sessions - 1 if newest is None else panel.visible_sessions(newest - CYCLE_DELAY)
    if index >= panel.n_sessions:
        raise DataError(f"no session after the last completed cycle ({newest:%Y-%m-%d}) in the market data")
    moment = session_as_of(panel, index)
    return _run_on(engine, settings, wall, panel.head(index + 1), moment)


def _run_on(engine: Engine, settings: SettingsModel, wall: Clock, panel, moment: datetime) -> CycleOutcome:
    from .features import compute_features

    account_id, sectors = prepare_run(
        engine,
        settings,
        wall,
        opened_at=session_open(panel, panel.n_sessions - 1),
        symbols=panel.symbols.tolist(),
    )
    runner = CycleRunner(engine, settings, load_phases(settings, engine=engine, wall=wall), wall, mode="live")
    inputs = CycleInputs(
        as_of=moment,
        panel=panel,
        features=compute_features(panel, settings),
        account_id=account_id,
        sectors=sectors,
        benchmark_value=_benchmark_value(engine, settings, panel),
    )
    return runner.run(inputs)


def _benchmark_value(engine: Engine, settings: SettingsModel, panel) -> float | None:
    """The equal-weight benchmark anchored at the first cycle this database ever ran."""
    with engine.connect() as conn:
        first = conn.execute(select(func.min(s.trading_cycles.c.as_of))).scalar_one_or_none()
    start = panel.n_sessions - 1 if first is None else max(panel.visible_sessions(first) - 1, 0)
    value = equal_weight_curve(panel.close, start, settings.broker.initial_cash)[-1]
    return float(value) if np.isfinite(value) else None
