"""kill -9 a real replay process at random points, resume it, and compare with an uninterrupted run."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest

from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator.replay import replay
from tradecycle.settings import load_settings

from .helpers import decision_state

SYMBOLS = "AAPL,MSFT,JPM,XOM,JNJ,PG,KO,WMT,CVX,PFE,INTC,CSCO,T,VZ,BA,CAT,MMM,HD,MCD,DIS,NKE,GS,IBM,UNH,MRK"
START, END = "2014-01-02", "2014-04-30"
CLI = [sys.executable, "-c", "from tradecycle.interfaces.cli.main import run; run()"]
KILLS = 5


def _completed_cycles(url: str) -> int:
    """Completed cycles in the database, 0 while it does not exist yet (read-only peek)."""
    path = url.removeprefix("sqlite:///")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM trading_cycles WHERE status = 'completed'").fetchone()[
                0
            ]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_replay_killed_at_random_points_ends_like_an_uninterrupted_one(tmp_path):
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    settings = load_settings(None, {"database_url": reference_url, "data": {"provider": "bundled"}})
    summary = replay(
        prepare_database(reference_url), settings, date(2014, 1, 2), date(2014, 4, 30), SYMBOLS.split(",")
    )
    assert summary.ok and summary.cycles_run == summary.sessions

    crashed_url = f"sqlite:///{tmp_path / 'crashed.db'}"
    command = [
        *CLI,
        "replay",
        "--start",
        START,
        "--end",
        END,
        "--symbols",
        SYMBOLS,
        "--database",
        crashed_url,
        "--json",
    ]
    rng = random.Random(20141)
    kills = 0
    while kills < KILLS:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # kill a random few cycles into the run, at a random moment inside a cycle
        target = _completed_cycles(crashed_url) + rng.randint(2, 8)
        while proc.poll() is None and _completed_cycles(crashed_url) < target:
            time.sleep(0.05)
        if proc.poll() is not None:
            break
        time.sleep(rng.uniform(0.0, 0.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    final = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    assert kills == KILLS, f"the replay finished after {kills} kills; lengthen the window"

    crashed, reference = decision_state(crashed_url), decision_state(reference_url)
    assert all(status == "completed" for _, status in crashed["cycles"])
    for name in reference:
        assert crashed[name] == reference[name], f"{name} differ after {kills} kills"

    check = subprocess.run(
        [*CLI, "portfolio", "reconcile", "--database", crashed_url], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
