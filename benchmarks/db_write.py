"""Batched write throughput: 100k technical_indicators rows through insert_rows.

Prints rows/s on SQLite (a fresh file) and PostgreSQL (a scratch schema, dropped
afterwards). Goal: >= 200k rows/s on SQLite.

    python benchmarks/db_write.py [--rows 100000] [--batch 10000] [--repeat 3] [--postgres URL] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import scratch_postgres
from sqlalchemy import text

from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.adapters.store.database import prepare_database
from tradecycle.adapters.store.schema import technical_indicators

DEFAULT_PG = os.environ.get(
    "TRADECYCLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
INDICATORS = (
    "rsi_14",
    "macd",
    "macd_signal",
    "sma_20",
    "sma_50",
    "ema_12",
    "atr_14",
    "bb_upper",
    "bb_lower",
    "adx",
)


def make_rows(n: int) -> list[dict]:
    """Rows shaped like a replay's: one cycle timestamp per 5,050 rows (505 symbols x 10 indicators).

    created_at is given, as every phase does (ctx.now, simulated time), so the server
    default is not what is measured.
    """
    start = datetime(2018, 1, 2, 21, tzinfo=UTC)
    rows = []
    for i in range(n):
        cycle = i // 5050
        now = start + timedelta(days=cycle)
        rows.append(
            {
                "symbol": f"S{(i // len(INDICATORS)) % 505:03d}",
                "indicator_name": INDICATORS[i % len(INDICATORS)],
                "indicator_value": 50.0 + (i % 97) * 0.5,
                "signal": ("BUY", "SELL", "NEUTRAL")[i % 3],
                "timeframe": "1d",
                "calculation_timestamp": now,
                "metadata": None,
                "created_at": now,
                "cycle_id": f"cycle_{cycle:05d}",
            }
        )
    return rows


def measure(url: str, rows: list[dict], batch: int) -> tuple[float, float]:
    """(rows/s by wall clock, rows/s by this process's CPU time) for one fresh database.

    CPU time is reported too because the machine may be shared: on SQLite all the work
    is in this process, so CPU time is the load-independent figure.
    """
    engine = prepare_database(url)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        for offset in range(0, len(rows), batch):
            with engine.begin() as conn:
                insert_rows(conn, technical_indicators, rows[offset : offset + batch])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        with engine.connect() as conn:
            written = conn.execute(text("SELECT count(*) FROM technical_indicators")).scalar_one()
        assert written == len(rows), f"wrote {written} of {len(rows)} rows"
    finally:
        engine.dispose()
    return len(rows) / wall, len(rows) / cpu


def best_of(repeat: int, run) -> tuple[float, float]:
    results = [run() for _ in range(repeat)]
    return max(r[0] for r in results), max(r[1] for r in results)


def report(name: str, n: int, batch: int, rates: tuple[float, float]) -> None:
    print(
        f"{name:<10} {n:>8,} rows  batch {batch:>6,}  {rates[0]:>10,.0f} rows/s wall  {rates[1]:>10,.0f} rows/s cpu"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000, help="rows per transaction")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine; the best is printed")
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    rows = make_rows(args.rows)

    def sqlite_run() -> tuple[float, float]:
        with tempfile.TemporaryDirectory() as tmp:
            return measure(f"sqlite:///{Path(tmp) / 'bench.db'}", rows, args.batch)

    report("sqlite", args.rows, args.batch, best_of(args.repeat, sqlite_run))
    if not args.no_postgres:
        report("postgresql", args.rows, args.batch, best_of(args.repeat, lambda: postgres_run(args, rows)))


def postgres_run(args: argparse.Namespace, rows: list[dict]) -> tuple[float, float]:
    """One run in a scratch schema, dropped afterwards (CPU figure excludes the server's work)."""
    with scratch_postgres(args.postgres) as url:
        return measure(url, rows, args.batch)


if __name__ == "__main__":
    main()
