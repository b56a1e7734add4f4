"""The coordinator's own cost per cycle: six phases that do nothing, recorded as every cycle is.

Each cycle still claims its trading_cycles row, runs every phase in its own transaction with
its workflow_tracking row and events, and closes with workflow_metrics. This is the floor
under any replay with those phases (benchmarks/peers.py runs sma_cross with exactly these
six), whatever the phases compute.

    python benchmarks/cycle_floor.py [--database postgresql://postgres@127.0.0.1/test] [--cycles 1200]

Session 6 (loop 48-50 ms): 0.83 ms a cycle on SQLite (1.12 ms before the cycle's close used
statements built once), so 1.0 s for the 1200 sessions peers.py replays, 10 times vectorbt's
whole run of the crossover (0.10 s); 3.14 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC
from pathlib import Path

import numpy as np
from _common import machine_speed, scratch_postgres

from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import SettingsModel
from tradecycle.coordinator.clock import WallClock
from tradecycle.coordinator.cycle import CycleInputs, CycleRunner
from tradecycle.coordinator.phases import Phase
from tradecycle.core.panel import BarPanel
from tradecycle.services.context import PhaseResult

PHASES = ("fills", "strategy", "exits", "risk", "execution", "portfolio")


def flat_panel(n_sessions: int) -> BarPanel:
    """One symbol, business days from 2015-01-05, closes at 21:00 UTC."""
    days = np.arange(np.datetime64("2015-01-05"), np.datetime64("2015-01-05") + 2 * n_sessions)
    days = days[np.is_busday(days)][:n_sessions]
    prices = np.full((1, n_sessions), 50.0)
    return BarPanel(
        symbols=np.array(["S0"]),
        sessions=days,
        closes_utc=days.astype("datetime64[ns]") + np.timedelta64(21, "h"),
        open=prices,
        high=prices,
        low=prices,
        close=prices,
        volume=np.full_like(prices, 1e6),
    )


def run(url: str, cycles: int) -> float:
    engine = prepare_database(url)
    panel = flat_panel(cycles + 1)
    phases = [Phase(name, lambda conn, ctx: PhaseResult()) for name in PHASES]
    runner = CycleRunner(
        engine, SettingsModel(), phases, WallClock(), mode="replay", holdings=lambda conn, a: set()
    )
    started = time.perf_counter()
    with runner.one_connection():
        for index in range(1, cycles + 1):
            as_of = panel.closes_utc[index].astype("datetime64[us]").item().replace(tzinfo=UTC)
            outcome = runner.run(
                CycleInputs(as_of=as_of, panel=panel.head(index + 1), features=None, account_id=1, sectors={})
            )
            assert not outcome.skipped, outcome
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="database URL (default: a scratch SQLite file)")
    parser.add_argument("--cycles", type=int, default=1200)
    args = parser.parse_args()
    print(machine_speed())
    with tempfile.TemporaryDirectory() as scratch:
        if args.database and args.database.startswith("postgresql"):
            with scratch_postgres(args.database) as url:
                seconds = run(url, args.cycles)
        else:
            seconds = run(args.database or f"sqlite:///{Path(scratch) / 'floor.db'}", args.cycles)
    print(
        f"{args.cycles} cycles of {len(PHASES)} empty phases in {seconds:.2f} s: "
        f"{1000 * seconds / args.cycles:.2f} ms a cycle of bookkeeping alone"
    )


if __name__ == "__main__":
    main()
