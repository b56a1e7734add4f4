"""Replay benchmark: the bundled universe, every phase and every DB write.

Goal: 505 symbols x 5 years (about 1,259 daily cycles) in <= 60 s with peak RSS < 500 MB,
on SQLite and on PostgreSQL. Prints the machine's speed before and after (a fixed Python loop:
compare runs only at similar speeds), wall and CPU time, cycles/s, peak RSS, the time per phase
and, on PostgreSQL, the database round trips per cycle (a count that does not depend on speed).

    python benchmarks/replay.py                                  # SQLite scratch file, full range
    python benchmarks/replay.py --database postgresql://postgres@127.0.0.1/test --start 2014-01-02 --end 2014-12-31

Session 2 (2026-11-25, a faster machine; the loop was not yet printed):
    full range, SQLite       45.0 s wall, peak RSS 482 MB (goal met; was 164 s / 594 MB at first)
    full range, PostgreSQL   77.2 s wall, peak RSS 490 MB (time goal NOT met)

Session 3 (2026-11-25, a machine 2-3x slower whose loop time moved between 79 and 159 ms):
    full range, SQLite       124 s wall (115 s CPU, loop ~85 ms), peak RSS 462 MB (was 499)
    full range, PostgreSQL   185 s wall (130 s CPU, loop ~85 ms), 123 round trips a cycle
                             (was 248 and 225 s at the start of the session), peak RSS 471 MB
    per cycle, SQLite (ms): patterns 24, fills 12, technicals 7, portfolio 7, ml 7, risk 6,
    strategy 3.5, exits 2.5, scan 2.4, news 1.5, execution 1.0; outside phases ~31 s

Session 4 (2026-11-25, as slow a machine again; loop 88-150 ms):
    full range, SQLite       83.6 s wall at loop 117-150 ms (79.8 s CPU here + 24.1 s in the
                             pattern worker), peak RSS 404 MB (worker 358 MB, mostly pages
                             shared with the replay); 124 s at loop ~85 ms before the session
    full range, PostgreSQL   151-176 s wall (93-102 s CPU), 101 round trips a cycle (was 123),
                             peak RSS 410 MB; 235 s and 145 s CPU at the start of the session
                             (the worker shares the second core with the server here)
    per cycle, SQLite (ms): technicals 8.0, ml 7.2, fills 7.2, portfolio 6.7, patterns 4.9
    (the worker's rows arrive; it runs a cycle ahead), strategy 3.5, risk 3.4, scan 2.3,
    exits 2.3, news 1.4, execution 0.8; outside phases 23.6 s

Session 5 (2026-11-26, a faster hour again; loop 63-106 ms):
    full range, SQLite       43.6 s wall at loop 63-71 ms (39.9 s CPU here + 22.1 s in the
                             analysis worker), peak RSS 356 MB; the session's starting commit
                             49.7 s (47.9 s CPU) at loop 63-74 ms
    full range, PostgreSQL   92.1 s wall at loop 73-106 ms (50.1 s CPU here, 35 s in the
                             server), 101 round trips a cycle, peak RSS 368 MB; 106 s (62 s
                             CPU) at the start of the session
    per cycle, SQLite (ms): fills 4.0, portfolio 3.7, technicals 2.9 and patterns 2.7 (their
    inserts), ml 2.1, strategy 2.1, risk 2.0, scan 1.7, exits 1.5, news 1.0, execution 0.4;
    outside phases 13.1 s (start-up ~5 s, then the commits and tracking rows)

Session 6 (2026-11-26, faster again; loop 45-57 ms):
    full range, SQLite       22.9 s wall at loop 46-52 ms (20.0 s CPU here + 11.8 s in the
                             worker), peak RSS 358 MB; 28.6-29.7 s at the start of the session
    full range, PostgreSQL   41.5 s wall at loop 46-47 ms (22.3 s CPU here), 90 round trips
                             a cycle, peak RSS 364 MB; 54.4-57.4 s (101-103 round trips) at
                             the start of the session
    per cycle, PostgreSQL (ms): fills 5.5 (was 8.3), portfolio 3.6 (6.6), risk 2.7 (4.2),
    technicals 2.4, patterns 2.1, exits 1.6, strategy 1.6, ml 1.4, scan 1.4, news 1.1,
    execution 0.7

What moved it: one cycle-row read and no DELETE per phase on a first attempt, tracking and
events rows through insert_rows; no sklearn in the replay process (the stored training AUC
is scipy's Mann-Whitney U); Arrow on the system allocator and the news texts kept in Arrow
buffers; ML retrains build their features 64 symbols at a time; risk sizes evaluations by
primary key (the old UPDATE was planned on the symbol index and grew with the replay).
Session 3: a cycle on one connection; small PostgreSQL batches as one INSERT; replays commit
without waiting for the WAL flush on PostgreSQL; cash from the newest balance row and two
ledger indexes (per-cycle cost no longer grows with the ledger); glibc's mmap threshold
pinned at 1 MiB and freed heap trimmed every 21 cycles (peak RSS).
Session 4: pivots, ATR and relative volume for all pattern candidates at once (no scipy
in the replay); indexes for the newest balance, the losing streak, open position_pl rows
and a symbol's ledger lines (SQLite had sorted the whole balance history on every cash
read); a forked worker detects each cycle's patterns a cycle ahead;
PostgreSQL batches as one INSERT ... VALUES, and a phase's tracking row and events in one
statement.
Session 5: the worker works out the whole analysis of the next session (scan, indicator
readings, patterns, ML probabilities) and fits each walk-forward model 16 sessions early in a
thread; SQLite checkpoints its WAL every 4000 pages (a third less commit time); insert
statements are built once per (table, key set).
Session 6: a replay keeps one connection (no checkout, pre-ping and commit setting per
cycle); the holdings read and the cycle's close share a phase's transaction; a new cycle's
row is one INSERT ... ON CONFLICT; the paper broker sends a phase's order updates as
executemany runs; on PostgreSQL, VACUUM (ANALYZE) of the hot tables every 63 cycles (the
server here runs no autovacuum: without statistics the ledger totals sorted the whole
ledger and a cycle's fills took the wrong index); a partial index on held positions;
realised P&L summed in cents by the database; timestamps formatted once per instant; the
cycle's close through statements built once.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from _common import counted_round_trips, machine_speed, scratch_postgres

from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator.replay import replay
from tradecycle.settings import load_settings


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
        if args.database and args.database.startswith("postgresql"):
            with scratch_postgres(args.database) as url:
                _run(url, args)
        else:
            _run(args.database or f"sqlite:///{Path(scratch) / 'bench.db'}", args)


def _run(url: str, args: argparse.Namespace) -> None:
    """Replay into `url` and print the figures."""
    settings = load_settings(None, {"database_url": url, "data": {"provider": "bundled"}})
    engine = prepare_database(url)
    symbols = args.symbols.split(",") if args.symbols else None
    speed_before = machine_speed()
    children_before = _children_cpu()
    started, cpu_started = time.perf_counter(), time.process_time()
    on_postgres = engine.dialect.name == "postgresql"  # psycopg is not even imported for SQLite
    with counted_round_trips() if on_postgres else nullcontext([0]) as round_trips:
        summary = replay(
            engine, settings, date.fromisoformat(args.start), date.fromisoformat(args.end), symbols
        )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    worker_cpu = _children_cpu() - children_before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{speed_before} before")
    print(f"{machine_speed()} after")
    print(f"engine           {engine.dialect.name}")
    print(f"sessions         {summary.sessions}")
    print(f"cycles run       {summary.cycles_run} (failed {summary.cycles_failed})")
    print(f"wall time        {seconds:.1f} s  (goal <= 60 s)")
    print(f"cycles/s         {summary.cycles_run / seconds:.1f}")
    print(f"CPU time         {cpu:.1f} s in this process (the database server's is not counted)")
    print(
        f"analysis worker  {worker_cpu:.1f} s CPU, peak RSS {worker_mb:.0f} MB (pages shared with this process count in both)"
    )
    if on_postgres:
        print(f"round trips      {round_trips[0] / max(summary.cycles_run, 1):.0f} per cycle")
    print(f"peak RSS         {peak_mb:.0f} MB  (goal < 500 MB)")
    phase_total = sum(summary.phase_seconds.values())
    print(f"outside phases   {seconds - phase_total:.1f} s (loading, feature precompute, bookkeeping)")
    for phase, spent in sorted(summary.phase_seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {phase:<12} {spent:7.2f} s  {1000 * spent / max(summary.cycles_run, 1):6.1f} ms/cycle")
    if summary.first_failure:
        print(f"first failure    {summary.first_failure}")
    engine.dispose()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
