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
from tradecycle.coordinator import replay as replay_module
from tradecycle.coordinator.cycle import CycleRunner
from tradecycle.coordinator.phases import Phase, enabled_phase_names
from tradecycle.coordinator.replay import replay
from tradecycle.core.types import CycleStatus
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


class CrashAfterEveryPhase:
    """Wraps a replay's phases so each cycle first dies after its 1st phase, is run again and
    dies after its 2nd, ..., and only then runs whole: every point between two commits, in
    every cycle, is a point a resumed cycle starts again from."""

    def __init__(self) -> None:
        self.failures: dict[str, int] = {}  # cycle -> how many attempts have died so far

    def wrap(self, phases: list[Phase]) -> list[Phase]:
        return [Phase(p.name, self._dies_at(position, p.run)) for position, p in enumerate(phases)]

    def _dies_at(self, position: int, run):
        def maybe_die(conn, ctx):
            if self.failures.get(ctx.cycle_id, 0) == position:
                self.failures[ctx.cycle_id] = position + 1
                raise RuntimeError(f"injected crash before phase {position}")
            return run(conn, ctx)

        return maybe_die


def test_a_cycle_retried_from_every_point_between_its_phases_ends_like_an_uninterrupted_one(
    tmp_path, monkeypatch
):
    symbols = SYMBOLS.split(",")
    start, end = date(2014, 1, 2), date(2014, 4, 30)
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    settings = load_settings(None, {"database_url": reference_url, "data": {"provider": "bundled"}})
    assert replay(prepare_database(reference_url), settings, start, end, symbols).ok

    crashes = CrashAfterEveryPhase()
    real_load, real_run = replay_module.load_phases, CycleRunner.run
    monkeypatch.setattr(replay_module, "load_phases", lambda *a, **k: crashes.wrap(real_load(*a, **k)))

    def run_until_complete(runner, inputs):
        outcome = real_run(runner, inputs)
        while outcome.status is CycleStatus.FAILED and "injected crash" in (outcome.error or ""):
            outcome = real_run(runner, inputs)  # what a resumed replay does with the failed cycle
        return outcome

    monkeypatch.setattr(CycleRunner, "run", run_until_complete)
    retried_url = f"sqlite:///{tmp_path / 'retried.db'}"
    summary = replay(
        prepare_database(retried_url),
        settings.model_copy(update={"database_url": retried_url}),
        start,
        end,
        symbols,
    )
    assert summary.ok, summary.first_failure
    phases = len(enabled_phase_names(settings))
    assert set(crashes.failures.values()) == {phases}  # every cycle died after each of its phases once

    retried, reference = decision_state(retried_url), decision_state(reference_url)
    for name in reference:
        assert retried[name] == reference[name], f"{name} differ"
