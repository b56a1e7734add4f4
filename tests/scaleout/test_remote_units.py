"""Remote phases, the wire format, the supervisor and the Dask precompute, each on its own."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
from typer.testing import CliRunner

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.engine import make_engine
from tradecycle.config import SettingsModel
from tradecycle.coordinator import registry
from tradecycle.coordinator.clock import FixedClock
from tradecycle.coordinator.features import compute_features
from tradecycle.coordinator.remote import PhaseReply, RemotePhase, ServiceUnavailable
from tradecycle.coordinator.supervisor import Supervisor, read_state
from tradecycle.coordinator.wire import decode_list, encode_list
from tradecycle.core.types import Candidate, ScanType, Side, Signal
from tradecycle.errors import TradecycleError
from tradecycle.interfaces.cli.main import app
from tradecycle.services.analysis import precompute_features
from tradecycle.services.context import CycleContext
from tradecycle.settings import load_settings

NOW = datetime(2015, 3, 2, 21, 5, tzinfo=UTC)


def test_typed_state_survives_the_wire():
    signals = [
        Signal("AAPL", Side.BUY, np.float64(71.25), 0.8, 100.0, 98.0, 106.0, "composite", ("a",), {"x": 1.5})
    ]
    candidates = [
        Candidate("MSFT", ScanType.BREAKOUT, 40.0, np.int64(2_000_000), 5.5, 1.7, {"price": np.bool_(True)})
    ]
    assert decode_list(encode_list(signals)) == signals
    assert decode_list(encode_list(candidates)) == [
        Candidate("MSFT", ScanType.BREAKOUT, 40.0, 2_000_000.0, 5.5, 1.7, {"price": True})
    ]
    assert decode_list(encode_list([{"symbol": "KO", "qty": np.int64(3)}])) == [{"symbol": "KO", "qty": 3}]
    with pytest.raises(ValueError, match="not a tradecycle type"):
        decode_list({"type": "os:system", "items": [{}]})


def _ctx() -> CycleContext:
    panel = load_bundled_panel(end="2015-03-02", symbols=["AAPL", "MSFT"])
    return CycleContext("cycle_20150302_210500", NOW, SettingsModel(), panel, 1)


def _remote(engine, handler, sleeps: list[float]) -> RemotePhase:
    settings = load_settings(
        None, {"api": {"token": "t"}, "distributed": {"service_retries": 3, "retry_backoff_seconds": 0.5}}
    )
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return RemotePhase("scan", engine, settings, FixedClock(NOW), sleeps.append, client)


def _reply() -> dict:
    return PhaseReply(
        phase="scan",
        status="completed",
        start=NOW,
        end=NOW,
        duration=0.1,
        processed=2,
        succeeded=2,
        failed=0,
        state={"candidates": encode_list([Candidate("AAPL", ScanType.MOMENTUM, 1, 2, 3, 4)])},
        served_by="scanner",
    ).model_dump(mode="json")


@pytest.fixture
def registry_db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'reg.db'}")
    s.metadata.create_all(engine)
    with engine.begin() as conn:
        registry.register(conn, "scanner", NOW - timedelta(seconds=2), "10.0.0.1", 5001)
        registry.register(conn, "scanner#2", NOW - timedelta(minutes=5), "10.0.0.2", 5001)
    return engine


def test_remote_phase_retries_with_backoff_then_applies_the_reply(registry_db):
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json=_reply())

    sleeps: list[float] = []
    ctx = _ctx()
    record = _remote(registry_db, handler, sleeps)(ctx, attempt=2, retry_count=1)
    assert record.processed == 2 and record.metadata["served_by"] == "scanner"
    assert [c.symbol for c in ctx.candidates] == ["AAPL"]
    assert sleeps == [0.5, 1.0]
    assert {str(c.url) for c in calls} == {
        "http://10.0.0.1:5001/phases/scan"
    }  # the stale instance is skipped
    assert calls[0].headers["Idempotency-Key"] == "cycle_20150302_210500:scan:2"
    assert calls[0].headers["Authorization"] == "Bearer t"
    with registry_db.connect() as conn:
        stale = {svc.service_name: svc.status for svc in registry.services(conn)}
    assert stale == {"scanner": "running", "scanner#2": "error"}


def test_remote_phase_gives_up_clearly(registry_db):
    sleeps: list[float] = []
    failing = _remote(registry_db, lambda request: httpx.Response(503, text="down"), sleeps)
    with pytest.raises(ServiceUnavailable, match="service scanner did not answer in 4 rounds"):
        failing(_ctx(), attempt=1, retry_count=0)
    assert sleeps == [0.5, 1.0, 2.0]
    refused = _remote(registry_db, lambda request: httpx.Response(401, json={"error": "bad token"}), [])
    with pytest.raises(TradecycleError, match="refused phase scan: 401"):
        refused(_ctx(), attempt=1, retry_count=0)


def test_remote_mode_and_services_refuse_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(app, ["service", "run", "scanner", "--database", url])
    assert result.exit_code == 2 and "need PostgreSQL" in result.stderr
    result = CliRunner().invoke(app, ["services", "start", "--database", url])
    assert result.exit_code == 2
    env = {"TRADECYCLE_DISTRIBUTED__MODE": "remote", "TRADECYCLE_API__TOKEN": "t"}
    result = CliRunner().invoke(
        app, ["replay", "--start", "2014-01-02", "--end", "2014-01-03", "--database", url], env=env
    )
    assert result.exit_code == 2 and "needs PostgreSQL" in result.stderr


def test_supervisor_restarts_a_crashed_child_with_growing_backoff(tmp_path: Path):
    script = "import time, sys; time.sleep(float(sys.argv[1]))"
    now = [0.0]
    supervisor = Supervisor(
        [("flaky", 1), ("steady", 2)],
        lambda name, port: [sys.executable, "-c", script, "0" if name == "flaky" else "60"],
        tmp_path,
        healthy=lambda host, port: True,
        clock=lambda: now[0],
        sleep=lambda _: None,
    )
    supervisor.start_all()
    flaky = supervisor.children[0]
    delays = []
    for _ in range(3):
        flaky.proc.wait()
        supervisor.step()
        delays.append(flaky.restart_at - now[0])
        now[0] = flaky.restart_at
        supervisor.step()
    assert delays == [1.0, 2.0, 4.0] and flaky.restarts == 3
    state = read_state(tmp_path)
    assert state["services"]["flaky"]["restarts"] == 3 and state["services"]["steady"]["pid"]
    supervisor.stop_all(grace=2)
    assert read_state(tmp_path)["stopped"] is True
    assert supervisor.children[1].proc.returncode is not None


@pytest.mark.slow
def test_features_on_a_dask_cluster_equal_the_single_process_ones():
    panel = load_bundled_panel(end="2014-06-30", symbols=["AAPL", "MSFT", "JPM", "XOM", "KO", "PG", "BA"])
    settings = load_settings(None, {"distributed": {"dask_scheduler": "local", "dask_partitions": 3}})
    distributed = compute_features(panel, settings)
    local = precompute_features(panel, SettingsModel())
    assert distributed.names == local.names and distributed.cdl_names == local.cdl_names
    for name in local.names:
        np.testing.assert_array_equal(distributed[name], local[name], err_msg=name)
