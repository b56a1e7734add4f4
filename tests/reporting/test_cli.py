"""`tradecycle report ...` and `tradecycle serve` end to end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.interfaces.cli.main import app

runner = CliRunner()


@pytest.fixture
def db(sqlite_url):
    from tc_report_dataset import build  # registered by conftest

    engine = make_engine(sqlite_url)
    metadata.create_all(engine)
    data = build(engine)
    engine.dispose()
    return sqlite_url, data


@pytest.mark.parametrize("report", ["daily", "performance", "patterns", "cycles", "health"])
def test_every_report_prints_a_table_and_json(db, report):
    url, _ = db
    table = runner.invoke(app, ["report", report, "-d", url])
    assert table.exit_code == 0, table.output
    as_json = runner.invoke(app, ["report", report, "-d", url, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)


def test_json_numbers_match_the_dataset(db):
    url, data = db
    perf = json.loads(runner.invoke(app, ["report", "performance", "-d", url, "--json"]).stdout)
    assert perf["final_equity"] == pytest.approx(data.equity[-1])
    daily = json.loads(
        runner.invoke(app, ["report", "daily", "-d", url, "--json", "--date", "2024-01-17"]).stdout
    )
    assert daily["date"] == "2024-01-17"


def test_tearsheet_file(db, tmp_path):
    url, _ = db
    out = tmp_path / "sheet.html"
    result = runner.invoke(app, ["report", "tearsheet", "-d", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert html.startswith("<!doctype html>") and "<svg" in html and "Max drawdown" in html


def test_bad_input_is_one_line_and_a_exit_code(db, tmp_path):
    url, _ = db
    bad_date = runner.invoke(app, ["report", "daily", "-d", url, "--date", "yesterday"])
    assert bad_date.exit_code == 4 and "--date" in bad_date.output and "Traceback" not in bad_date.output
    ancient = runner.invoke(app, ["report", "daily", "-d", url, "--date", "0001-01-01", "--days", "99999"])
    assert ancient.exit_code == 4 and "0001-01-01" in ancient.output and "Traceback" not in ancient.output
    long_history = runner.invoke(
        app, ["report", "daily", "-d", url, "--date", "2024-01-17", "--days", "99999"]
    )
    assert long_history.exit_code == 0, long_history.output
    missing = runner.invoke(app, ["report", "performance", "-d", f"sqlite:///{tmp_path / 'none.db'}"])
    assert missing.exit_code == 3 and "does not exist" in missing.output
    no_dir = runner.invoke(
        app, ["report", "tearsheet", "-d", url, "--out", str(tmp_path / "nope" / "x.html")]
    )
    assert no_dir.exit_code == 4


def test_report_on_a_database_without_schema(tmp_path):
    path = tmp_path / "empty.db"
    make_engine(f"sqlite:///{path}").connect().close()
    result = runner.invoke(app, ["report", "cycles", "-d", f"sqlite:///{path}"])
    assert result.exit_code == 3 and "db upgrade" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_binds_localhost_and_serves_the_dashboard(db):
    url, _ = db
    port = _free_port()
    env = {**os.environ, "TRADECYCLE_API__TOKEN": "t0k"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("tradecycle")), "serve", "-d", url, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(
                        f"serve did not start: {proc.stdout.read().decode() if proc.poll() is not None else ''}"
                    )
                time.sleep(0.2)
        assert page.status_code == 200 and "tradecycle" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/trading_performance").json()["sessions"] == 60
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_pattern_table_columns_line_up_with_the_json(db):
    url, _ = db
    rows = json.loads(runner.invoke(app, ["report", "patterns", "-d", url, "--json"]).stdout)
    table = runner.invoke(app, ["report", "patterns", "-d", url], env={"COLUMNS": "200"}).stdout
    hammer = next(r for r in rows if r["pattern_name"] == "hammer")
    line = next(line for line in table.splitlines() if "hammer" in line)
    cells = [c.strip() for c in line.strip("│ ").split("│")]
    assert cells[:4] == ["hammer", "candlestick", str(hammer["hits"]), str(hammer["trades"])]
