"""The split deployment for real: services as processes under the supervisor on the local
PostgreSQL, cycles driven through the registry, one service killed -9 mid-cycle."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator import registry
from tradecycle.coordinator.replay import replay
from tradecycle.coordinator.supervisor import read_state
from tradecycle.settings import load_settings

from ..coordinator.helpers import decision_state

SYMBOLS = ["AAPL", "MSFT", "JPM", "XOM", "JNJ", "PG", "KO", "WMT", "CVX", "PFE", "INTC", "BA"]
PHASE_SERVICES = "scanner,pattern_analysis,technical_analysis,paper_trading,news"
CLI = [sys.executable, "-c", "from tradecycle.interfaces.cli.main import run; run()"]
TOKEN = "multi-process-token"


@pytest.fixture
def cluster(postgres_url, tmp_path):
    # below Linux's ephemeral range (32768-60999), where a client connection's local port can hold a port
    base_port = random.randint(20000, 32000)
    env = {
        **os.environ,
        "TRADECYCLE_API__TOKEN": TOKEN,
        "TRADECYCLE_DISTRIBUTED__BASE_PORT": str(base_port),
        "TRADECYCLE_DISTRIBUTED__RUN_DIR": str(tmp_path / "run"),
        "TRADECYCLE_DISTRIBUTED__HEARTBEAT_SECONDS": "1",
        "TRADECYCLE_DATA__PROVIDER": "bundled",
    }
    proc = subprocess.Popen(
        [*CLI, "services", "start", "--only", PHASE_SERVICES, "--database", postgres_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state = read_state(tmp_path / "run")
        if state and all(svc["pid"] for svc in state["services"].values()) and len(state["services"]) == 5:
            break
        if proc.poll() is not None:
            pytest.fail(f"supervisor exited: {proc.stdout.read()}")
        time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("services did not start")
    yield postgres_url, env, tmp_path / "run"
    stop = subprocess.run(
        [*CLI, "services", "stop", "--database", postgres_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stop.returncode == 0, stop.stderr
    proc.wait(timeout=30)
    assert proc.returncode == 0
    engine = prepare_database(postgres_url)
    with engine.connect() as conn:
        statuses = {svc.service_name: svc.status for svc in registry.services(conn)}
    engine.dispose()
    assert statuses == dict.fromkeys(PHASE_SERVICES.split(","), "stopped")  # each deregistered on shutdown


@pytest.mark.slow
def test_cycles_through_services_survive_a_killed_service(cluster, tmp_path):
    url, env, run_dir = cluster
    settings = load_settings(
        None,
        {
            "database_url": url,
            "data": {"provider": "bundled"},
            "api": {"token": TOKEN},
            "distributed": {
                "mode": "remote",
                "heartbeat_seconds": 1,
                "service_retries": 8,
                "retry_backoff_seconds": 0.5,
                "base_port": int(env["TRADECYCLE_DISTRIBUTED__BASE_PORT"]),
            },
        },
    )
    engine = prepare_database(url)
    first = replay(engine, settings, date(2014, 3, 3), date(2014, 3, 7), SYMBOLS)
    assert first.ok, first.first_failure
    with engine.connect() as conn:
        served = (
            conn.execute(select(s.workflow_tracking.c.metadata).where(s.workflow_tracking.c.phase == "scan"))
            .scalars()
            .all()
        )
    assert all(json.loads(m)["served_by"] == "scanner" for m in served)

    victim = read_state(run_dir)["services"]["paper_trading"]["pid"]
    killer = threading.Timer(1.0, lambda: os.kill(victim, signal.SIGKILL))
    killer.start()
    second = replay(engine, settings, date(2014, 3, 3), date(2014, 3, 21), SYMBOLS)
    killer.join()
    assert second.ok, second.first_failure
    assert second.cycles_skipped == 5 and second.cycles_run == 10

    state = read_state(run_dir)
    assert state["services"]["paper_trading"]["restarts"] >= 1
    assert state["services"]["paper_trading"]["pid"] not in (None, victim)
    with engine.connect() as conn:
        running = conn.execute(
            select(func.count()).select_from(s.trading_cycles).where(s.trading_cycles.c.status != "completed")
        ).scalar_one()
    assert running == 0

    local_url = f"sqlite:///{tmp_path / 'local.db'}"
    local_settings = settings.model_copy(
        update={
            "database_url": local_url,
            "distributed": settings.distributed.model_copy(update={"mode": "local"}),
        }
    )
    local = prepare_database(local_url)
    assert replay(local, local_settings, date(2014, 3, 3), date(2014, 3, 21), SYMBOLS).ok
    remote, one_process = decision_state(url), decision_state(local_url)
    for name in ("orders", "trades", "transactions", "positions"):
        assert remote[name] == one_process[name], name  # same decisions; no order doubled by the retries
    engine.dispose()
    local.dispose()


@pytest.mark.slow
def test_status_and_restart_through_the_cli(cluster):
    url, env, run_dir = cluster
    status = subprocess.run(
        [*CLI, "services", "status", "--json", "--database", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    rows = {row["service"]: row for row in json.loads(status.stdout)["services"]}
    assert rows["news"]["healthy"] is True and rows["news"]["registry"] == "running"
    assert rows["reporting"]["registry"] == "unregistered" and rows["reporting"]["pid"] is None
    before = read_state(run_dir)["services"]["news"]["pid"]
    restart = subprocess.run(
        [*CLI, "services", "restart", "news", "--database", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert restart.returncode == 0, restart.stderr
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        news = read_state(run_dir)["services"]["news"]
        if news["pid"] not in (None, before) and news["restarts"] == 1:
            break
        time.sleep(0.5)
    else:
        pytest.fail("news was not restarted")
