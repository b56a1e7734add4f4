"""The main job end to end through the CLI: demo, run, replay resume, check-lookahead, and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.engine import make_engine
from tradecycle.interfaces.cli.main import app

SYMBOLS = "AAPL,MSFT,JPM,XOM,JNJ,PG,KO,WMT,CVX,PFE,INTC,CSCO,BA,CAT,HD,MCD,DIS,GS,IBM,UNH"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def count(url: str, table, *where) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        query = select(func.count()).select_from(table)
        for clause in where:
            query = query.where(clause)
        value = conn.execute(query).scalar_one()
    engine.dispose()
    return value


def scalar(url: str, expression):
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(select(expression)).scalar_one()
    engine.dispose()
    return value


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> tuple[str, dict]:
    path = tmp_path_factory.mktemp("demo") / "trading_system.db"
    url = f"sqlite:///{path}"
    result = invoke("demo", "--database", url, "--start", "2014-01-02", "--end", "2014-03-31", "--json")
    assert result.exit_code == 0, result.output
    return url, json.loads(result.stdout)


def test_demo_replays_every_session_and_summarises(demo_db):
    url, summary = demo_db
    assert summary["cycles"] == 61  # NYSE sessions from 2014-01-02 to 2014-03-31
    assert count(url, s.trading_cycles, s.trading_cycles.c.status == "completed") == 61
    assert count(url, s.market_data) == summary["bars_loaded"] > 100_000
    # the bundle's bars from its first session up to the replay's last, none after it
    assert scalar(url, func.max(s.market_data.c.session)) == "2014-03-31"
    assert scalar(url, func.min(s.market_data.c.session)) == "2013-02-08"
    assert count(url, s.portfolio_status) == 61
    assert summary["benchmark_total_return"] is not None
    assert summary["final_equity"] > 0
    for table in (s.scanning_results, s.technical_indicators, s.strategy_evaluations, s.risk_metrics):
        assert count(url, table) > 0, table.name


def test_demo_refuses_a_database_with_work_unless_forced(demo_db, tmp_path):
    url, _ = demo_db
    refused = invoke("demo", "--database", url, "--start", "2014-01-02", "--end", "2014-01-10")
    assert refused.exit_code == 3
    assert "already holds work" in refused.stderr and "--force" in refused.stderr


def test_demo_force_backs_up_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'mine.db'}"
    assert (
        invoke("demo", "--database", url, "--start", "2014-01-02", "--end", "2014-01-08", "--json").exit_code
        == 0
    )
    forced = invoke(
        "demo", "--database", url, "--start", "2014-01-02", "--end", "2014-01-10", "--force", "--json"
    )
    assert forced.exit_code == 0, forced.output
    backups = list(tmp_path.glob("mine.db.before-demo*.bak"))
    assert len(backups) == 1
    assert count(f"sqlite:///{backups[0]}", s.trading_cycles) == 5
    assert count(url, s.trading_cycles) == 7


def test_run_next_continues_after_the_last_cycle_and_run_at_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'run.db'}"
    replayed = invoke(
        "replay",
        "--start",
        "2014-02-03",
        "--end",
        "2014-02-07",
        "--symbols",
        SYMBOLS,
        "--database",
        url,
        "--json",
    )
    assert replayed.exit_code == 0, replayed.output
    nxt = invoke("run", "--next", "--database", url, "--json")
    assert nxt.exit_code == 0, nxt.output
    assert json.loads(nxt.stdout)["cycle_id"] == "cycle_20140210_210500"
    again = invoke("run", "--at", "2014-02-10T21:05:00Z", "--database", url, "--json")
    assert json.loads(again.stdout)["skipped"] is True
    resumed = invoke(
        "replay",
        "--start",
        "2014-02-03",
        "--end",
        "2014-02-12",
        "--symbols",
        SYMBOLS,
        "--database",
        url,
        "--json",
    )
    body = json.loads(resumed.stdout)
    assert body["cycles_skipped"] == 6 and body["cycles_run"] == 2


def test_replay_twice_gives_identical_orders(tmp_path):
    orders = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.db"
        result = invoke(
            "replay",
            "--start",
            "2014-03-03",
            "--end",
            "2014-03-21",
            "--symbols",
            SYMBOLS,
            "--database",
            url,
            "--json",
        )
        assert result.exit_code == 0, result.output
        engine = make_engine(url)
        with engine.connect() as conn:
            orders.append(
                conn.execute(
                    select(
                        s.orders.c.client_order_id,
                        s.orders.c.side,
                        s.orders.c.quantity,
                        s.orders.c.status,
                        s.orders.c.average_fill_price,
                    ).order_by(s.orders.c.client_order_id)
                ).all()
            )
        engine.dispose()
    assert orders[0] == orders[1]


def test_check_lookahead_finds_none(tmp_path):
    result = invoke(
        "check-lookahead", "--start", "2014-03-03", "--end", "2014-03-14", "--symbols", SYMBOLS, "--json"
    )
    body = json.loads(result.stdout)
    assert result.exit_code == 0, body["differences"]
    assert body["clean"] and body["rows_compared"]["strategy_evaluations"] > 0


def test_run_now_on_stale_bundled_data_is_a_clear_error(tmp_path):
    result = invoke("run", "--database", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.exit_code == 4
    assert "market data ends at 2018-02-07" in result.stderr and "--at" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("replay", "--start", "2014-13-01", "--end", "2014-12-31"), "--start '2014-13-01' is not a date"),
        (("replay", "--start", "2030-01-02", "--end", "2030-02-01"), "no trading sessions between"),
        (("run", "--at", "2014-02-10T21:05:00"), "has no timezone"),
        (("replay", "--start", "2014-01-02", "--end", "2014-01-03", "--symbols", "AAPL,NOPE"), "NOPE"),
    ],
)
def test_bad_input_is_named_and_exits_non_zero(tmp_path: Path, args, message):
    result = invoke(*args, "--database", f"sqlite:///{tmp_path / 'bad.db'}")
    assert result.exit_code != 0
    assert message in result.stderr


def _decisions(url: str) -> dict[str, list]:
    """Orders, fills and ledger of a replay, and the phases it ran, without ids or wall-clock times."""
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {
            "orders": conn.execute(
                select(s.orders.c.client_order_id, s.orders.c.quantity, s.orders.c.status).order_by(
                    s.orders.c.client_order_id
                )
            ).all(),
            "transactions": conn.execute(
                select(s.transactions.c.external_id, s.transactions.c.amount_cents).order_by(
                    s.transactions.c.external_id
                )
            ).all(),
            "equity": conn.execute(
                select(s.portfolio_status.c.cycle_id, s.portfolio_status.c.total_value).order_by(
                    s.portfolio_status.c.cycle_id
                )
            ).all(),
            "phases": sorted(conn.execute(select(s.workflow_tracking.c.phase).distinct()).scalars().all()),
            "patterns": conn.execute(select(func.count()).select_from(s.pattern_analysis)).scalar_one(),
        }
    engine.dispose()
    return out


def test_analysis_read_runs_only_what_the_strategy_reads_with_the_same_trades(tmp_path):
    """sma_cross reads no analysis phase: with strategy.analysis = "read" none runs, and its
    orders, ledger and equity are exactly those of the run that recorded every analysis."""
    runs = {}
    for analysis in ("all", "read"):
        config = tmp_path / f"{analysis}.toml"
        config.write_text(
            f'[strategy]\nname = "sma_cross"\nanalysis = "{analysis}"\nsma_fast = 5\nsma_slow = 20\n'
        )
        url = f"sqlite:///{tmp_path / analysis}.db"
        result = invoke(
            "replay", "--start", "2014-03-03", "--end", "2014-04-11", "--symbols", SYMBOLS,
            "--database", url, "--config", str(config), "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        runs[analysis] = _decisions(url)
    full, lean = runs["all"], runs["read"]
    assert full["patterns"] > 0 and lean["patterns"] == 0
    assert {"scan", "patterns", "technicals"} <= set(full["phases"])
    assert lean["phases"] == sorted(["fills", "strategy", "exits", "risk", "execution", "portfolio"])
    assert full["orders"] and full["transactions"]
    for key in ("orders", "transactions", "equity"):
        assert lean[key] == full[key], key
