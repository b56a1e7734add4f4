"""Execution-side phase cost per cycle: fills, exits, risk, execution, portfolio.

Replays N sessions of the bundled S&P 500 panel through the H4 phases only, with
a synthetic strategy (the 10 strongest 20-session risers each session become BUY
signals; stop 2% under the close, target 3R), so the account keeps ~10 positions
and trades every day. Prints milliseconds per cycle for each phase on SQLite and
PostgreSQL. Budget: a few ms per phase (a whole cycle has ~50 ms).

    python benchmarks/execution.py [--sessions 250] [--postgres URL] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

import numpy as np
from _common import scratch_postgres

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.adapters.marketdata.symbols import sector_map
from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import SettingsModel
from tradecycle.core.types import Side, Signal
from tradecycle.services import execution, exits, portfolio, risk
from tradecycle.services.context import CycleContext

DEFAULT_PG = os.environ.get(
    "TRADECYCLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PHASES = (
    ("fills", execution.run_fills_phase),
    ("exits", exits.run_phase),
    ("risk", risk.run_phase),
    ("execution", execution.run_phase),
    ("portfolio", portfolio.run_phase),
)


def signals_for(panel, session: int) -> list[Signal]:
    close = panel.close[:, : session + 1]
    change = close[:, -1] / close[:, -21] - 1.0
    change = np.where(np.isfinite(change), change, -np.inf)
    best = np.argsort(-change)[:10]
    out = []
    for i in best:
        entry = float(close[i, -1])
        stop = entry * 0.98
        out.append(
            Signal(
                str(panel.symbols[i]), Side.BUY, 80.0, 0.7, entry, stop, entry + 3 * (entry - stop), "bench"
            )
        )
    return out


def run(url: str, sessions: int) -> dict[str, float]:
    engine = prepare_database(url)
    settings = SettingsModel()
    panel = load_bundled_panel(start="2016-01-01")
    sectors = sector_map()
    with engine.begin() as conn:
        account = portfolio.ensure_account(conn, settings)
    totals = dict.fromkeys((name for name, _ in PHASES), 0.0)
    first = 30
    for session in range(first, first + sessions):
        now = panel.closes_utc[session].astype("datetime64[us]").item().replace(tzinfo=UTC) + timedelta(
            minutes=5
        )
        ctx = CycleContext(
            cycle_id=f"cycle_{now:%Y%m%d_%H%M%S}",
            now=now,
            settings=settings,
            panel=panel.head(session + 1),
            account_id=account,
            sectors=sectors,
            signals=signals_for(panel, session),
        )
        for name, phase in PHASES:
            tick = time.perf_counter()
            with engine.begin() as conn:
                phase(conn, ctx)
            totals[name] += time.perf_counter() - tick
    with engine.connect() as conn:
        problems = portfolio.reconcile(conn, account)
    engine.dispose()
    if problems:
        raise SystemExit(f"ledger does not reconcile: {problems}")
    return {name: seconds / sessions * 1000 for name, seconds in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=250)
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("sqlite", run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.sessions))
    if not args.no_postgres:
        with scratch_postgres(args.postgres) as url:
            report("postgres", run(url, args.sessions))


def report(engine: str, per_phase: dict[str, float]) -> None:
    phases = "  ".join(f"{name} {ms:6.2f}" for name, ms in per_phase.items())
    print(f"{engine:9s} ms/cycle: {phases}  total {sum(per_phase.values()):6.2f}")


if __name__ == "__main__":
    main()
