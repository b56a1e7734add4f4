"""The 61 TA-Lib candlestick arrays and the hit rule on top of them."""

from __future__ import annotations

import numpy as np
import talib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradecycle.core.candlesticks import (
    CDL_NAMES,
    CDL_UNIT,
    candlestick_arrays,
    candlestick_hits,
)
from tradecycle.core.types import PatternType, SignalLabel


def test_all_61_talib_patterns_in_talib_order(universe):
    names, codes = candlestick_arrays(universe)
    assert names == list(CDL_NAMES)
    assert set(names) == set(talib.get_function_groups()["Pattern Recognition"])
    assert len(names) == 61
    assert codes.shape == (61, universe.n_symbols, universe.n_sessions)
    assert codes.dtype == np.int8
    assert set(np.unique(codes)) <= {-2, -1, 0, 1, 2}
    assert np.count_nonzero(codes) > 0


def test_matches_talib_per_row(universe):
    names, codes = candlestick_arrays(universe)
    k = names.index("CDLENGULFING")
    expected = talib.CDLENGULFING(universe.open[2], universe.high[2], universe.low[2], universe.close[2])
    np.testing.assert_array_equal(codes[k, 2], expected // CDL_UNIT)


def test_missing_bars_read_zero_and_are_skipped(universe):
    names, clean = candlestick_arrays(universe)
    for field in ("open", "high", "low", "close"):
        getattr(universe, field)[1, 100:103] = np.nan
    universe.close[4, :] = np.nan
    _, codes = candlestick_arrays(universe)
    assert not codes[:, 1, 100:103].any()
    assert not codes[:, 4].any()
    keep = np.r_[0:100, 103 : universe.n_sessions]
    k = names.index("CDLDOJI")
    expected = talib.CDLDOJI(*(getattr(universe, f)[1, keep] for f in ("open", "high", "low", "close")))
    np.testing.assert_array_equal(codes[k, 1, keep], expected // CDL_UNIT)
    np.testing.assert_array_equal(codes[:, 0], clean[:, 0])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=299))
def test_causal_perturbing_later_bars_changes_nothing(make_random_panel, cut):
    panel = make_random_panel()
    _, before = candlestick_arrays(panel)
    rng = np.random.default_rng(cut)
    for field in ("open", "high", "low", "close"):
        getattr(panel, field)[:, cut:] *= rng.uniform(0.8, 1.2, (panel.n_symbols, panel.n_sessions - cut))
    _, after = candlestick_arrays(panel)
    np.testing.assert_array_equal(before[..., :cut], after[..., :cut])
    _, head = candlestick_arrays(panel.head(cut))
    np.testing.assert_array_equal(head, before[..., :cut])


def _hammer_after_decline(make_panel, volume_spike: float):
    close = np.linspace(120, 100, 30)
    open_ = np.concatenate([[close[0]], close[:-1]])
    panel = make_panel(close, open_=open_, spread=0.002)
    # last bar: small body at the top, long lower shadow -> hammer
    panel.open[0, -1], panel.close[0, -1] = 99.0, 99.4
    panel.high[0, -1], panel.low[0, -1] = 99.41, 96.0
    panel.volume[0, -1] *= volume_spike
    return panel


def _hits_at_last(panel, params=None):
    names, codes = candlestick_arrays(panel)
    return candlestick_hits(
        panel.symbols,
        names,
        codes[:, :, -1],
        panel.high,
        panel.low,
        panel.close,
        panel.volume,
        params,
    )


def test_hammer_after_decline_is_a_confident_buy(make_panel):
    hits = {h.pattern_name: h for h in _hits_at_last(_hammer_after_decline(make_panel, 3.0))}
    hammer = hits["CDLHAMMER"]
    assert hammer.pattern_type is PatternType.CANDLESTICK
    assert hammer.direction is SignalLabel.BUY
    assert hammer.entry_price == 99.4
    assert hammer.stop_loss == 96.0
    assert hammer.target_price == round(99.4 + 3 * 3.4, 4)
    assert hammer.metadata["trend_score"] == 1.0
    assert hammer.metadata["volume_score"] == 1.0
    assert hammer.confidence == 0.4 * 0.5 + 0.3 + 0.3


def test_volume_confirmation_raises_confidence(make_panel):
    quiet = {h.pattern_name: h for h in _hits_at_last(_hammer_after_decline(make_panel, 1.0))}
    loud = {h.pattern_name: h for h in _hits_at_last(_hammer_after_decline(make_panel, 3.0))}
    assert loud["CDLHAMMER"].confidence > quiet["CDLHAMMER"].confidence
    assert 0.0 <= quiet["CDLHAMMER"].confidence <= 1.0


def test_bearish_hit_has_stop_above_and_target_below(universe):
    names, codes = candlestick_arrays(universe)
    hits = []
    for s in range(30, universe.n_sessions):
        p = universe.head(s + 1)
        hits += candlestick_hits(p.symbols, names, codes[:, :, s], p.high, p.low, p.close, p.volume)
    sells = [h for h in hits if h.direction is SignalLabel.SELL]
    buys = [h for h in hits if h.direction is SignalLabel.BUY]
    assert sells and buys
    assert all(h.target_price < h.entry_price < h.stop_loss for h in sells)
    assert all(0 < h.stop_loss < h.entry_price < h.target_price for h in buys)
    assert all(0.0 <= h.confidence <= 1.0 and h.target_price > 0 for h in hits)


def test_no_hits_when_last_bar_missing(make_panel):
    panel = _hammer_after_decline(make_panel, 3.0)
    names, codes = candlestick_arrays(panel)
    panel.close[0, -1] = np.nan
    hits = candlestick_hits(
        panel.symbols, names, codes[:, :, -1], panel.high, panel.low, panel.close, panel.volume
    )
    assert hits == []


def _doji_after(closes, make_panel):
    open_ = np.concatenate([[closes[0]], closes[:-1]])
    panel = make_panel(closes, open_=open_, spread=0.002)
    last = closes[-2]
    panel.open[0, -1] = panel.close[0, -1] = last
    panel.high[0, -1], panel.low[0, -1] = last + 1.0, last - 1.0
    return {h.pattern_name: h for h in _hits_at_last(panel)}


def test_indecision_after_a_rise_points_down_and_on_a_flat_is_neutral(make_panel):
    rising = _doji_after(np.linspace(80, 100, 30), make_panel)["CDLDOJI"]
    assert rising.direction is SignalLabel.SELL
    assert rising.metadata["role"] == "indecision"
    assert rising.target_price < rising.entry_price < rising.stop_loss
    flat = np.full(30, 100.0) + np.tile([0.3, -0.3], 15)
    neutral = _doji_after(flat, make_panel)["CDLDOJI"]
    assert neutral.direction is SignalLabel.NEUTRAL
    assert neutral.stop_loss < neutral.entry_price < neutral.target_price


def test_no_hits_when_last_high_missing(make_panel):
    panel = _hammer_after_decline(make_panel, 3.0)
    names, codes = candlestick_arrays(panel)
    panel.high[0, -1] = np.nan
    assert (
        candlestick_hits(
            panel.symbols, names, codes[:, :, -1], panel.high, panel.low, panel.close, panel.volume
        )
        == []
    )


def test_levels_ok():
    from tradecycle.core.pattern_scoring import levels_ok

    assert levels_ok(1, 10.0, 9.0, 13.0) and levels_ok(0, 10.0, 9.0, 13.0)
    assert levels_ok(-1, 10.0, 11.0, 7.0)
    assert not levels_ok(1, 10.0, 11.0, 13.0)
    assert not levels_ok(-1, 10.0, 11.0, 12.0)
    assert not levels_ok(1, 10.0, 0.0, 13.0)
    assert not levels_ok(1, 10.0, float("nan"), 13.0)
