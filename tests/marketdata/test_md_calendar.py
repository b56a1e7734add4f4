"""The NYSE calendar: sessions, holidays, half days and UTC open/close times."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from tradecycle.adapters.marketdata import calendar
from tradecycle.errors import DataError


def test_sessions_match_the_bundled_range():
    days = calendar.sessions("2013-02-08", "2018-02-07")
    assert len(days) == 1259
    assert str(days[0].date()) == "2013-02-08"
    assert str(days[-1].date()) == "2018-02-07"


def test_holidays_and_half_days_of_2017():
    holidays = [str(d.date()) for d in calendar.holidays("2017-01-01", "2017-12-31")]
    assert holidays == [
        "2017-01-02",
        "2017-01-16",
        "2017-02-20",
        "2017-04-14",
        "2017-05-29",
        "2017-07-04",
        "2017-09-04",
        "2017-11-23",
        "2017-12-25",
    ]
    assert [str(d.date()) for d in calendar.half_days("2017-01-01", "2017-12-31")] == [
        "2017-07-03",
        "2017-11-24",
    ]
    assert not calendar.is_session("2017-07-04")
    assert calendar.is_session("2017-07-03")
    assert not calendar.is_session("2017-07-08")  # a Saturday


def test_open_and_close_are_utc_and_follow_daylight_saving_and_half_days():
    assert calendar.session_close_utc("2017-01-03") == datetime(2017, 1, 3, 21, 0, tzinfo=UTC)  # EST
    assert calendar.session_close_utc("2017-07-05") == datetime(2017, 7, 5, 20, 0, tzinfo=UTC)  # EDT
    assert calendar.session_close_utc("2017-11-24") == datetime(2017, 11, 24, 18, 0, tzinfo=UTC)  # half day
    assert calendar.session_open_utc("2017-01-03") == datetime(2017, 1, 3, 14, 30, tzinfo=UTC)
    closes = calendar.closes_utc(calendar.sessions("2017-11-22", "2017-11-27"))
    assert closes.tolist() == [
        np.datetime64("2017-11-22T21:00", "ns").item(),
        np.datetime64("2017-11-24T18:00", "ns").item(),
        np.datetime64("2017-11-27T21:00", "ns").item(),
    ]


def test_next_close_after():
    half_day_close = datetime(2017, 11, 24, 18, 0, tzinfo=UTC)
    assert calendar.next_close_after(datetime(2017, 11, 23, 12, 0, tzinfo=UTC)) == half_day_close
    assert calendar.next_close_after(half_day_close) == datetime(2017, 11, 27, 21, 0, tzinfo=UTC)
    with pytest.raises(DataError):
        calendar.next_close_after(datetime(2017, 11, 23, 12, 0))


def test_non_sessions_and_out_of_range_are_clear_errors():
    with pytest.raises(DataError, match="not an NYSE trading session"):
        calendar.session_close_utc("2017-07-04")
    with pytest.raises(DataError, match="not a date: '2017-13-45'"):
        calendar.sessions("2017-13-45", "2018-01-01")
    with pytest.raises(DataError, match="outside the calendar range"):
        calendar.sessions("1980-01-01", "1981-01-01")
