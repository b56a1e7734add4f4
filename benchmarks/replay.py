"""Replay benchmark: the bundled universe, every phase and every DB write.

Goal: 505 symbols x 5 years (about 1,259 daily cycles) in <= 60 s with peak RSS < 500 MB,
on SQLite and on PostgreSQL. Prints wall time, cycles/s, peak RSS and the time per phase.

    python benchmarks/replay.py                                  # SQLite scratch file, full range
    python benchmarks/replay.py --database postgresql://postgres@127.0.0.1/test --start 2014-01-02 --end 2014-12-31

Measured 2026-11-25 on the shared 2-core dev box (load 1.5-4 from other work; judge by CPU time):

    full range, SQLite   before: 164 s wall, CPU 53.6 user + 7.2 sys, peak RSS 594 MB
                         after:  49.4 s wall, CPU 43.8 user + 5.4 sys, peak RSS 450 MB (identical rows)
    full range, PostgreSQL before: 97.9 s wall, client CPU 53.4 user + 6.6 sys, peak RSS 598 MB
                         after:  81.9 s wall, client CPU 46.1 user + 4.9 sys, peak RSS 454 MB
                         (the server shares the 2 cores; fills 10.4, risk 6.2, portfolio 6.1 ms/cycle)
    demo 2014-01-02..2015-12-31 (504 cycles), SQLite after: 19.7 s wall, peak RSS 389 MB
    per cycle, full range SQLite after (ms): patterns 8.7, fills 4.7, portfolio 3.0,
    technicals 3.0, risk 2.7, ml 2.7, strategy 1.5, exits 1.2, scan 1.1, news 0.6, execution 0.4;
    outside phases 12 s (start-up ~3 s, commits and tracking rows ~7 ms per cycle)

What moved it: one cycle-row read and no DELETE per phase on a first attempt, tracking and
events rows through insert_rows; no scipy.signal/sklearn in the replay process (pivots from
core.peaks, train AUC from core.ml_features.roc_auc: ~80 MB and ~1 s of imports); Arrow's
pooled buffers handed back after the bundled bars and news are decoded (~100 MB); ML
retrains build their features 64 symbols at a time (transient ~95 -> ~40 MB). The "after"
figures also include insert_rows' larger SQLite statements and column-wise gathering
(commits 1f992a5, 0d20b81, same window); without those: peak RSS 445 MB, CPU 56 s on a loaded box.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator.replay import replay
from tradecycle.settings import load_settings


def _admin(url: str):
    return create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


def _postgres_schema(url: str) -> tuple[str, str]:
    """A fresh schema so the benchmark never touches other data: (URL using it, its name)."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", schema


def _drop_schema(url: str, schema: str) -> None:
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="database URL (default: a scratch SQLite file)")
    parser.add_argument("--start", default="2013-02-08")
    parser.add_argument("--end", default="2018-02-07")
    parser.add_argument("--symbols", help="comma-separated subset (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database or f"sqlite:///{Path(scratch) / 'bench.db'}"
        schema = None
        if url.startswith("postgresql"):
            url, schema = _postgres_schema(url)
        try:
            _run(url, args)
        finally:
            if schema is not None:
                _drop_schema(args.database, schema)


def _run(url: str, args: argparse.Namespace) -> None:
    """Replay into `url` and print the figures."""
    settings = load_settings(None, {"database_url": url, "data": {"provider": "bundled"}})
    engine = prepare_database(url)
    symbols = args.symbols.split(",") if args.symbols else None
    started = time.perf_counter()
    summary = replay(engine, settings, date.fromisoformat(args.start), date.fromisoformat(args.end), symbols)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"engine           {engine.dialect.name}")
    print(f"sessions         {summary.sessions}")
    print(f"cycles run       {summary.cycles_run} (failed {summary.cycles_failed})")
    print(f"wall time        {seconds:.1f} s  (goal <= 60 s)")
    print(f"cycles/s         {summary.cycles_run / seconds:.1f}")
    print(f"peak RSS         {peak_mb:.0f} MB  (goal < 500 MB)")
    phase_total = sum(summary.phase_seconds.values())
    print(f"outside phases   {seconds - phase_total:.1f} s (loading, feature precompute, bookkeeping)")
    for phase, spent in sorted(summary.phase_seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {phase:<12} {spent:7.2f} s  {1000 * spent / max(summary.cycles_run, 1):6.1f} ms/cycle")
    if summary.first_failure:
        print(f"first failure    {summary.first_failure}")
    engine.dispose()


if __name__ == "__main__":
    main()
