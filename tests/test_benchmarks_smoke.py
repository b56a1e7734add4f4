"""The benchmark scripts still run (a smoke on tiny inputs; their figures are read by hand)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_cycle_floor_prints_the_bookkeeping_cost_per_cycle():
    assert "ms a cycle of bookkeeping alone" in _run("cycle_floor.py", "--cycles", "20")


def test_replay_benchmark_prints_every_phase_on_a_small_universe():
    out = _run("replay.py", "--start", "2014-01-02", "--end", "2014-01-31", "--symbols", "AAPL,MSFT,JPM")
    assert "cycles run       21 (failed 0)" in out
    for phase in (
        "fills",
        "scan",
        "patterns",
        "technicals",
        "ml",
        "strategy",
        "risk",
        "execution",
        "portfolio",
    ):
        assert f"  {phase} " in out
