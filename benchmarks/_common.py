"""What the benchmark scripts share: a scratch PostgreSQL schema and a machine-speed line.

Wall times on shared 2-core machines vary by 2-3x from day to day (the same pure-Python
loop took 168 ms and 290 ms on one afternoon), so the replay and peers benchmarks print
`machine_speed()` next to their figures; compare figures only between runs with similar
reference times.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from sqlalchemy import create_engine, text

from tradecycle.adapters.store.engine import normalise_url


@contextmanager
def scratch_postgres(url: str, prefix: str = "bench") -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped on exit, so no other data is touched."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in url else "?"
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def machine_speed() -> str:
    """Best-of-5 times of a fixed pure-Python loop and a fixed numpy job on this machine, now."""
    loop = min(_timed(lambda: sum(range(5_000_000))) for _ in range(5))
    data = np.random.default_rng(0).random(2_000_000)
    numeric = min(_timed(lambda: np.sort(data)) for _ in range(5))
    return f"machine speed    python loop {loop * 1000:.0f} ms, numpy sort {numeric * 1000:.0f} ms (lower is faster)"


def _timed(job) -> float:
    started = time.perf_counter()
    job()
    return time.perf_counter() - started


@contextmanager
def counted_round_trips() -> Iterator[list[int]]:
    """Count the waits of psycopg connections for the server (one per round trip) while inside.

    Unlike wall time, the count does not depend on how fast the machine is today.
    """
    import psycopg

    count = [0]
    wait = psycopg.Connection.wait

    def counting(self, *args, **kwargs):
        count[0] += 1
        return wait(self, *args, **kwargs)

    psycopg.Connection.wait = counting
    try:
        yield count
    finally:
        psycopg.Connection.wait = wait
