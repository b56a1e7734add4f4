"""A service's life in the registry: register on start, heartbeat in a thread, deregister on stop.

`registry_lifespan` ties that life to a FastAPI app's startup and graceful shutdown, so a
server stopped by SIGTERM deregisters before it exits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Engine

from . import registry
from .clock import Clock

log = logging.getLogger(__name__)


@contextmanager
def registered(
    engine: Engine,
    names: Sequence[str],
    host: str,
    port: int,
    wall: Clock,
    every: float,
    metadata: dict | None = None,
) -> Iterator[threading.Event]:
    """Keep `names` registered and beating while the block runs; yields the thread's stop event."""
    with engine.begin() as conn:
        for name in names:
            registry.register(conn, name, wall.now(), host, port, metadata)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as conn:
                    for name in names:
                        registry.heartbeat(conn, name, wall.now())
            except Exception:  # noqa: BLE001 - a missed beat is logged; the registry marks us stale
                log.exception("heartbeat of %s failed", ", ".join(names))

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=every + 1)
        with engine.begin() as conn:
            for name in names:
                registry.deregister(conn, name, wall.now())


def registry_lifespan(
    engine: Engine, names: Sequence[str], host: str, port: int, every: float, metadata: dict
):
    """A FastAPI lifespan that keeps `names` registered while the app serves."""
    from contextlib import asynccontextmanager

    from .clock import WallClock

    @asynccontextmanager
    async def lifespan(app):
        with registered(engine, names, host, port, WallClock(), every, metadata):
            yield

    return lifespan
