"""Schedule times on the NYSE calendar, the schedule loop on a simulated clock, and the benchmark curve."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.engine import make_engine
from tradecycle.config import SettingsModel
from tradecycle.coordinator.schedule import Scheduler, next_run_time
from tradecycle.core.benchmark import equal_weight_curve


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_cycle_runs_five_minutes_after_each_close():
    # Thursday 2015-07-02 closes 20:00 UTC; Friday 3 July is a holiday, so next is Monday.
    assert next_run_time(utc(2015, 7, 2, 15), "1d", 30) == utc(2015, 7, 2, 20, 5)
    assert next_run_time(utc(2015, 7, 2, 20, 5), "1d", 30) == utc(2015, 7, 6, 20, 5)
    # The day after Thanksgiving is a half day closing 13:00 New York (18:00 UTC).
    assert next_run_time(utc(2015, 11, 27, 12), "1d", 30) == utc(2015, 11, 27, 18, 5)


def test_intraday_cycles_step_through_market_hours_only():
    # 2015-06-01 opens 13:30 UTC and closes 20:00 UTC.
    assert next_run_time(utc(2015, 6, 1, 6), "1m", 30) == utc(2015, 6, 1, 13, 30)
    assert next_run_time(utc(2015, 6, 1, 13, 30), "1m", 30) == utc(2015, 6, 1, 14, 0)
    assert next_run_time(utc(2015, 6, 1, 19, 45), "1m", 30) == utc(2015, 6, 1, 20, 0)
    assert next_run_time(utc(2015, 6, 1, 20, 0), "1m", 30) == utc(2015, 6, 2, 13, 30)


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        self.t = start

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


def test_scheduler_runs_due_cycles_and_records_last_and_next_run(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sched.db'}")
    s.metadata.create_all(engine)
    clock = SimulatedClock(utc(2015, 6, 1, 19, 59, 58))
    ran: list[datetime] = []
    scheduler = Scheduler(
        engine,
        SettingsModel(),
        clock,
        clock.sleep,
        threading.Event(),
        run_cycle=lambda at: ran.append(at) or "ok",
    )
    assert scheduler.serve(max_cycles=2) == 2
    assert ran == [utc(2015, 6, 1, 20, 5), utc(2015, 6, 2, 20, 5)]
    with engine.connect() as conn:
        config = json.loads(conn.execute(select(s.trading_schedule_config.c.config)).scalar_one())
    assert config["last_run"] == "2015-06-02T20:05:00+00:00"
    assert config["next_run"] == "2015-06-02T20:05:00+00:00"
    assert config["interval_minutes"] == 30 and config["market_hours_only"] is True


def test_scheduler_stops_when_signalled_while_waiting(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sched.db'}")
    s.metadata.create_all(engine)
    clock = SimulatedClock(utc(2015, 6, 1, 12))
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if clock.t > utc(2015, 6, 1, 15):
            stop.set()

    scheduler = Scheduler(engine, SettingsModel(), clock, sleep, stop, run_cycle=lambda at: "never")
    assert scheduler.serve() == 0


def test_benchmark_splits_equally_and_carries_missing_prices():
    close = np.array([[10.0, 20.0, np.nan, 40.0], [np.nan, 5.0, 10.0, 10.0], [50.0, 50.0, 25.0, np.nan]])
    curve = equal_weight_curve(close, 0, 1000.0)
    # symbol 1 did not trade at the start, so it is left out; missing closes carry the last price forward
    assert curve.tolist() == [1000.0, 1500.0, 1250.0, 2250.0]
    later = equal_weight_curve(close, 1, 300.0)
    assert np.isnan(later[0]) and later[1] == 300.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(1, 1000), min_size=2, max_size=30), st.integers(0, 5))
def test_benchmark_of_one_symbol_is_its_price_path(prices, start):
    close = np.array([prices])
    start = min(start, len(prices) - 1)
    curve = equal_weight_curve(close, start, 100.0)
    expected = 100.0 * np.array(prices[start:]) / prices[start]
    assert np.allclose(curve[start:], expected)


def test_scheduler_registers_heartbeats_and_deregisters(tmp_path):
    from tradecycle.coordinator import registry

    engine = make_engine(f"sqlite:///{tmp_path / 'sched.db'}")
    s.metadata.create_all(engine)
    clock = SimulatedClock(utc(2015, 6, 1, 19, 0))
    beats: list[datetime] = []

    def run_cycle(at):
        with engine.connect() as conn:
            beats.append(registry.services(conn)[0].last_heartbeat)
        return "ok"

    scheduler = Scheduler(engine, SettingsModel(), clock, clock.sleep, threading.Event(), run_cycle=run_cycle)
    scheduler.serve(max_cycles=1)
    assert beats[0] > utc(2015, 6, 1, 20, 0)  # it kept beating while waiting for 20:05
    with engine.connect() as conn:
        (service,) = registry.services(conn)
    assert service.service_name == "scheduler" and service.status == "stopped"


def test_scheduled_cycles_keep_postgresql_statistics_fresh(postgres_url):
    engine = make_engine(postgres_url)
    s.metadata.create_all(engine)
    clock = SimulatedClock(utc(2015, 6, 1, 19, 59, 58))
    scheduler = Scheduler(
        engine, SettingsModel(), clock, clock.sleep, threading.Event(), run_cycle=lambda at: "ok"
    )
    assert scheduler.serve(max_cycles=1) == 1
    with engine.connect() as conn:
        analysed = conn.execute(
            text("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relid = 'orders'::regclass")
        ).scalar_one()
    assert analysed
    engine.dispose()
