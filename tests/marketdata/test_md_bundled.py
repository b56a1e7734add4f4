"""The bundled S&P 500 sample: shape, NaN gaps, cut-outs, sectors."""

from __future__ import annotations

import numpy as np
import pytest

from tradecycle.adapters.marketdata import calendar
from tradecycle.adapters.marketdata.bundled import DATA_DIR, load_bundled_panel
from tradecycle.adapters.marketdata.symbols import sector_map
from tradecycle.errors import DataError


def test_full_panel_shape_and_gaps():
    panel = load_bundled_panel()
    assert panel.close.shape == (505, 1259)
    assert panel.symbols.tolist() == sorted(panel.symbols.tolist())
    assert (panel.closes_utc == calendar.closes_utc(panel.sessions)).all()
    # 16,755 missing symbol-days in the source plus the 23 rows validation drops
    assert int(np.isnan(panel.close).sum()) == 16_778
    aapl = panel.row("AAPL")
    assert panel.close[aapl, 0] == pytest.approx(67.8542)
    assert panel.volume[aapl, 0] == 158_168_416


def test_dropped_bad_rows_are_nan():
    panel = load_bundled_panel(start="2014-05-19", end="2014-05-19", symbols=["AOS", "CHD", "MMM"])
    assert np.isnan(panel.close[:2, 0]).all()  # high < low / open outside [low, high]
    assert not np.isnan(panel.close[2, 0])


def test_cut_by_dates_and_symbols():
    panel = load_bundled_panel("2017-11-20", "2017-11-30", ["MSFT", "AAPL"])
    assert panel.symbols.tolist() == ["MSFT", "AAPL"]
    assert [str(d) for d in panel.sessions] == [
        "2017-11-20",
        "2017-11-21",
        "2017-11-22",
        "2017-11-24",
        "2017-11-27",
        "2017-11-28",
        "2017-11-29",
        "2017-11-30",
    ]
    assert str(panel.closes_utc[3]) == "2017-11-24T18:00:00.000000000"
    with pytest.raises(DataError, match="NOPE"):
        load_bundled_panel(symbols=["NOPE"])


def test_panel_is_cached_and_read_only():
    assert np.shares_memory(load_bundled_panel().close, load_bundled_panel("2015-01-02").close)
    with pytest.raises(ValueError):
        load_bundled_panel().close[0, 0] = 1.0


def test_bundle_is_small_and_documented():
    assert (DATA_DIR / "sp500_daily_2013_2018.parquet").stat().st_size < 15_000_000
    assert "CC0" in (DATA_DIR / "SOURCES.md").read_text()


def test_sector_map_covers_every_symbol():
    sectors = sector_map()
    assert len(sectors) == 505
    assert sectors["AAPL"] == "Information Technology"
    unknown = sorted(s for s, sector in sectors.items() if sector == "Unknown")
    assert unknown == ["CBG", "CHK", "HCN", "PCLN", "PDCO", "SIG", "SNI"]
