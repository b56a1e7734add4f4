"""`broker reconcile` end to end through the CLI on recorded Alpaca responses: exit codes,
recorded differences, and the one-line messages for no keys, no network and no account."""

from __future__ import annotations

import json

import requests
from typer.testing import CliRunner

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.interfaces.cli.main import app

from .conftest import recorded

runner = CliRunner()
PAPER = "https://paper-api.alpaca.markets/v2"


def _account(url: str) -> None:
    engine = prepare_database(url)
    with engine.begin() as conn:
        conn.execute(s.accounts.insert().values(name="alpaca-default", broker="alpaca"))
    engine.dispose()


def test_broker_reconcile_without_keys_is_a_config_error(cli_env, sqlite_url):
    result = runner.invoke(app, ["broker", "reconcile", "-d", sqlite_url])
    assert result.exit_code == 2
    assert "Alpaca API key and secret key missing" in result.stderr


def test_broker_reconcile_reports_differences_with_exit_6(
    cli_env, alpaca_keys_env, alpaca_http, no_wait, sqlite_url
):
    _account(sqlite_url)
    alpaca_http.add("GET", f"{PAPER}/orders", (200, recorded("alpaca_orders_open.json")))
    alpaca_http.add("GET", f"{PAPER}/positions", (200, recorded("alpaca_positions.json")))
    result = runner.invoke(app, ["broker", "reconcile", "-d", sqlite_url, "--json"])
    assert result.exit_code == 6, result.output
    report = json.loads(result.stdout)
    kinds = sorted(d["kind"] for d in report["differences"])
    assert (
        kinds == ["order_unknown"] * 6 + ["position_unknown"] * 2
    )  # JPM's bracket legs count: not ours here
    assert "test-secret-never-printed" not in result.output


def test_broker_reconcile_clean_books_exit_0(cli_env, alpaca_keys_env, alpaca_http, no_wait, sqlite_url):
    _account(sqlite_url)
    alpaca_http.add("GET", f"{PAPER}/orders", (200, []))
    alpaca_http.add("GET", f"{PAPER}/positions", (200, []))
    result = runner.invoke(app, ["broker", "reconcile", "-d", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "books agree" in result.stdout


def test_broker_reconcile_without_network_or_account(
    cli_env, alpaca_keys_env, alpaca_http, no_wait, sqlite_url
):
    no_account = runner.invoke(app, ["broker", "reconcile", "-d", sqlite_url])
    assert no_account.exit_code == 5
    assert "no account 'alpaca-default' yet" in no_account.stderr

    _account(sqlite_url)
    alpaca_http.add("GET", f"{PAPER}/orders", requests.exceptions.ConnectTimeout("connect timeout=10"))
    offline = runner.invoke(app, ["broker", "reconcile", "-d", sqlite_url])
    assert offline.exit_code == 4
    assert "cannot reach Alpaca paper trading after 4 attempts (connect timeout=10)" in offline.stderr
