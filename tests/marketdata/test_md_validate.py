"""Validation at the door: every kind of bad row is found, named and located."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecycle.adapters.marketdata.files import read_bars
from tradecycle.adapters.marketdata.validate import Reason, Severity, validate_bars
from tradecycle.errors import DataError

GOOD = {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 1000}


def frame(*rows: dict) -> pd.DataFrame:
    """Bars for AAA on consecutive sessions from 2017-01-03, each row overriding GOOD."""
    days = pd.bdate_range("2017-01-03", periods=len(rows) + 5)
    days = [d for d in days if d != pd.Timestamp("2017-01-16")]  # MLK day
    return pd.DataFrame([{"date": days[i], "symbol": "AAA", **GOOD, **row} for i, row in enumerate(rows)])


def reasons(report) -> list[tuple[int, str, Reason]]:
    return [(i.row, i.field, i.reason) for i in report.issues]


def test_clean_frame_has_no_issues():
    report = validate_bars(frame({}, {}, {}), "clean.csv")
    assert report.ok and report.issues == () and report.n_rows == 3
    report.raise_if_bad()


@pytest.mark.parametrize(
    ("override", "field", "reason"),
    [
        ({"open": np.nan}, "open", Reason.MISSING),
        ({"volume": np.nan}, "volume", Reason.MISSING),
        ({"symbol": ""}, "symbol", Reason.MISSING),
        ({"date": pd.NaT}, "date", Reason.MISSING),
        ({"low": -1.0, "open": 0.5}, "low", Reason.NON_POSITIVE),
        ({"close": 0.0, "low": 0.0}, "close", Reason.NON_POSITIVE),
        ({"high": 8.0}, "high", Reason.HIGH_BELOW_LOW),
        ({"open": 12.0}, "open", Reason.OUTSIDE_RANGE),
        ({"close": 8.5}, "close", Reason.OUTSIDE_RANGE),
        ({"volume": -5}, "volume", Reason.NEGATIVE_VOLUME),
        ({"date": pd.Timestamp("2017-01-16")}, "date", Reason.NOT_A_SESSION),
        ({"date": pd.Timestamp("2017-01-07")}, "date", Reason.NOT_A_SESSION),  # Saturday
        ({"date": pd.Timestamp("1970-01-02")}, "date", Reason.NOT_A_SESSION),  # before the calendar
    ],
)
def test_each_error_is_found_with_row_and_field(override, field, reason):
    report = validate_bars(frame({}, override, {}), "bars.csv")
    assert (2, field, reason) in reasons(report)
    assert report.bad.tolist() == [False, True, False]
    issue = next(i for i in report.issues if i.reason is reason)
    assert issue.file == "bars.csv" and issue.severity is Severity.ERROR
    with pytest.raises(DataError, match=r"bars.csv: 1 bad rows of 3; nothing was written") as err:
        report.raise_if_bad()
    assert "bars.csv: row 2: " in str(err.value) and f"{field}: {reason.value}" in str(err.value)


def test_duplicates_keep_the_first_and_name_it():
    bars = frame({}, {}, {})
    bars.loc[2, "date"] = bars.loc[0, "date"]
    bars["row"] = [10, 11, 12]
    report = validate_bars(bars, "dup.csv")
    assert reasons(report) == [(12, "date", Reason.DUPLICATE)]
    assert report.issues[0].detail == "first seen at row 10"


def test_split_like_jump_is_flagged_not_rejected():
    after = {"open": 5.0, "high": 5.5, "low": 4.9, "close": 5.2}
    report = validate_bars(frame({}, after, after), "split.csv")
    assert report.ok
    assert [(i.row, i.reason, i.severity) for i in report.issues] == [(2, Reason.SPLIT_LIKE, Severity.FLAG)]
    assert report.issues[0].detail == "close/previous close = 0.495"
    # a jump straight back is a second flag
    assert [i.row for i in validate_bars(frame({}, after, {}), "split.csv").flags] == [2, 3]


def test_missing_column_is_a_clear_error():
    with pytest.raises(DataError, match="missing column.*volume"):
        validate_bars(frame({}).drop(columns="volume"), "x.csv")


@settings(max_examples=40, deadline=None)
@given(
    closes=st.lists(st.floats(min_value=1.0, max_value=1.7), min_size=2, max_size=30),
)
def test_bars_inside_their_range_are_never_errors(closes):
    """Any bar with low <= open, close <= high, positive prices and moves under x1.7 passes clean."""
    rows = [{"open": c, "high": c * 1.01, "low": c * 0.99, "close": c} for c in closes]
    report = validate_bars(frame(*rows), "gen.csv")
    assert report.ok and report.issues == ()


def test_bundled_source_file_dirt(shared_dir):
    """The figures written in src/tradecycle/data/SOURCES.md."""
    bars = read_bars(shared_dir / "data" / "sp500_daily_2013_2018.csv.gz")
    report = validate_bars(bars, "sp500_daily_2013_2018.csv.gz")
    assert report.n_rows == 619_040
    assert report.n_bad == 23
    assert report.counts() == {
        Reason.HIGH_BELOW_LOW.value: 1,
        Reason.OUTSIDE_RANGE.value: 13,
        Reason.MISSING.value: 27,
        Reason.SPLIT_LIKE.value: 4,
    }
    aos = [i for i in report.issues if i.symbol == "AOS"]
    assert {i.row for i in aos} == {53_004} and aos[0].date == "2014-05-19"


CORRUPTIONS = {
    "nan_open": ({"open": np.nan}, Reason.MISSING),
    "zero_close": ({"close": 0.0, "low": 0.0}, Reason.NON_POSITIVE),
    "high_below_low": ({"high": 8.0}, Reason.HIGH_BELOW_LOW),
    "open_above_high": ({"open": 11.5}, Reason.OUTSIDE_RANGE),
    "negative_volume": ({"volume": -1}, Reason.NEGATIVE_VOLUME),
    "weekend": ({"date": pd.Timestamp("2017-01-08")}, Reason.NOT_A_SESSION),
}


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=12),
    data=st.data(),
    kind=st.sampled_from(sorted(CORRUPTIONS)),
)
def test_one_corrupted_row_is_found_exactly_where_it_is(n, data, kind):
    """Corrupt one row of a clean frame: exactly that row is bad, with the expected reason."""
    at = data.draw(st.integers(min_value=0, max_value=n - 1))
    override, reason = CORRUPTIONS[kind]
    rows = [dict(override) if i == at else {} for i in range(n)]
    report = validate_bars(frame(*rows), "prop.csv")
    assert np.flatnonzero(report.bad).tolist() == [at]
    assert reason in {i.reason for i in report.errors if i.row == at + 1}
    assert all(i.row == at + 1 for i in report.errors)
