"""Market data benchmark: panel load time and import throughput (prints numbers, asserts nothing).

    python benchmarks/data_load.py [--rows N] [--postgres postgresql://postgres@127.0.0.1:5432/test]

Measures: the bundled 505 x 1259 panel (cold: first call in the process, incl. the
calendar; decode: parquet -> panel with the calendar warm; cached: a dated slice),
reading + validating the shared CSV (rows/s), write_bars into SQLite (and
PostgreSQL if given) in one transaction (rows/s), and load_panel back from the DB.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from tradecycle.adapters.marketdata import bundled
from tradecycle.adapters.marketdata.files import read_bars
from tradecycle.adapters.marketdata.store import load_panel, write_bars
from tradecycle.adapters.marketdata.validate import validate_bars
from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata

SHARED_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "sp500_daily_2013_2018.csv.gz"


CPU: list[str] = []  # process CPU seconds of each timed step, printed at the end (robust to a busy machine)


def timed(fn, repeat: int = 1, label: str | None = None) -> tuple[float, object]:
    """Median wall time of `repeat` calls (and the last call's result); CPU time noted under `label`."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if label:
        CPU.append(f"{label}: {statistics.median(cpu):.3f} s CPU")
    return statistics.median(times), result


def bench_panel() -> None:
    cold, panel = timed(bundled.load_bundled_panel, label="bundled panel cold")
    print(f"bundled panel {panel.n_symbols} x {panel.n_sessions}: cold {cold * 1000:.0f} ms (incl. calendar)")

    def decode():
        bundled._full_panel.cache_clear()
        return bundled.load_bundled_panel()

    warm, _ = timed(decode, repeat=5, label="bundled panel decode")
    print(f"bundled panel decode (parquet -> arrays, calendar warm): {warm * 1000:.0f} ms (median of 5)")
    cached, _ = timed(
        lambda: bundled.load_bundled_panel("2015-01-01", "2016-12-31", ["AAPL", "MSFT"]), repeat=20
    )
    print(f"cached slice (2 symbols x 2 years): {cached * 1e6:.0f} us")


def bench_import(rows: int | None, urls: list[str]) -> None:
    read_s, frame = timed(lambda: read_bars(SHARED_CSV), label="read csv.gz")
    print(f"read {SHARED_CSV.name}: {len(frame)} rows in {read_s:.2f} s = {len(frame) / read_s:,.0f} rows/s")
    check_s, report = timed(lambda: validate_bars(frame, SHARED_CSV.name), label="validate")
    print(
        f"validate: {check_s:.2f} s = {len(frame) / check_s:,.0f} rows/s ({report.n_bad} bad, {len(report.flags)} flagged)"
    )
    good = frame.loc[~report.bad]
    if rows:
        good = good.iloc[:rows]
    for url in urls:
        engine = make_engine(url)
        metadata.drop_all(engine)
        metadata.create_all(engine)

        def write(engine=engine):
            with engine.begin() as conn:
                return write_bars(conn, good, source="bench")

        name = engine.dialect.name
        write_s, written = timed(write, label=f"{name} write_bars (client side)")
        rewrite_s, _ = timed(write, label=f"{name} re-import (client side)")

        def load(engine=engine):
            with engine.connect() as conn:
                return load_panel(conn)

        load_s, panel = timed(load, label=f"{name} load_panel (client side)")
        print(
            f"{name} write_bars: {written} rows in {write_s:.2f} s = {written / write_s:,.0f} rows/s; "
            f"re-import (replace) {rewrite_s:.2f} s"
        )
        print(f"{name} load_panel {panel.n_symbols} x {panel.n_sessions}: {load_s:.2f} s")
        metadata.drop_all(engine)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="import only the first N good rows")
    parser.add_argument(
        "--postgres", default=None, help="also benchmark this PostgreSQL URL (tables are dropped!)"
    )
    args = parser.parse_args()
    bench_panel()
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite:///{tmp}/bench.db"]
        if args.postgres:
            admin = make_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text("CREATE SCHEMA IF NOT EXISTS bench_data_load"))
            admin.dispose()
            sep = "&" if "?" in args.postgres else "?"
            urls.append(f"{args.postgres}{sep}options=-csearch_path%3Dbench_data_load")
        bench_import(args.rows, urls)
    print("CPU time of this process (excludes the PostgreSQL server):")
    for line in CPU:
        print(f"  {line}")


if __name__ == "__main__":
    main()
