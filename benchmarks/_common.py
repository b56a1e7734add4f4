"""What the benchmark scripts share: a scratch PostgreSQL schema and a machine-speed line.

Wall times on shared 2-core machines vary by 2-3x from day to day (the same pure-Python
loop took 168 ms and 290 ms on one afternoon), so the replay and peers benchmarks print
`machine_speed()` next to their figures; compare figures only between runs with similar
reference times.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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


SPEED_PROBE = """
import time

import numpy as np

def timed(job):
    started = time.perf_counter()
    job()
    return time.perf_counter() - started

loop = min(timed(lambda: sum(range(5_000_000))) for _ in range(5))
data = np.random.default_rng(0).random(2_000_000)
numeric = min(timed(lambda: np.sort(data)) for _ in range(5))
print(f"{loop * 1000:.0f} {numeric * 1000:.0f}")
"""


def machine_speed() -> str:
    """Best-of-5 times of a fixed pure-Python loop and a fixed numpy job on this machine, now.

    Measured in a child interpreter: its 16 MB arrays would otherwise change how this
    process's allocator behaves for the rest of the run (and the peak RSS it reports).
    """
    out = subprocess.run([sys.executable, "-c", SPEED_PROBE], capture_output=True, text=True, check=True)
    loop, numeric = out.stdout.split()
    return f"machine speed    python loop {loop} ms, numpy sort {numeric} ms (lower is faster)"


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
