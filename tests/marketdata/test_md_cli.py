"""`tradecycle data ...` end to end through the CLI."""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import func, select
from typer.testing import CliRunner

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import market_data, symbols
from tradecycle.interfaces.cli.main import app

runner = CliRunner()
DIRTY = (
    "date,open,high,low,close,volume,Name\n"
    "2017-01-03,10,11,9,10.5,100,AAA\n"
    "2017-01-04,10,8,9,10.5,100,AAA\n"  # high < low
    "2017-01-05,10,11,9,10.5,100,AAA\n"
    "2017-01-07,10,11,9,10.5,100,AAA\n"  # a Saturday
)


def rows(url: str, table=market_data) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        engine.dispose()


def test_check_reports_file_row_field_reason(tmp_path):
    path = tmp_path / "dirty.csv"
    path.write_text(DIRTY)
    result = runner.invoke(app, ["data", "check", str(path)])
    assert result.exit_code == 4, result.output
    assert "dirty.csv: 4 rows, 2 bad, 0 flagged" in result.output
    assert "dirty.csv: row 3: AAA 2017-01-04: high: high below low (high=8.0 low=9.0)" in result.output
    assert "dirty.csv: row 5: AAA 2017-01-07: date: not an NYSE trading session" in result.output
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(DIRTY.splitlines()[:2]) + "\n")
    result = runner.invoke(app, ["data", "check", str(clean), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["bad_rows"] == 0


def test_import_rejects_whole_file_then_skip_bad_writes_good_rows_and_rejects(
    tmp_path, sqlite_url, monkeypatch
):
    path = tmp_path / "dirty.csv"
    path.write_text(DIRTY)
    result = runner.invoke(app, ["data", "import", str(path), "-d", sqlite_url])
    assert result.exit_code == 4
    assert "2 bad rows of 4; nothing was written" in result.output
    assert "Traceback" not in result.output
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(
        app,
        ["data", "import", str(path), "-d", sqlite_url, "--skip-bad", "--rejects", str(rejects), "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["written"] == 2 and summary["bad_rows"] == 2
    report = pd.read_csv(rejects)
    assert report[["row", "field"]].values.tolist() == [[3, "high"], [3, "open"], [3, "close"], [5, "date"]]
    assert rows(sqlite_url) == 2
    # importing again replaces, never duplicates; the rejects report defaults to the working directory
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["data", "import", str(path), "-d", sqlite_url, "--skip-bad"]).exit_code == 0
    assert rows(sqlite_url) == 2
    assert (tmp_path / "dirty.csv.rejects.csv").is_file()


def test_import_yahoo_layout_and_info(tmp_path, db_url, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default rejects report goes to the working directory
    path = tmp_path / "MSFT.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2017-11-22,83.8,84.0,83.3,83.1,80.0,100\n"  # close below low
        "2017-11-24,83.0,83.4,82.8,83.26,80.1,200\n"
        "2017-11-27,83.3,84.0,83.0,83.87,80.5,300\n"
    )
    result = runner.invoke(app, ["data", "import", str(path), "--symbol", "MSFT", "-d", db_url, "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert "stored 2 bars; 1 bad rows skipped" in result.output
    result = runner.invoke(app, ["data", "info", "-d", db_url, "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert (info["symbols"], info["sessions"], info["bars"]) == (1, 2, 2)
    assert info["first"] == "2017-11-24" and info["unknown_sector"] == []


def test_seed_a_slice_and_info(sqlite_url):
    result = runner.invoke(app, ["data", "seed", "-d", sqlite_url, "--start", "2018-02-01", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"symbols_changed": 505, "bars_written": 505 * 5}
    assert rows(sqlite_url, symbols) == 505
    result = runner.invoke(app, ["data", "info", "-d", sqlite_url, "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "505 symbols, 5 sessions (2018-02-01 to 2018-02-07), 2525 bars" in result.output
    assert "sector Unknown: 7 symbols (CBG, CHK, HCN, PCLN, PDCO, SIG, SNI)" in result.output


def test_info_on_the_bundled_sample():
    result = runner.invoke(app, ["data", "info", "--bundled", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert (info["symbols"], info["sessions"], info["bars"]) == (505, 1259, 619_017)
    assert info["incomplete"][0] == {
        "symbol": "APTV",
        "bars": 44,
        "first": "2017-12-05",
        "last": "2018-02-07",
        "missing": 1215,
        "interior_gaps": 0,
    }


def test_info_on_an_empty_database_says_what_to_do(sqlite_url):
    result = runner.invoke(app, ["data", "info", "-d", sqlite_url])
    assert result.exit_code == 4 and "tradecycle data seed" in result.output


def test_bad_options_are_one_line_errors(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(DIRTY)
    result = runner.invoke(app, ["data", "check", str(path), "--format", "xlsx"])
    assert result.exit_code == 4 and "--format must be csv or parquet" in result.output
    result = runner.invoke(app, ["data", "check", str(path), "--map", "price=Close"])
    assert result.exit_code == 4 and "--map target 'price'" in result.output
    result = runner.invoke(app, ["data", "check", str(tmp_path / "missing.csv")])
    assert result.exit_code == 4 and "no such file" in result.output
