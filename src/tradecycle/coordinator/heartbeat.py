"""A service's life in the registry: register on start, heartbeat in a thread, deregister on stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from . import registry
from .clock import Clock

log = logging.getLogger(__name__)


@contextmanager
def registered(
    engine: Engine, name: str, host: str, port: int, wall: Clock, every: float, metadata: dict | None = None
) -> Iterator[threading.Event]:
    """Keep `name` registered and beating while the block runs; yields the thread's stop event."""
    with engine.begin() as conn:
        registry.register(conn, name, wall.now(), host, port, metadata)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as conn:
                    registry.heartbeat(conn, name, wall.now())
            except Exception:  # noqa: BLE001 - a missed beat is logged; the registry marks us stale
                log.exception("heartbeat of %s failed", name)

    thread = threading.Thread(target=beat, name=f"heartbeat-{name}", daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=every + 1)
        with engine.begin() as conn:
            registry.deregister(conn, name, wall.now())
