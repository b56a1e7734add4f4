"""`tradecycle portfolio|orders` through the CLI and the trading endpoints through the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import SettingsModel
from tradecycle.interfaces.api.app import create_app
from tradecycle.interfaces.cli.main import app as cli
from tradecycle.services import execution, portfolio

from .helpers import as_of, context, make_panel

runner = CliRunner()


def invoke(url, *args):
    return runner.invoke(cli, [*args, "--database", url], env={"COLUMNS": "200"})


def test_portfolio_cli_deposit_show_reconcile(sqlite_url):
    result = invoke(sqlite_url, "portfolio", "show")
    assert result.exit_code == 5 and "no account" in result.output
    result = invoke(sqlite_url, "portfolio", "deposit", "5000", "--at", "2018-01-02T15:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert "cash is now 105,000.00" in result.output
    result = invoke(sqlite_url, "portfolio", "deposit", "250.5", "--withdraw", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["cash"] == 104_749.5
    shown = json.loads(invoke(sqlite_url, "portfolio", "show", "--json").output)
    assert shown["account"]["cash"] == 104_749.5 and shown["positions"] == []
    assert "ledger reconciles" in invoke(sqlite_url, "portfolio", "reconcile").output
    table = invoke(sqlite_url, "portfolio", "show").output
    assert "equity" in table and "104,749.50" in table


@pytest.mark.parametrize("amount", ["abc", "-5", "0", "1.234", "nan"])
def test_deposit_rejects_bad_amounts(sqlite_url, amount):
    result = runner.invoke(cli, ["portfolio", "deposit", "--database", sqlite_url, "--", amount])
    assert result.exit_code == 4, result.output
    assert "amount" in result.output


def test_withdrawal_beyond_cash_is_refused(sqlite_url):
    result = invoke(sqlite_url, "portfolio", "deposit", "200000", "--withdraw")
    assert result.exit_code == 4 and "cannot withdraw" in result.output
    # nothing half-written, not even the account
    assert invoke(sqlite_url, "portfolio", "show").exit_code == 5


def test_reconcile_exits_non_zero_on_a_difference(sqlite_url):
    invoke(sqlite_url, "portfolio", "deposit", "10")
    engine = prepare_database(sqlite_url)
    with engine.begin() as conn:
        conn.execute(s.balance_history.update().values(balance_cents=1))
    engine.dispose()
    result = invoke(sqlite_url, "portfolio", "reconcile", "--json")
    assert result.exit_code == 6
    assert "cash: ledger says 100010.00, stored 0.01" in result.output


@pytest.fixture
def api(db_url):
    settings = SettingsModel(database_url=db_url, api={"token": "s3cret"})
    engine = prepare_database(db_url)
    with TestClient(create_app(settings, engine)) as client:
        yield client, engine, settings
    engine.dispose()


AUTH = {"Authorization": "Bearer s3cret"}


def test_trading_api_end_to_end(api):
    client, engine, settings = api
    panel = make_panel()
    body = {
        "at": as_of(panel, 20).isoformat(),
        "signals": [
            {
                "symbol": "aaa",
                "entry_price": 110.0,
                "stop_loss": 108.0,
                "target_price": 117.0,
                "confidence": 0.7,
            },
            {"symbol": "BBB", "entry_price": 55.0, "stop_loss": 54.0, "target_price": 56.0},
        ],
    }
    assert client.post("/execute_trades", json=body).status_code == 401
    assert client.get("/account").status_code == 404
    response = client.post("/execute_trades", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    decisions = {d["symbol"]: d for d in response.json()["decisions"]}
    assert decisions["AAA"]["decision"] == "approve" and decisions["AAA"]["quantity"] == 90
    assert decisions["BBB"] == decisions["BBB"] | {"decision": "deny", "reason": "reward_risk_below_minimum"}
    [order] = response.json()["orders"]
    assert order["status"] == "submitted" and order["client_order_id"].endswith(":AAA:entry")
    again = client.post("/execute_trades", json=body, headers=AUTH).json()
    assert again["orders"] == [order]  # the same request at the same time is the same order, not a second
    later = dict(body, at=(as_of(panel, 20) + timedelta(minutes=1)).isoformat())
    response = client.post("/execute_trades", json=later, headers=AUTH).json()
    assert response["orders"] == [] and {d["reason"] for d in response["decisions"]} >= {"already_held"}
    assert client.get("/orders").json()["total"] == 1

    with engine.begin() as conn:
        account_id = portfolio.find_account(conn, settings)
        ctx = context(panel, 21, account_id, settings)
        execution.run_fills_phase(conn, ctx)
    with engine.begin() as conn:
        portfolio.run_phase(conn, ctx)

    orders = client.get("/orders", params={"status": "filled"}).json()
    assert orders["total"] == 1 and orders["items"][0]["filled_quantity"] == 90
    assert client.get("/orders", params={"status": "bogus"}).status_code == 422
    assert client.get("/orders", params={"limit": 10**6}).status_code == 422
    positions = client.get("/positions").json()
    assert positions["count"] == 1 and positions["positions"][0]["symbol"] == "AAA"
    account = client.get("/account").json()
    assert account["equity"] == pytest.approx(account["cash"] + account["positions_value"])
    assert account["open_positions"] == 1
    trades = client.get("/trades", params={"status": "open", "symbol": "aaa"}).json()
    assert trades["total"] == 1 and trades["items"][0]["quantity"] == 90
    assert client.get("/trades", params={"status": "closed"}).json()["total"] == 0


def test_execute_trades_validates_its_body(api):
    client, _, _ = api
    bad = {"signals": [{"symbol": "AAA", "entry_price": -1, "stop_loss": 1, "target_price": 2}]}
    response = client.post("/execute_trades", json=bad, headers=AUTH)
    assert response.status_code == 422 and "entry_price" in response.json()["error"]
    dup = {"signals": [{"symbol": "A", "entry_price": 10, "stop_loss": 9, "target_price": 13}] * 2}
    assert client.post("/execute_trades", json=dup, headers=AUTH).status_code == 422


def test_orders_cli_lists_what_the_cycles_placed(sqlite_url):
    engine = prepare_database(sqlite_url)
    settings = SettingsModel(database_url=sqlite_url)
    panel = make_panel()
    with engine.begin() as conn:
        execution.execute_signals(
            conn,
            settings,
            [execution.Signal("AAA", execution.Side.BUY, 80, 0.8, 110, 108, 117, "t")],
            as_of(panel, 20),
        )
        assert conn.execute(select(s.orders.c.status)).scalar_one() == "submitted"
    engine.dispose()
    rows = json.loads(invoke(sqlite_url, "orders", "list", "--json").output)
    assert [r["symbol"] for r in rows] == ["AAA"]
    assert json.loads(invoke(sqlite_url, "orders", "list", "--status", "filled", "--json").output) == []
    table = invoke(sqlite_url, "orders", "list").output
    assert ":AAA:entry" in table and "submitted" in table
