"""The NYSE trading calendar (exchange_calendars XNYS), with every time in UTC.

Sessions are labelled by their New York date; opens and closes are returned as
tz-aware UTC datetimes (or datetime64[ns] UTC arrays), so half days (13:00 New York
closes) and daylight-saving changes are handled by the calendar, not by us. The
calendar object is built once per process over a fixed range, so results never
depend on the wall clock.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime
from functools import lru_cache

import numpy as np
import pandas as pd

from tradecycle.errors import DataError

CALENDAR_NAME = "XNYS"
CALENDAR_START = "1995-01-03"
CALENDAR_END = "2035-12-31"
NEW_YORK = "America/New_York"

DayLike = str | date | datetime | pd.Timestamp | np.datetime64


@lru_cache(maxsize=1)
def _calendar():
    import exchange_calendars as xcals

    with warnings.catch_warnings():  # exchange_calendars trips pandas deprecation warnings we cannot fix
        warnings.simplefilter("ignore")
        return xcals.get_calendar(CALENDAR_NAME, start=CALENDAR_START, end=CALENDAR_END)


@lru_cache(maxsize=1)
def _closes_naive_utc() -> np.ndarray:
    """Every session close of the calendar as naive-UTC datetime64[ns] (for fast lookups)."""
    return _calendar().closes.dt.tz_convert(None).to_numpy().astype("datetime64[ns]")


def session_label(day: DayLike) -> pd.Timestamp:
    """A naive midnight Timestamp for a session label (a tz-aware datetime keeps its New York date)."""
    try:
        ts = pd.Timestamp(day)
    except (ValueError, TypeError):
        raise DataError(f"not a date: {day!r} (expected YYYY-MM-DD)") from None
    if ts is pd.NaT:
        raise DataError(f"not a date: {day!r} (expected YYYY-MM-DD)")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(NEW_YORK).tz_localize(None)
    return ts.normalize()


def session_dates(values: pd.Series) -> pd.Series:
    """Session labels (naive midnight) for dates or timestamps; NaT where unreadable.

    Tz-aware timestamps are taken in New York time first; offsets that change within
    the data (a Yahoo export across a daylight-saving switch) are parsed via UTC.
    """
    text = values.dtype == object or str(values.dtype).startswith(("string", "str"))
    options = {"errors": "coerce", "format": "mixed"} if text else {"errors": "coerce"}
    try:
        parsed = pd.to_datetime(values, **options)
    except ValueError:  # mixed UTC offsets
        parsed = pd.to_datetime(values, utc=True, **options)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert(NEW_YORK).dt.tz_localize(None)
    return parsed.dt.normalize()


def in_range(ts: pd.Timestamp) -> bool:
    """Whether the calendar covers this day (CALENDAR_START..CALENDAR_END)."""
    return pd.Timestamp(CALENDAR_START) <= ts.tz_localize(None) <= pd.Timestamp(CALENDAR_END)


def _in_bounds(ts: pd.Timestamp) -> None:
    if not in_range(ts):
        raise DataError(f"date {ts.date()} is outside the calendar range {CALENDAR_START}..{CALENDAR_END}")


def sessions(start: DayLike, end: DayLike) -> pd.DatetimeIndex:
    """The XNYS sessions from `start` to `end` inclusive (naive midnight labels)."""
    lo, hi = session_label(start), session_label(end)
    _in_bounds(lo)
    _in_bounds(hi)
    all_sessions = _calendar().sessions
    return all_sessions[(all_sessions >= lo) & (all_sessions <= hi)]


def is_session(day: DayLike) -> bool:
    ts = session_label(day)
    _in_bounds(ts)
    return bool(_calendar().is_session(ts))


def _session(day: DayLike) -> pd.Timestamp:
    ts = session_label(day)
    _in_bounds(ts)
    if not _calendar().is_session(ts):
        raise DataError(f"{ts.date()} is not an NYSE trading session")
    return ts


def session_close_utc(day: DayLike) -> datetime:
    """When the session of `day` closes (16:00 New York, 13:00 on half days), in UTC."""
    return _calendar().session_close(_session(day)).to_pydatetime()


def session_open_utc(day: DayLike) -> datetime:
    """When the session of `day` opens (09:30 New York), in UTC."""
    return _calendar().session_open(_session(day)).to_pydatetime()


def closes_utc(days: pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Vectorised session closes: datetime64[ns] UTC (naive) for each session label in `days`."""
    labels = pd.DatetimeIndex(days)
    cal = _calendar()
    positions = cal.sessions.get_indexer(labels)
    if (positions < 0).any():
        bad = labels[positions < 0][0]
        raise DataError(f"{bad.date()} is not an NYSE trading session")
    return _closes_naive_utc()[positions]


def next_close_after(ts_utc: datetime) -> datetime:
    """The first session close strictly after `ts_utc` (a tz-aware datetime)."""
    if ts_utc.tzinfo is None:
        raise DataError("next_close_after needs a timezone-aware datetime")
    t = pd.Timestamp(ts_utc).tz_convert("UTC")
    closes = _calendar().closes
    idx = int(closes.searchsorted(t, side="right"))
    if idx >= len(closes):
        raise DataError(f"{ts_utc.isoformat()} is past the calendar end {CALENDAR_END}")
    return closes.iloc[idx].to_pydatetime()


def holidays(start: DayLike, end: DayLike) -> pd.DatetimeIndex:
    """Weekdays between `start` and `end` on which the exchange is closed."""
    lo, hi = session_label(start), session_label(end)
    weekdays = pd.bdate_range(lo, hi)
    return weekdays.difference(sessions(lo, hi))


def half_days(start: DayLike, end: DayLike) -> pd.DatetimeIndex:
    """Sessions between `start` and `end` that close early (13:00 New York)."""
    lo, hi = session_label(start), session_label(end)
    early = _calendar().early_closes
    return pd.DatetimeIndex(early[(early >= lo) & (early <= hi)])
