"""kill -9 a real replay process at random points, resume it, and compare with an uninterrupted run."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import date

import pytest
from sqlalchemy import select

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator.replay import replay
from tradecycle.settings import load_settings

SYMBOLS = "AAPL,MSFT,JPM,XOM,JNJ,PG,KO,WMT,CVX,PFE,INTC,CSCO,T,VZ,BA,CAT,MMM,HD,MCD,DIS,NKE,GS,IBM,UNH,MRK"
START, END = "2014-01-02", "2014-04-30"
CLI = [sys.executable, "-c", "from tradecycle.interfaces.cli.main import run; run()"]


def _state(url: str) -> dict[str, list[tuple]]:
    engine = prepare_database(url)
    picks = {
        "orders": (
            s.orders,
            (
                "client_order_id",
                "symbol",
                "side",
                "order_type",
                "quantity",
                "status",
                "filled_quantity",
                "average_fill_price",
                "price",
                "stop_price",
            ),
        ),
        "trades": (
            s.trades,
            ("symbol", "signal_type", "quantity", "entry_price", "exit_price", "profit_loss", "status"),
        ),
        "transactions": (s.transactions, ("external_id", "kind", "symbol", "quantity", "amount_cents")),
        "positions": (s.positions, ("symbol", "quantity")),
        "cycles": (s.trading_cycles, ("cycle_id", "status")),
    }
    state = {}
    with engine.connect() as conn:
        for name, (table, columns) in picks.items():
            rows = conn.execute(select(*(table.c[c] for c in columns))).all()
            state[name] = sorted(tuple(row) for row in rows)
    engine.dispose()
    return state


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

    crashed, reference = _state(crashed_url), _state(reference_url)
    assert all(status == "completed" for _, status in crashed["cycles"])
    for name in reference:
        assert crashed[name] == reference[name], f"{name} differ after {kills} kills"

    check = subprocess.run(
        [*CLI, "portfolio", "reconcile", "--database", crashed_url], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
