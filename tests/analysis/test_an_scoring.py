"""Signal score maths and indicator rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecycle.config import SettingsModel
from tradecycle.core import scoring
from tradecycle.core.indicators import RULE_GROUPS, RULE_NAMES, RuleParams, indicator_rules


def test_seed_weights_give_the_seed_formula():
    comps = {k: np.array([v]) for k, v in dict(pattern=80, indicator=60, trend=100, volume=40).items()}
    w = dict(pattern=0.35, indicator=0.30, trend=0.20, volume=0.15, ml=0.0, sentiment=0.0)
    assert scoring.composite(comps, w)[0] == pytest.approx(80 * 0.35 + 60 * 0.30 + 100 * 0.2 + 40 * 0.15)
    comps["ml"] = np.array([100.0])
    w = w | dict(pattern=0.25, ml=0.10)
    assert scoring.composite(comps, w)[0] == pytest.approx(80 * 0.25 + 60 * 0.3 + 20 + 6 + 10)


def test_weights_not_summing_to_one_are_a_config_error():
    with pytest.raises(ValueError, match="sum to 1"):
        SettingsModel(signal={"pattern_weight": 0.5})


def test_labels_follow_the_seed_bands():
    s = np.array([80, 75.5, 75, 60, 59.9, 40.1, 40, 25, 24.9])
    assert scoring.labels(s, scoring.Thresholds()).tolist() == [
        "STRONG_BUY",
        "STRONG_BUY",
        "BUY",
        "BUY",
        "HOLD",
        "HOLD",
        "SELL",
        "SELL",
        "STRONG_SELL",
    ]


def test_components_neutral_without_inputs():
    assert scoring.pattern_scores(np.array([0.0]), np.array([0.0]))[0] == 50
    assert scoring.pattern_scores(np.array([0.8]), np.array([0.2]))[0] == pytest.approx(80)
    assert scoring.ml_scores(np.array([np.nan, 0.7])).tolist() == pytest.approx([50, 70])
    assert scoring.sentiment_scores(np.array([np.nan, -0.5])).tolist() == [50, 25]
    sig = np.array([[1, 1, -1, 0], [0, 0, 0, 0]])
    assert scoring.group_scores(sig, np.array(["a", "a", "a", "b"]), "a").tolist() == pytest.approx(
        [50 + 50 / 3, 50]
    )


@given(
    entry=st.floats(1, 5000),
    atr=st.one_of(st.floats(0, 500), st.just(float("nan"))),
    short=st.booleans(),
    rr=st.floats(0.5, 6),
    stop_pct=st.floats(0.1, 10),
)
def test_levels_respect_max_stop_and_min_reward_risk(entry, atr, short, rr, stop_pct):
    d = np.array([-1.0 if short else 1.0])
    p = scoring.LevelParams(atr_stop_multiple=2.0, max_stop_pct=stop_pct, min_reward_risk=rr)
    stop, target = scoring.levels(np.array([entry]), np.array([atr]), d, p, np.array([np.nan]))
    risk = d[0] * (entry - stop[0])
    assert 0 < risk <= entry * stop_pct / 100 * (1 + 1e-9)
    assert d[0] * (target[0] - entry) >= rr * risk * (1 - 1e-9)


def test_pattern_target_used_only_when_further():
    e, a, d, p = np.array([100.0, 100.0]), np.array([1.0, 1.0]), np.array([1.0, 1.0]), scoring.LevelParams()
    stop, target = scoring.levels(e, a, d, p, np.array([110.0, 101.0]))
    assert stop.tolist() == [98.0, 98.0] and target.tolist() == [110.0, 106.0]


def test_expected_return_and_confidence():
    er = scoring.expected_return(
        np.array([100.0]), np.array([98.0]), np.array([106.0]), np.array([1.0]), np.array([0.5])
    )
    assert er[0] == pytest.approx(0.5 * 0.06 - 0.5 * 0.02)
    assert scoring.confidence(np.array([80.0, 20.0, 50.0])).tolist() == [0.8, 0.8, 0.5]


def _snapshot(**over):
    base = {
        "rsi_14": 50.0,
        "macd": 0.0,
        "macd_signal": 0.0,
        "macd_hist": 0.0,
        "macd_cross": 0.0,
        "bb_upper": 110.0,
        "bb_lower": 90.0,
        "stoch_k": 50.0,
        "stoch_d": 50.0,
        "adx_14": 10.0,
        "plus_di": 20.0,
        "minus_di": 20.0,
        "sma_20": 100.0,
        "sma_50": 100.0,
        "sma_200": 100.0,
        "ema_20": 100.0,
        "ema_50": 100.0,
        "ema_200": 100.0,
        "obv_change": 0.0,
        "rel_volume": 1.0,
        "change_1d_pct": 0.0,
        "atr_14": 2.0,
    }
    return {k: np.array([v], dtype=float) for k, v in (base | over).items()}


@pytest.mark.parametrize(
    ("rule", "over", "close", "expected"),
    [
        ("RSI", {"rsi_14": 25}, 100, 1),
        ("RSI", {"rsi_14": 75}, 100, -1),
        ("RSI", {}, 100, 0),
        ("MACD", {"macd_cross": 1}, 100, 1),
        ("MACD", {"macd": 2, "macd_signal": 1}, 100, 1),
        ("MACD", {"macd": -2, "macd_signal": -1}, 100, -1),
        ("MACD", {"macd": 1, "macd_signal": 2}, 100, 0),
        ("BBANDS", {}, 89, 1),
        ("BBANDS", {}, 111, -1),
        ("STOCH", {"stoch_k": 15, "stoch_d": 10}, 100, 1),
        ("STOCH", {"stoch_k": 15, "stoch_d": 20}, 100, 0),
        ("STOCH", {"stoch_k": 85, "stoch_d": 90}, 100, -1),
        ("ADX", {"adx_14": 30, "plus_di": 30}, 100, 1),
        ("ADX", {"adx_14": 30, "minus_di": 30}, 100, -1),
        ("ADX", {"plus_di": 30}, 100, 0),
        ("SMA_200", {}, 101, 1),
        ("SMA_200", {}, 99, -1),
        ("MA_TREND", {"sma_20": 102, "sma_50": 100}, 103, 1),
        ("MA_TREND", {"sma_20": 98, "sma_50": 100}, 97, -1),
        ("MA_TREND", {"sma_20": 102, "sma_50": 100}, 101, 0),
        ("EMA_CROSS", {"ema_20": 101}, 100, 1),
        ("OBV", {"obv_change": -5}, 100, -1),
        ("REL_VOLUME", {"rel_volume": 2, "change_1d_pct": 1}, 100, 1),
        ("REL_VOLUME", {"rel_volume": 2, "change_1d_pct": -1}, 100, -1),
        ("REL_VOLUME", {"rel_volume": 1.2, "change_1d_pct": 1}, 100, 0),
        ("ATR", {}, 100, 0),
    ],
)
def test_indicator_rules(rule, over, close, expected):
    values, signals = indicator_rules(_snapshot(**over), np.array([float(close)]), RuleParams())
    assert signals[0, RULE_NAMES.index(rule)] == expected


def test_nan_inputs_are_neutral():
    snap = {k: np.array([np.nan]) for k in _snapshot()}
    values, signals = indicator_rules(snap, np.array([np.nan]), RuleParams())
    assert (signals == 0).all() and np.isnan(values).all()
    assert set(RULE_GROUPS) == {"indicator", "trend", "volume", "info"}
