"""market_data on SQLite and PostgreSQL: batched writes, idempotent replace, panel loads, symbols."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from tradecycle.adapters.marketdata import store
from tradecycle.adapters.marketdata.bundled import bundled_frame, load_bundled_panel
from tradecycle.adapters.marketdata.store import import_bars, load_panel, write_bars
from tradecycle.adapters.marketdata.symbols import sector_map, seed_symbols
from tradecycle.adapters.store.schema import market_data, metadata, symbols
from tradecycle.errors import DataError


@pytest.fixture
def db(engine):
    metadata.create_all(engine)
    return engine


def sample(start="2017-11-20", end="2017-11-30", names=("AAPL", "MSFT", "CHK")) -> pd.DataFrame:
    frame = bundled_frame()
    keep = frame["symbol"].isin(names) & (frame["date"] >= start) & (frame["date"] <= end)
    return frame.loc[keep].reset_index(drop=True)


def count(conn) -> int:
    return conn.execute(select(func.count()).select_from(market_data)).scalar_one()


def test_round_trip_matches_the_bundled_panel(db):
    bars = sample()
    with db.begin() as conn:
        assert write_bars(conn, bars, source="test") == len(bars) == 24
    with db.connect() as conn:
        panel = load_panel(conn)
        row = conn.execute(select(market_data).where(market_data.c.session == "2017-11-24").limit(1)).one()
    expected = load_bundled_panel("2017-11-20", "2017-11-30", ["AAPL", "CHK", "MSFT"])
    assert panel.symbols.tolist() == ["AAPL", "CHK", "MSFT"]
    assert (panel.sessions == expected.sessions).all() and (panel.closes_utc == expected.closes_utc).all()
    for field in ("open", "high", "low", "close", "volume"):
        assert np.array_equal(getattr(panel, field), getattr(expected, field), equal_nan=True)
    assert row.timestamp == datetime(2017, 11, 24, 18, 0, tzinfo=UTC)  # half day close
    assert row.source == "test" and row.timeframe == "1d"


def test_large_frames_go_in_chunks_with_progress(db, monkeypatch):
    monkeypatch.setattr(store, "WRITE_CHUNK", 10)
    bars = sample()
    seen = []
    with db.begin() as conn:
        assert write_bars(conn, bars, progress=lambda done, total: seen.append((done, total))) == 24
        assert write_bars(conn, bars) == 24  # chunks that split a symbol's span still replace exactly
        assert count(conn) == 24
        if conn.dialect.name == "sqlite":  # the bulk-load page cache is given back
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -2000
    assert seen == [(10, 24), (20, 24), (24, 24)]


def test_symbols_are_created_with_their_sector(db):
    bars = sample(names=("AAPL",))
    bars.loc[0, "symbol"] = "NEWCO"
    with db.begin() as conn:
        write_bars(conn, bars)
        sectors = sector_map(conn)
    assert sectors["AAPL"] == "Information Technology"
    assert sectors["NEWCO"] == "Unknown"


def test_rewrite_is_idempotent_and_replaces_values(db):
    bars = sample()
    with db.begin() as conn:
        write_bars(conn, bars)
        write_bars(conn, bars)
        assert count(conn) == len(bars)
    changed = bars.iloc[[3]].copy()
    changed["close"] = changed["high"]
    with db.begin() as conn:
        write_bars(conn, changed)  # one bar inside a span whose other bars stay
        assert count(conn) == len(bars)
        panel = load_panel(conn, symbols=[changed.iloc[0]["symbol"]])
    assert float(changed.iloc[0]["high"]) in panel.close[0].tolist()


def test_load_panel_filters(db):
    with db.begin() as conn:
        write_bars(conn, sample())
    with db.connect() as conn:
        cut = load_panel(conn, start="2017-11-22", end="2017-11-27", symbols=["MSFT", "ZZZ"])
        visible = load_panel(conn, asof=datetime(2017, 11, 24, 17, 59, tzinfo=UTC))
        at_close = load_panel(conn, asof=datetime(2017, 11, 24, 18, 0, tzinfo=UTC))
    assert cut.symbols.tolist() == ["MSFT", "ZZZ"]
    assert [str(d) for d in cut.sessions] == ["2017-11-22", "2017-11-24", "2017-11-27"]
    assert np.isnan(cut.close[1]).all() and not np.isnan(cut.close[0]).any()
    assert str(visible.sessions[-1]) == "2017-11-22"
    assert str(at_close.sessions[-1]) == "2017-11-24"
    with pytest.raises(ValueError, match="timezone-aware"), db.connect() as conn:
        load_panel(conn, asof=datetime(2017, 11, 24))


def test_import_rejects_the_whole_frame_unless_skip_bad(db):
    bars = sample()
    bars.loc[5, "high"] = bars.loc[5, "low"] / 2
    with pytest.raises(DataError, match="1 bad rows"), db.begin() as conn:
        import_bars(conn, bars, "bad.csv")
    with db.connect() as conn:
        assert count(conn) == 0
    with db.begin() as conn:
        result = import_bars(conn, bars, "bad.csv", skip_bad=True)
    assert result.written == len(bars) - 1 and result.report.n_bad == 1
    with db.connect() as conn:
        assert count(conn) == len(bars) - 1


def test_seed_symbols_twice(db):
    with db.begin() as conn:
        assert sector_map(conn)["AAPL"] == "Information Technology"  # bundled fallback before seeding
        assert seed_symbols(conn) == 505
        assert seed_symbols(conn) == 0
        conn.execute(symbols.update().where(symbols.c.symbol == "AAPL").values(sector="Energy"))
        assert seed_symbols(conn) == 1
        assert sector_map(conn)["AAPL"] == "Information Technology"
        assert sector_map(conn)["SIG"] == "Unknown"


def test_empty_database_gives_an_empty_panel(db):
    with db.connect() as conn:
        panel = load_panel(conn)
    assert panel.close.shape == (0, 0)
