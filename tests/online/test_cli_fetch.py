"""`data fetch` end to end through the CLI, on recorded responses: stored bars, the cache,
validation at the door, and the one-line messages for no network and no keys."""

from __future__ import annotations

import json

import requests
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.interfaces.cli.common import App
from tradecycle.interfaces.cli.main import app

from .conftest import recorded

runner = CliRunner()
RANGE = ["--start", "2018-01-02", "--end", "2018-01-05"]


def fetch_command() -> list[str]:
    """`data fetch` once H2's data group exists, else the top-level `fetch`."""
    try:
        from tradecycle.interfaces.cli.data import app as data_app
    except ImportError:
        return ["fetch"]
    return ["data", "fetch"] if isinstance(data_app, App) else ["fetch"]


def _bars(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.market_data.c.symbol, func.count()).group_by(s.market_data.c.symbol)
        ).all()
    engine.dispose()
    return dict(rows)


def test_fetch_yahoo_validates_and_stores_bars(cli_env, yahoo_http, no_wait, sqlite_url):
    yahoo_http.add("GET", "/chart/AAPL", (200, recorded("yahoo_chart_AAPL.json")))
    yahoo_http.add("GET", "/chart/BRK-B", (200, recorded("yahoo_chart_BRK-B.json")))
    result = runner.invoke(app, [*fetch_command(), "AAPL,BRK.B", *RANGE, "-d", sqlite_url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["rows_fetched"], summary["rows_written"], summary["rows_rejected"]) == (7, 7, 0)
    assert _bars(sqlite_url) == {"AAPL": 4, "BRK.B": 3}
    assert list((cli_env / "cache" / "yahoo").glob("*.parquet"))  # 2018 is complete history: cached

    again = runner.invoke(app, [*fetch_command(), "AAPL", *RANGE, "-d", sqlite_url])
    assert again.exit_code == 0, again.output
    assert len(yahoo_http.calls) == 2  # served from the cache, and re-storing is idempotent
    assert _bars(sqlite_url) == {"AAPL": 4, "BRK.B": 3}


def test_fetch_with_a_bad_bar_writes_nothing_unless_skip_bad(cli_env, yahoo_http, no_wait, sqlite_url):
    payload = recorded("yahoo_chart_AAPL.json")
    payload["chart"]["result"][0]["indicators"]["quote"][0]["high"][1] = 40.0  # below its low of 42.99
    yahoo_http.add("GET", "/chart/AAPL", (200, payload))
    prepare_database(sqlite_url).dispose()

    rejected = runner.invoke(app, [*fetch_command(), "AAPL", *RANGE, "-d", sqlite_url, "--no-cache"])
    assert rejected.exit_code == 4
    assert "1 bad rows of 4; nothing was written" in rejected.stderr
    assert "row 2: AAPL 2018-01-03: high: high below low" in rejected.stderr
    assert _bars(sqlite_url) == {}

    kept = runner.invoke(
        app, [*fetch_command(), "AAPL", *RANGE, "-d", sqlite_url, "--no-cache", "--skip-bad"]
    )
    assert kept.exit_code == 0, kept.output
    assert "high below low" in kept.stdout
    assert _bars(sqlite_url) == {"AAPL": 3}


def test_fetch_without_network_is_one_line_not_a_traceback(cli_env, yahoo_http, no_wait, sqlite_url):
    from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError

    yahoo_http.add(
        "GET", "/chart/", CurlConnectionError("Failed to perform, curl: (6) Could not resolve host: x")
    )
    result = runner.invoke(app, [*fetch_command(), "AAPL", *RANGE, "-d", sqlite_url])
    assert result.exit_code == 4
    assert result.stderr.strip().startswith("error: cannot reach Yahoo Finance after 4 attempts")
    assert "check the network connection" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_fetch_alpaca_without_keys_says_which_settings_to_set(cli_env, sqlite_url):
    result = runner.invoke(app, [*fetch_command(), "--provider", "alpaca", "AAPL", *RANGE, "-d", sqlite_url])
    assert result.exit_code == 2
    assert "Alpaca API key and secret key missing" in result.stderr
    assert "TRADECYCLE_BROKER__ALPACA_API_KEY" in result.stderr
    assert "Traceback" not in result.output


def test_fetch_alpaca_without_network_is_one_clear_message(
    cli_env, alpaca_keys_env, alpaca_http, no_wait, sqlite_url
):
    alpaca_http.add(
        "GET", "/v2/stocks/bars", requests.exceptions.ConnectionError("Name or service not known")
    )
    result = runner.invoke(app, [*fetch_command(), "-p", "alpaca", "AAPL", *RANGE, "-d", sqlite_url])
    assert result.exit_code == 4
    assert "cannot reach Alpaca market data after 4 attempts (Name or service not known)" in result.stderr
    assert "test-secret-never-printed" not in result.output


def test_fetch_alpaca_stores_bars(cli_env, alpaca_keys_env, alpaca_http, no_wait, sqlite_url):
    alpaca_http.add(
        "GET",
        "/v2/stocks/bars",
        (200, recorded("alpaca_bars_page1.json")),
        (200, recorded("alpaca_bars_page2.json")),
    )
    result = runner.invoke(app, [*fetch_command(), "-p", "alpaca", "AAPL", "MSFT", *RANGE, "-d", sqlite_url])
    assert result.exit_code == 0, result.output
    assert _bars(sqlite_url) == {"AAPL": 4, "MSFT": 4}


def test_fetch_rejects_bad_dates(cli_env, sqlite_url):
    result = runner.invoke(app, [*fetch_command(), "AAPL", "--start", "2018-13-01", "-d", sqlite_url])
    assert result.exit_code == 4
    assert "--start '2018-13-01' is not a date" in result.stderr


def test_fetch_of_many_symbols_goes_in_chunks_and_keeps_json_clean(cli_env, yahoo_http, sqlite_url):
    symbols = ["AAPL", "MSFT", "JPM", "XOM", "KO", "PEP", "WMT", "HD", "CVX", "PFE", "MRK", "INTC"]
    yahoo_http.add("GET", "/chart/", lambda call: (200, recorded("yahoo_chart_AAPL.json")))
    result = runner.invoke(app, [*fetch_command(), ",".join(symbols), *RANGE, "-d", sqlite_url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # the progress bar went to stderr
    assert summary["rows_written"] == 4 * len(symbols)
    assert [c.url.rsplit("/", 1)[1] for c in yahoo_http.calls] == symbols
    assert _bars(sqlite_url) == dict.fromkeys(symbols, 4)
