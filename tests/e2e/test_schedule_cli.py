"""`tradecycle schedule` as a real process: plans the next run, registers, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.engine import make_engine
from tradecycle.coordinator import registry

CLI = [sys.executable, "-c", "from tradecycle.interfaces.cli.main import run; run()"]


def test_schedule_plans_registers_and_stops_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'sched.db'}"
    proc = subprocess.Popen(
        [*CLI, "schedule", "--database", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    engine = make_engine(url)
    deadline = time.monotonic() + 90
    config = None
    while time.monotonic() < deadline and config is None:
        time.sleep(0.5)
        try:
            with engine.connect() as conn:
                raw = conn.execute(select(s.trading_schedule_config.c.config)).scalar_one_or_none()
        except Exception:  # noqa: BLE001 - the database may not exist yet
            raw = None
        config = json.loads(raw) if raw else None
        if config and not config.get("next_run"):
            config = None
    assert config is not None, "the scheduler never planned a run"
    with engine.connect() as conn:
        assert registry.services(conn)[0].status == "running"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "scheduler stopped after 0 cycle(s)" in out
    assert config["next_run"].endswith(":05:00+00:00")  # five minutes after a session close
    with engine.connect() as conn:
        assert registry.services(conn)[0].status == "stopped"
    engine.dispose()
