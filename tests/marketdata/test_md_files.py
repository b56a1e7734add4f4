"""Reading bar files: CSV (plain and gzip), Parquet, Kaggle and Yahoo layouts, column mapping."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from tradecycle.adapters.marketdata.files import parse_mapping, read_bars
from tradecycle.errors import DataError

KAGGLE = (
    "date,open,high,low,close,volume,Name\n2017-01-03,10,11,9,10.5,100,aaa\n2017-01-04,10,11,9,10.5,,AAA\n"
)
YAHOO = "Date,Open,High,Low,Close,Adj Close,Volume\n2017-01-03,10,11,9,10.5,10.1,100\n2017-01-04,x,11,9,10.5,10.1,200\n"


def test_kaggle_layout_with_line_numbers(tmp_path):
    path = tmp_path / "all_stocks_5yr.csv"
    path.write_text(KAGGLE)
    bars = read_bars(path)
    assert bars.columns.tolist() == ["date", "symbol", "open", "high", "low", "close", "volume", "row"]
    assert bars["symbol"].tolist() == ["AAA", "AAA"]
    assert bars["row"].tolist() == [2, 3]
    assert bars["date"].dt.strftime("%Y-%m-%d").tolist() == ["2017-01-03", "2017-01-04"]
    assert pd.isna(bars.loc[1, "volume"])


def test_gzip_csv_reports_progress(tmp_path):
    path = tmp_path / "bars.csv.gz"
    path.write_bytes(gzip.compress(KAGGLE.encode()))
    seen = []
    bars = read_bars(path, progress=lambda done, total: seen.append((done, total)))
    assert len(bars) == 2 and seen and seen[-1][0] <= seen[-1][1]


def test_yahoo_layout_needs_a_symbol(tmp_path):
    path = tmp_path / "AAPL.csv"
    path.write_text(YAHOO)
    with pytest.raises(DataError, match="no column for symbol.*--symbol"):
        read_bars(path)
    bars = read_bars(path, symbol="aapl")
    assert bars["symbol"].tolist() == ["AAPL", "AAPL"]
    assert bars["close"].tolist() == [10.5, 10.5]  # Close, not Adj Close
    assert pd.isna(bars.loc[1, "open"])  # 'x' is unreadable


def test_timezone_aware_dates_become_new_york_sessions(tmp_path):
    path = tmp_path / "MSFT.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Volume\n"
        "2017-03-10 00:00:00-05:00,1,2,0.5,1.5,10\n"  # before the daylight-saving switch
        "2017-03-13 00:00:00-04:00,1,2,0.5,1.5,10\n"
        "2017-03-14T20:00:00Z,1,2,0.5,1.5,10\n"  # a UTC close time
        "not a date,1,2,0.5,1.5,10\n"
    )
    bars = read_bars(path, symbol="MSFT")
    assert bars["date"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2017-03-10", "2017-03-13", "2017-03-14"]
    assert pd.isna(bars.loc[3, "date"])


def test_parquet_with_mapping(tmp_path):
    path = tmp_path / "bars.parquet"
    pd.DataFrame(
        {"day": ["2017-01-03"], "ticker": ["MSFT"], "o": [1.0], "h": [2.0], "l": [0.5], "c": [1.5], "v": [10]}
    ).to_parquet(path)
    bars = read_bars(
        path, mapping=parse_mapping("date=day,symbol=ticker,open=o,high=h,low=l,close=c,volume=v")
    )
    assert bars.iloc[0][["symbol", "open", "close", "volume", "row"]].tolist() == ["MSFT", 1.0, 1.5, 10.0, 1]


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_bars(tmp_path / "nope.csv")
    weird = tmp_path / "bars.dat"
    weird.write_text(KAGGLE)
    with pytest.raises(DataError, match="--format"):
        read_bars(weird)
    assert len(read_bars(weird, fmt="csv")) == 2
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet")
    with pytest.raises(DataError, match="broken.parquet: not a readable Parquet file"):
        read_bars(broken)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        read_bars(empty)
    with pytest.raises(DataError, match="no such column"):
        read_bars(tmp_path / "bars.dat", fmt="csv", mapping={"date": "Day"})
    for text in ("date", "when=Date", "date="):
        with pytest.raises(DataError, match="--map"):
            parse_mapping(text)
