"""Features: TA-Lib values, NaN-safety, derived series, FeaturePanel slicing."""

from __future__ import annotations

import numpy as np
import pytest
import talib

from tradecycle.config import SettingsModel
from tradecycle.core.features import FeaturePanel
from tradecycle.core.indicators import FeatureParams, indicator_arrays
from tradecycle.services.analysis import precompute_features


def _features(panel, **kw):
    return indicator_arrays(panel.open, panel.high, panel.low, panel.close, panel.volume, FeatureParams(**kw))


def test_rsi_matches_talib_on_a_clean_row(panel):
    f = _features(panel)
    expected = talib.RSI(panel.close[0], timeperiod=14)
    np.testing.assert_allclose(f["rsi_14"][0], expected.astype(np.float32), rtol=1e-6, equal_nan=True)


def test_gap_rows_skip_missing_sessions_instead_of_poisoning(panel):
    f = _features(panel)
    assert np.isnan(f["ema_20"][1, :40]).all()  # before the symbol traded
    assert np.isfinite(f["ema_20"][1, 80:]).all()
    assert np.isnan(f["rsi_14"][2, [100, 101, 150]]).all()  # no bar, no value
    assert np.isfinite(f["rsi_14"][2, 102:150]).all()  # and the series carries on after the gap
    traded = np.isfinite(panel.close[2])
    expected = talib.EMA(panel.close[2, traded], timeperiod=20)
    np.testing.assert_allclose(f["ema_20"][2, traded], expected.astype(np.float32), rtol=1e-6, equal_nan=True)


def test_relative_volume_is_today_over_prior_average(panel):
    f = _features(panel, lookback=20)
    s = 200
    expected = panel.volume[0, s] / panel.volume[0, s - 20 : s].mean()
    assert f["rel_volume"][0, s] == pytest.approx(expected, rel=1e-5)


def test_change_and_prior_high(panel):
    f = _features(panel, lookback=20, breakout_lookback=10)
    s = 200
    assert f["change_pct"][0, s] == pytest.approx(
        100 * (panel.close[0, s] / panel.close[0, s - 20] - 1), rel=1e-5
    )
    assert f["prior_high"][0, s] == pytest.approx(panel.high[0, s - 10 : s].max(), rel=1e-6)
    assert np.isnan(f["high_52w"][0, 250]) and np.isfinite(f["high_52w"][0, 251])


def test_ma_cross_marks_the_session_of_the_cross(panel):
    f = _features(panel, sma_fast=5, sma_slow=20)
    diff = f["sma_5"][0].astype(np.float64) - f["sma_20"][0]
    cross = f["ma_cross"][0]
    ups = np.flatnonzero(cross == 1)
    assert ups.size > 0
    for s in ups:
        assert diff[s] > 0 and diff[s - 1] <= 0
    downs = np.flatnonzero(cross == -1)
    assert all(diff[s] < 0 and diff[s - 1] >= 0 for s in downs)


def test_symbol_that_never_traded_gets_nan_everywhere(make_panel):
    panel = make_panel(n_symbols=3, n_sessions=60, gaps=False)
    panel.close[0, :] = np.nan
    f = _features(panel)
    assert np.isnan(f["rsi_14"][0]).all() and np.isfinite(f["rsi_14"][1, 30:]).all()


def test_feature_panel_head_snapshot_and_errors():
    fp = FeaturePanel({"a": np.arange(12.0).reshape(3, 4), "cdl": np.zeros((2, 3, 4), np.int16)}, ("X", "Y"))
    head = fp.head(2)
    assert head.n_sessions == 2 and head["cdl"].shape == (2, 3, 2) and head.cdl_names == ("X", "Y")
    assert head.snapshot()["a"].tolist() == [1.0, 5.0, 9.0]
    assert "cdl" not in head.snapshot()
    assert fp.snapshot(np.array([2]), session=0)["a"].tolist() == [8.0]
    with pytest.raises(KeyError, match="no feature 'b'"):
        fp["b"]
    with pytest.raises(ValueError, match="disagree"):
        FeaturePanel({"a": np.zeros((2, 3)), "b": np.zeros((2, 4))})


def test_precompute_includes_the_61_candlestick_arrays(panel):
    fp = precompute_features(panel, SettingsModel())
    assert len(fp.cdl_names) == 61 and fp["cdl"].shape == (61, panel.n_symbols, panel.n_sessions)
    assert fp["rsi_14"].dtype == np.float32 and fp.n_sessions == panel.n_sessions


def test_breakout_level_is_exact_so_an_equal_close_is_no_breakout(make_panel):
    panel = make_panel(n_symbols=2, n_sessions=60, gaps=False)
    panel.high[0, 30:59] = 100.13
    panel.close[0, 59] = 100.13  # equals the prior high: not above it
    panel.high[0, 59] = 100.2
    f = _features(panel, breakout_lookback=20)
    assert f["prior_high"].dtype == np.float64
    assert f["prior_high"][0, 59] == panel.close[0, 59]
