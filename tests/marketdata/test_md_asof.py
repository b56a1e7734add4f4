"""As-of access: changing any bar after t never changes what is visible at t (memory and database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.adapters.marketdata.store import load_panel, write_bars
from tradecycle.adapters.store.schema import market_data, metadata
from tradecycle.core.panel import FIELDS, BarPanel

SYMBOLS = ["AAPL", "MSFT", "XOM"]
BASE = load_bundled_panel("2017-11-16", "2017-12-01", SYMBOLS)  # includes the 2017-11-24 half day


def as_of_time(panel: BarPanel, session: int, offset_minutes: int) -> datetime:
    close = pd.Timestamp(panel.closes_utc[session]).tz_localize(UTC).to_pydatetime()
    return close + timedelta(minutes=offset_minutes)


def perturbed(panel: BarPanel, after: int, factor: float, drop: bool) -> BarPanel:
    """A copy of `panel` whose bars from session `after` on are scaled (or removed)."""
    arrays = {}
    for field in FIELDS:
        arr = getattr(panel, field).copy()
        arr[:, after:] = np.nan if drop else arr[:, after:] * factor
        arrays[field] = arr
    return BarPanel(symbols=panel.symbols, sessions=panel.sessions, closes_utc=panel.closes_utc, **arrays)


def to_frame(panel: BarPanel) -> pd.DataFrame:
    sym, ses = np.nonzero(~np.isnan(panel.close))
    return pd.DataFrame(
        {
            "date": panel.sessions[ses],
            "symbol": panel.symbols[sym],
            **{f: getattr(panel, f)[sym, ses] for f in FIELDS},
        }
    )


def same(a: BarPanel, b: BarPanel) -> bool:
    return (
        a.symbols.tolist() == b.symbols.tolist()
        and np.array_equal(a.sessions, b.sessions)
        and np.array_equal(a.closes_utc, b.closes_utc)
        and all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in FIELDS)
    )


cases = st.tuples(
    st.integers(0, BASE.n_sessions - 1),  # session whose close is around t
    st.integers(-600, 600),  # minutes from that close to t
    st.floats(0.5, 2.0),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(case=cases)
def test_future_bars_never_change_the_in_memory_view(case):
    session, offset, factor, drop = case
    t = as_of_time(BASE, session, offset)
    visible = BASE.visible_sessions(t)
    changed = perturbed(BASE, visible, factor, drop)
    assert same(BASE.asof(t), changed.asof(t))
    assert (BASE.asof(t).closes_utc <= np.datetime64(t.replace(tzinfo=None), "ns")).all()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases)
def test_future_bars_never_change_the_database_view(engine, case):
    session, offset, factor, drop = case
    t = as_of_time(BASE, session, offset)
    metadata.create_all(engine)
    views = []
    for panel in (BASE, perturbed(BASE, BASE.visible_sessions(t), factor, drop)):
        with engine.begin() as conn:
            conn.execute(delete(market_data))
            write_bars(conn, to_frame(panel))
        with engine.connect() as conn:
            views.append(load_panel(conn, asof=t))
    assert same(views[0], views[1])
    assert same(views[0], BASE.asof(t)) or BASE.visible_sessions(t) == 0


@pytest.mark.parametrize("offset", [-1, 0])
def test_a_bar_is_visible_exactly_from_its_close(offset):
    half_day = int(np.flatnonzero(BASE.sessions == np.datetime64("2017-11-24"))[0])
    t = as_of_time(BASE, half_day, 0) + timedelta(seconds=offset)
    assert BASE.visible_sessions(t) == half_day + (offset == 0)
