"""Latency of the dashboard's endpoints over HTTP on a database holding a replay.

Starts `tradecycle serve` (its own process, so the client does not share its GIL)
on a free local port and times every endpoint the dashboard calls (after warm-up
requests), printing p50/p95/max per endpoint.
Goal: p95 < 50 ms on a full 5-year replay (1259 cycles, 505 symbols).

    tradecycle replay --start 2013-02-08 --end 2018-02-07 -d sqlite:///bench.db
    python benchmarks/api.py --database sqlite:///bench.db [--requests 50]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import func, select

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import open_engine
from tradecycle.settings import load_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def endpoints(engine) -> list[str]:
    with engine.connect() as conn:
        cycles = conn.execute(select(func.count()).select_from(s.trading_cycles)).scalar_one()
        last = conn.execute(
            select(s.trading_cycles.c.cycle_id).order_by(s.trading_cycles.c.as_of.desc()).limit(1)
        ).scalar_one_or_none()
        traded = conn.execute(
            select(s.trades.c.symbol, func.count().label("n"))
            .group_by(s.trades.c.symbol)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
        trades = conn.execute(select(func.count()).select_from(s.trades)).scalar_one()
    print(
        f"database: {cycles} cycles, {trades} trades; last cycle {last}; symbol {traded[0] if traded else '-'}"
    )
    paths = [
        "/dashboard/overview",
        "/dashboard/equity",
        "/dashboard/cycles?limit=50",
        "/dashboard/trades?limit=100",
        "/dashboard/trades?limit=100&status=closed&offset=100",
        "/dashboard/system",
        "/daily_summary",
        "/trading_performance",
        "/pattern_effectiveness?limit=100",
        "/cycle_analysis",
        "/system_health",
    ]
    if last:
        paths.append(f"/dashboard/cycles/{last}")
    if traded:
        paths.append(f"/dashboard/symbols/{traded[0]}")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", "-d", required=True, help="database URL holding a replay")
    parser.add_argument("--requests", "-n", type=int, default=50, help="timed requests per endpoint")
    args = parser.parse_args()
    settings = load_settings(None, {"database_url": args.database})
    engine = open_engine(settings.database_url)
    paths = endpoints(engine)
    engine.dispose()
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("tradecycle")),
            "serve",
            "-d",
            args.database,
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/health", server)
        _measure(f"http://127.0.0.1:{port}", paths, args.requests)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("tradecycle serve did not start")


def _measure(base_url: str, paths: list[str], requests: int) -> None:
    worst = 0.0
    print(f"{'endpoint':58} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KiB':>8}")
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for path in paths:
            for _ in range(3):
                client.get(path).raise_for_status()
            samples = []
            for _ in range(requests):
                start = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                response.raise_for_status()
            p50, p95, top = np.percentile(samples, [50, 95, 100])
            worst = max(worst, p95)
            print(f"{path:58} {p50:8.1f} {p95:8.1f} {top:8.1f} {len(response.content) / 1024:8.1f}")
    print(f"worst p95: {worst:.1f} ms (goal < 50 ms)")


if __name__ == "__main__":
    main()
