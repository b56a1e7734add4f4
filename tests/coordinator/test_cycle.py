"""The coordinator's bookkeeping on SQLite and PostgreSQL, with fake phases."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import event, func, select

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.engine import make_engine
from tradecycle.config import SettingsModel
from tradecycle.coordinator import recording
from tradecycle.coordinator.cycle import CycleInputs, CycleRunner, cycle_id_for
from tradecycle.coordinator.phases import Phase
from tradecycle.core.types import CycleStatus, PhaseStatus

from .helpers import as_of, failing, fixed_wall, no_holdings, scan_writer, tiny_panel


def _runner(engine, phases):
    return CycleRunner(engine, SettingsModel(), phases, fixed_wall(), mode="replay", holdings=no_holdings)


def _inputs(panel, index):
    return CycleInputs(
        as_of=as_of(panel, index), panel=panel.head(index + 1), features=None, account_id=1, sectors={}
    )


def _count(engine, table, **where):
    query = select(func.count()).select_from(table)
    for key, value in where.items():
        query = query.where(table.c[key] == value)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def _engine(db_url):
    engine = make_engine(db_url)
    s.metadata.create_all(engine)
    return engine


def test_completed_cycle_records_every_phase(db_url):
    engine = _engine(db_url)
    panel = tiny_panel()
    outcome = _runner(engine, [Phase("scan", scan_writer), Phase("strategy", scan_writer)]).run(
        _inputs(panel, 10)
    )
    assert outcome.status is CycleStatus.COMPLETED
    assert outcome.cycle_id == "cycle_20150119_210500"
    with engine.connect() as conn:
        cycle = recording.cycle_row(conn, outcome.cycle_id)
        tracking = (
            conn.execute(select(s.workflow_tracking).order_by(s.workflow_tracking.c.id)).mappings().all()
        )
        events = conn.execute(select(s.workflow_events.c.event_type)).scalars().all()
        metrics = conn.execute(select(s.workflow_metrics)).mappings().one()
    assert cycle["status"] == "completed" and cycle["end_time"] is not None
    assert cycle["as_of"] == outcome.as_of and cycle["securities_scanned"] == 3
    assert [t["phase"] for t in tracking] == ["scan", "strategy"]
    assert all(t["status"] == "completed" and t["items_processed"] == 3 for t in tracking)
    assert all(t["duration_seconds"] >= 0 for t in tracking)
    assert sorted(events) == ["complete", "complete", "start", "start"]
    assert metrics["success_rate"] == 1.0 and metrics["status"] == "completed"
    assert _count(engine, s.scanning_results) == 6


def test_failing_phase_fails_the_cycle_and_rolls_back_its_rows(db_url):
    engine = _engine(db_url)
    panel = tiny_panel()

    def half_done(conn, ctx):
        scan_writer(conn, ctx)
        raise ValueError("bad value in row 3")

    phases = [Phase("scan", scan_writer), Phase("patterns", half_done), Phase("strategy", scan_writer)]
    outcome = _runner(engine, phases).run(_inputs(panel, 5))
    assert outcome.status is CycleStatus.FAILED
    assert outcome.failed_phase == "patterns"
    assert outcome.error == "phase patterns failed: ValueError: bad value in row 3"
    assert _count(engine, s.scanning_results) == 3  # scan's rows kept, the failed phase's rolled back
    assert _count(engine, s.workflow_tracking, phase="strategy") == 0
    with engine.connect() as conn:
        cycle = recording.cycle_row(conn, outcome.cycle_id)
        failed = (
            conn.execute(select(s.workflow_tracking).where(s.workflow_tracking.c.phase == "patterns"))
            .mappings()
            .one()
        )
    assert cycle["status"] == "failed" and "bad value in row 3" in cycle["error_message"]
    assert failed["status"] == PhaseStatus.FAILED.value and "bad value" in failed["error_message"]


def test_retry_of_a_failed_cycle_recomputes_and_counts_retries(db_url):
    engine = _engine(db_url)
    panel = tiny_panel()
    first = _runner(engine, [Phase("scan", scan_writer), Phase("risk", failing)]).run(_inputs(panel, 7))
    assert first.status is CycleStatus.FAILED
    second = _runner(engine, [Phase("scan", scan_writer), Phase("risk", scan_writer)]).run(_inputs(panel, 7))
    assert second.status is CycleStatus.COMPLETED and second.attempt == 2
    # scan rows of the first attempt were deleted before the retry wrote its own
    assert _count(engine, s.scanning_results, cycle_id=second.cycle_id) == 6
    with engine.connect() as conn:
        retries = dict(
            conn.execute(select(s.workflow_tracking.c.phase, s.workflow_tracking.c.retry_count)).all()
        )
        meta = json.loads(recording.cycle_row(conn, second.cycle_id)["metadata"])
    assert retries == {"scan": 1, "risk": 1}
    assert meta["attempt"] == 2 and meta["previous_attempts"][0]["status"] == "failed"
    assert _count(engine, s.trading_cycles) == 1


def test_a_completed_cycle_is_skipped(db_url):
    engine = _engine(db_url)
    panel = tiny_panel()
    runner = _runner(engine, [Phase("scan", scan_writer)])
    runner.run(_inputs(panel, 3))
    again = runner.run(_inputs(panel, 3))
    assert again.skipped and again.status is CycleStatus.COMPLETED
    assert _count(engine, s.scanning_results) == 3


def test_orphaned_cycle_of_a_dead_process_is_marked_failed(db_url):
    engine = _engine(db_url)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    with engine.begin() as conn:
        recording.open_cycle(
            conn, "cycle_20150105_210500", as_of(tiny_panel(), 0), fixed_wall().now(), "live"
        )
        conn.execute(
            s.trading_cycles.update().values(
                metadata=json.dumps(
                    {"process": {"host": recording.process_identity()["host"], "pid": dead_pid}}
                )
            )
        )
        recording.open_cycle(
            conn, "cycle_20150106_210500", as_of(tiny_panel(), 1), fixed_wall().now(), "live"
        )
    with engine.begin() as conn:
        failed = recording.fail_orphaned_cycles(conn, fixed_wall().now(), recording.pid_alive)
    assert failed == ["cycle_20150105_210500"]  # the live one (this process) is left running
    with engine.connect() as conn:
        row = recording.cycle_row(conn, "cycle_20150105_210500")
    assert row["status"] == "failed" and f"process {dead_pid}" in row["error_message"]
    assert os.getpid() != dead_pid


def test_cycle_id_is_the_as_of_time():
    panel = tiny_panel()
    assert cycle_id_for(as_of(panel, 0)) == "cycle_20150105_210500"


def _durability_probe(seen: list[str]):
    def probe(conn, ctx):
        seen.append(conn.exec_driver_sql("SHOW synchronous_commit").scalar_one())
        return scan_writer(conn, ctx)

    return probe


def test_replay_cycles_on_postgresql_commit_without_waiting_for_the_flush(postgres_url):
    engine = _engine(postgres_url)
    panel, seen = tiny_panel(), []
    phases = [Phase("scan", _durability_probe(seen)), Phase("strategy", _durability_probe(seen))]
    assert _runner(engine, phases).run(_inputs(panel, 10)).status is CycleStatus.COMPLETED
    live = CycleRunner(engine, SettingsModel(), phases, fixed_wall(), mode="live", holdings=no_holdings)
    assert live.run(_inputs(panel, 11)).status is CycleStatus.COMPLETED
    assert seen == ["off", "off", "on", "on"]  # replay relaxed, live as the server says
    with engine.connect() as conn:  # the pooled session handed back is the server's default again
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
    engine.dispose()


def test_a_cycle_that_raises_does_not_return_a_relaxed_session_to_the_pool(postgres_url, monkeypatch):
    engine = _engine(postgres_url)
    runner = _runner(engine, [Phase("scan", scan_writer)])
    monkeypatch.setattr(recording, "close_cycle", _raise_connection_lost)
    with pytest.raises(ConnectionError):
        runner.run(_inputs(tiny_panel(), 10))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
    engine.dispose()


def _commits_and_statements(engine):
    counted = {"commit": 0, "statements": []}
    event.listen(engine, "commit", lambda conn: counted.__setitem__("commit", counted["commit"] + 1))
    event.listen(
        engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *rest: counted["statements"].append(statement),
    )
    return counted


def test_a_cycle_commits_once_per_phase_plus_its_opening(db_url):
    engine = _engine(db_url)
    held: list[set[str]] = []

    def holdings(conn, account_id):
        held.append({"S0"})
        return held[-1]

    def sees_holdings(conn, ctx):
        assert ctx.cache["held_symbols"] == {"S0"}  # read in this phase's own transaction
        return scan_writer(conn, ctx)

    phases = [Phase("fills", scan_writer), Phase("scan", sees_holdings), Phase("strategy", scan_writer)]
    runner = CycleRunner(engine, SettingsModel(), phases, fixed_wall(), mode="replay", holdings=holdings)
    counted = _commits_and_statements(engine)
    outcome = runner.run(_inputs(tiny_panel(), 10))
    assert outcome.status is CycleStatus.COMPLETED and len(held) == 1
    assert counted["commit"] == 1 + len(phases)  # the holdings read and the close share a phase's
    with engine.connect() as conn:
        cycle = recording.cycle_row(conn, outcome.cycle_id)
        metrics = conn.execute(select(s.workflow_metrics)).mappings().one()
    assert cycle["status"] == "completed" and metrics["success_rate"] == 1.0
    engine.dispose()


def test_a_failing_last_phase_leaves_the_cycle_failed_not_completed(db_url):
    engine = _engine(db_url)
    outcome = _runner(engine, [Phase("scan", scan_writer), Phase("portfolio", failing)]).run(
        _inputs(tiny_panel(), 10)
    )
    assert outcome.status is CycleStatus.FAILED and outcome.failed_phase == "portfolio"
    with engine.connect() as conn:
        cycle = recording.cycle_row(conn, outcome.cycle_id)
        metrics = conn.execute(select(s.workflow_metrics)).mappings().all()
    assert cycle["status"] == "failed" and "the broker is down" in cycle["error_message"]
    assert [m["status"] for m in metrics] == ["failed"]  # no metrics row of a completed close
    engine.dispose()


def test_one_connection_relaxes_commits_once_and_hands_back_the_default(postgres_url):
    engine = _engine(postgres_url)
    panel, seen = tiny_panel(), []
    runner = _runner(engine, [Phase("scan", _durability_probe(seen)), Phase("strategy", scan_writer)])
    counted = _commits_and_statements(engine)
    with runner.one_connection():
        for index in (10, 11, 12):
            assert runner.run(_inputs(panel, index)).status is CycleStatus.COMPLETED
    settings = [q for q in counted["statements"] if "synchronous_commit" in q and "SHOW" not in q]
    assert seen == ["off", "off", "off"]
    assert settings == ["SET synchronous_commit TO off", "RESET synchronous_commit"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
    engine.dispose()


def test_one_connection_replaces_a_connection_lost_in_a_cycle(db_url, monkeypatch):
    engine = _engine(db_url)
    panel = tiny_panel()
    runner = _runner(engine, [Phase("scan", scan_writer)])
    real_close = recording.close_cycle
    with runner.one_connection():
        monkeypatch.setattr(recording, "close_cycle", _raise_connection_lost)
        with pytest.raises(ConnectionError):
            runner.run(_inputs(panel, 10))
        runner._held.invalidate()
        monkeypatch.setattr(recording, "close_cycle", real_close)
        assert runner.run(_inputs(panel, 11)).status is CycleStatus.COMPLETED
    assert _count(engine, s.trading_cycles, status="completed") == 1
    engine.dispose()


def _raise_connection_lost(*args, **kwargs):
    raise ConnectionError("the database went away while closing")


def test_claiming_a_cycle_writes_a_new_row_once_and_returns_an_existing_one(db_url):
    engine = _engine(db_url)
    moment = as_of(tiny_panel(), 4)
    with engine.begin() as conn:
        assert recording.claim_cycle(conn, "cycle_x", moment, fixed_wall().now(), "replay") is None
    with engine.begin() as conn:
        again = recording.claim_cycle(conn, "cycle_x", moment, fixed_wall().now(), "live")
    assert again["status"] == "running" and again["mode"] == "replay"  # the first claim's row, untouched
    assert json.loads(again["metadata"])["attempt"] == 1
    assert _count(engine, s.trading_cycles) == 1
    engine.dispose()


def test_a_replay_survives_losing_its_connection_between_cycles(postgres_url):
    engine = _engine(postgres_url)
    panel, backends = tiny_panel(), []

    def backend_probe(conn, ctx):
        backends.append(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        return scan_writer(conn, ctx)

    runner = _runner(engine, [Phase("scan", backend_probe), Phase("strategy", scan_writer)])
    with runner.one_connection():
        assert runner.run(_inputs(panel, 10)).status is CycleStatus.COMPLETED
        with engine.connect() as admin:  # as a database restart would
            # waits (up to 10 s) until the backend is gone, so the next cycle surely meets a dead connection
            assert admin.exec_driver_sql(f"SELECT pg_terminate_backend({backends[0]}, 10000)").scalar_one()
            admin.commit()
        assert runner.run(_inputs(panel, 11)).status is CycleStatus.COMPLETED
    assert backends[1] != backends[0]
    assert _count(engine, s.trading_cycles, status="completed") == 2
    assert _count(engine, s.scanning_results) == 2 * 2 * 3
    engine.dispose()
