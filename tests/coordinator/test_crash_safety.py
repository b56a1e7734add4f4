"""kill -9 a real replay process at random points, resume it, and compare with an uninterrupted run."""

from __future__ import annotations

import random
import signal
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
    for _attempt in range(12):
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            proc.wait(timeout=rng.uniform(3.0, 7.0) if kills < 4 else 600)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            time.sleep(0.1)
            continue
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        break
    else:
        pytest.fail("the replay never finished")
    assert kills >= 1, "the replay finished before it could be killed; lengthen the window"

    crashed, reference = decision_state(crashed_url), decision_state(reference_url)
    assert all(status == "completed" for _, status in crashed["cycles"])
    for name in reference:
        assert crashed[name] == reference[name], f"{name} differ after {kills} kills"

    check = subprocess.run(
        [*CLI, "portfolio", "reconcile", "--database", crashed_url], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
