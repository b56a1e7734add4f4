"""Cycles on the NYSE calendar: once after each close for daily bars, every N
minutes in market hours for intraday bars.

The scheduler never reads the wall itself: it gets a clock and a sleep function, so
tests drive it with a simulated clock. SIGTERM/SIGINT set a stop event; the loop
finishes the cycle in flight and exits. `trading_schedule_config` (one row, JSON)
holds the schedule with last_run and next_run, which the dashboard shows.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.maintenance import refresh_planner_statistics
from tradecycle.config import SettingsModel
from tradecycle.errors import TradecycleError

from . import registry
from .clock import Clock
from .cycle import CycleOutcome
from .live import run_once
from .replay import CYCLE_DELAY

log = logging.getLogger(__name__)

SCHEDULE_ROW_ID = 1
SERVICE_NAME = "scheduler"


def next_run_time(after: datetime, timeframe: str, interval_minutes: int) -> datetime:
    """The first cycle time strictly after `after` (tz-aware, UTC)."""
    from tradecycle.adapters.marketdata import calendar

    if timeframe == "1d":
        return calendar.next_close_after(after - CYCLE_DELAY) + CYCLE_DELAY
    step = timedelta(minutes=interval_minutes)
    day = after.date() - timedelta(days=1)
    for session in calendar.sessions(day, day + timedelta(days=10)):
        open_, close = calendar.session_open_utc(session), calendar.session_close_utc(session)
        if close <= after:
            continue
        steps = max(0, (after - open_) // step + 1) if after >= open_ else 0
        candidate = open_ + steps * step
        if candidate <= close:
            return candidate
    raise TradecycleError(f"no trading session within ten days after {after.isoformat()}")


def read_schedule(conn: Connection, settings: SettingsModel) -> dict:
    """The stored schedule, created from settings the first time (a legacy row is kept as it is)."""
    raw = conn.execute(
        select(s.trading_schedule_config.c.config).where(s.trading_schedule_config.c.id == SCHEDULE_ROW_ID)
    ).scalar_one_or_none()
    if raw is not None:
        try:
            return json.loads(raw)
        except ValueError:
            log.warning("trading_schedule_config holds invalid JSON; starting from settings")
    config = {
        "enabled": True,
        "interval_minutes": settings.schedule.interval_minutes,
        "market_hours_only": settings.schedule.market_hours_only,
        "start_time": "09:30",
        "end_time": "16:00",
        "timezone": "America/New_York",
        "excluded_days": ["Saturday", "Sunday"],
        "last_run": None,
        "next_run": None,
    }
    conn.execute(s.trading_schedule_config.insert().values(id=SCHEDULE_ROW_ID, config=json.dumps(config)))
    return config


def write_schedule(conn: Connection, config: dict) -> None:
    conn.execute(
        s.trading_schedule_config.update()
        .where(s.trading_schedule_config.c.id == SCHEDULE_ROW_ID)
        .values(config=json.dumps(config, sort_keys=True))
    )


@dataclass
class Scheduler:
    engine: Engine
    settings: SettingsModel
    clock: Clock
    sleep: Callable[[float], None]
    stop: threading.Event
    run_cycle: Callable[[datetime], CycleOutcome] | None = None

    def __post_init__(self) -> None:
        if self.run_cycle is None:
            self.run_cycle = lambda at: run_once(self.engine, self.settings, self.clock, at=at)

    def serve(
        self, max_cycles: int | None = None, on_cycle: Callable[[datetime, object], None] | None = None
    ) -> int:
        """Run cycles until stopped (or `max_cycles`); returns how many were attempted.

        The scheduler registers itself as the coordinator service, heartbeats while it
        waits and deregisters when it stops.
        """
        attempted = 0
        with self.engine.begin() as conn:
            registry.register(conn, SERVICE_NAME, self.clock.now(), metadata={"role": "scheduler"})
        try:
            while not self.stop.is_set() and (max_cycles is None or attempted < max_cycles):
                due = self._plan_next()
                if not self._wait_until(due):
                    break
                result = self._run(due)
                attempted += 1
                if on_cycle is not None:
                    on_cycle(due, result)
        finally:
            with self.engine.begin() as conn:
                registry.deregister(conn, SERVICE_NAME, self.clock.now())
        return attempted

    def _plan_next(self) -> datetime:
        with self.engine.begin() as conn:
            config = read_schedule(conn, self.settings)
            due = next_run_time(
                self.clock.now(), self.settings.data.timeframe, int(config.get("interval_minutes") or 30)
            )
            config["next_run"] = due.isoformat()
            write_schedule(conn, config)
        return due

    def _wait_until(self, due: datetime) -> bool:
        """Sleep in short steps so a stop signal is noticed; False if stopped first."""
        beat_every = self.settings.distributed.heartbeat_seconds
        last_beat = self.clock.now()
        while not self.stop.is_set():
            now = self.clock.now()
            remaining = (due - now).total_seconds()
            if remaining <= 0:
                return True
            if (now - last_beat).total_seconds() >= beat_every:
                with self.engine.begin() as conn:
                    registry.heartbeat(conn, SERVICE_NAME, now)
                last_beat = now
            self.sleep(min(remaining, 1.0))
        return False

    def _run(self, due: datetime) -> object:
        try:
            result: object = self.run_cycle(due)
        except TradecycleError as exc:
            log.error("cycle at %s not run: %s", due.isoformat(), exc)
            result = exc
        with self.engine.begin() as conn:
            config = read_schedule(conn, self.settings)
            config["last_run"] = due.isoformat()
            config["last_result"] = (
                f"error: {result}" if isinstance(result, Exception) else getattr(result, "status", "unknown")
            )
            write_schedule(conn, config)
        # the tables have grown by a cycle since; cheap between cycles
        refresh_planner_statistics(self.engine)
        return result
