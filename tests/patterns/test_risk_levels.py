"""core.pattern_scoring.risk_levels equals the per-family level rules it replaced, bit for bit."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tradecycle.config import PatternSettings
from tradecycle.core.pattern_scoring import risk_levels, unit_clip

P = PatternSettings()
prices = st.floats(0.01, 1e5, allow_nan=False)


def candle_rule(extreme: float, entry: float, atr: float, sign: int) -> tuple[float, float]:
    """The candlestick rule as first written: short stop above the candles' high, else long."""
    floor = max(P.candle_min_risk_atr * atr if np.isfinite(atr) else 0.0, entry * 1e-3)
    if sign < 0:
        risk = max(extreme - entry, floor)
        return entry + risk, max(entry - P.target_rr * risk, P.min_price_fraction * entry)
    risk = min(max(entry - extreme, floor), entry * (1.0 - P.min_price_fraction))
    return entry - risk, entry + P.target_rr * risk


def volume_rule(
    entry: float, stop: float, atr: float, sign: int, target: float | None
) -> tuple[float, float]:
    """The volume-pattern rule as first written (sign is +1 or -1, ATR finite)."""
    risk = max(sign * (entry - stop), P.candle_min_risk_atr * atr, entry * 1e-3)
    if sign > 0:
        risk = min(risk, entry * (1 - P.min_price_fraction))
    target = target if target is not None else entry + sign * P.target_rr * risk
    return entry - sign * risk, max(target, P.min_price_fraction * entry)


def same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


@given(prices, prices, st.one_of(st.just(math.nan), st.floats(0.0, 1e4)), st.sampled_from([-1, 0, 1]))
def test_candlestick_levels_unchanged(entry, extreme, atr, sign):
    assert same(risk_levels(entry, extreme, sign, atr, P), candle_rule(extreme, entry, atr, sign))


@given(prices, prices, st.floats(0.0, 1e4), st.sampled_from([-1, 1]), st.one_of(st.none(), prices))
def test_volume_levels_unchanged(entry, stop, atr, sign, target):
    assert same(risk_levels(entry, stop, sign, atr, P, target), volume_rule(entry, stop, atr, sign, target))


def test_short_and_long_levels_sit_on_their_sides():
    assert risk_levels(100.0, 104.0, -1, 2.0, P) == (104.0, 100.0 - P.target_rr * 4.0)
    assert risk_levels(100.0, 96.0, 1, 2.0, P) == (96.0, 100.0 + P.target_rr * 4.0)
    assert risk_levels(100.0, 96.0, 1, 2.0, P, target=130.0) == (96.0, 130.0)


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([-0.0, 0.0, 1.0])))
def test_unit_clip_is_numpys_clip(x):
    expected = float(np.clip(x, 0.0, 1.0))
    got = unit_clip(x)
    assert repr(got) == repr(expected)  # the same value, NaN and the sign of zero included
