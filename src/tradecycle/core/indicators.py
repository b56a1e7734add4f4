"""Technical indicators over the whole panel, and the BUY/SELL/NEUTRAL rule of each.

`indicator_arrays` runs TA-Lib once per symbol row over the bars that symbol actually
traded (sessions without a bar are dropped before the call and left NaN after), so a
missing day never poisons an exponential average, and every value at session s uses
only bars at or before s. Arrays are stored as float32 to keep a 5-year universe small,
except the price levels a close is compared with for equality-sensitive criteria (prior
high, 52-week range): those are actual bar prices and stay float64 so "close above the
prior high" never fires on a rounding error.

`indicator_rules` turns one session's feature values into readings for many symbols at
once. The rules (documented on each Rule) follow the seed's workflow document:

  RSI        BUY when RSI(14) < 30 (oversold), SELL when > 70 (overbought)
  MACD       BUY when MACD crosses above its signal today, or is above it with both > 0;
             SELL mirrored
  BBANDS     value %B; BUY at or below the lower band (%B <= 0), SELL at or above the upper
  STOCH      BUY when slow %K < 20 and above %D, SELL when %K > 80 and below %D
  ADX        BUY when ADX >= 25 and +DI > -DI (strong up-trend), SELL when ADX >= 25 and -DI > +DI
  SMA_20/50/200, EMA_20/50/200
             BUY when the close is above the average, SELL when below
  MA_TREND   BUY when close > SMA20 > SMA50, SELL when close < SMA20 < SMA50
  EMA_CROSS  value EMA20/EMA50 - 1; BUY when positive, SELL when negative
  OBV        value OBV change over the lookback; BUY when rising, SELL when falling
  REL_VOLUME BUY when relative volume >= the scanner's minimum on an up day, SELL on a down day
  ATR        informational (volatility for stops): always NEUTRAL
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import talib

BUY, NEUTRAL, SELL = 1, 0, -1
MA_PERIODS = (20, 50, 200)
YEAR_SESSIONS = 252
EXACT_FEATURES = frozenset({"prior_high", "high_52w", "low_52w"})  # kept float64


@dataclass(frozen=True)
class FeatureParams:
    """The periods the features depend on (from the scanner and strategy settings)."""

    lookback: int = 20
    breakout_lookback: int = 20
    sma_fast: int = 20
    sma_slow: int = 50


def indicator_arrays(
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    params: FeatureParams,
) -> dict[str, np.ndarray]:
    """Every indicator feature for a symbols x sessions panel (NaN where undefined)."""
    n_symbols, n_sessions = close.shape
    valid = (
        np.isfinite(open_) & np.isfinite(high) & np.isfinite(low) & np.isfinite(close) & np.isfinite(volume)
    )
    out: dict[str, np.ndarray] = {}
    for row in range(n_symbols):
        idx = np.flatnonzero(valid[row])
        if idx.size == 0:
            continue
        values = _row_features(
            high[row, idx].astype(np.float64),
            low[row, idx].astype(np.float64),
            close[row, idx].astype(np.float64),
            volume[row, idx].astype(np.float64),
            params,
        )
        for name, series in values.items():
            arr = out.get(name)
            if arr is None:
                arr = out[name] = np.full((n_symbols, n_sessions), np.nan, dtype=_dtype(name))
            arr[row, idx] = series
    if not out:  # nothing traded at all: still give every feature its name
        template = _row_features(*(np.full(3, np.nan) for _ in range(4)), params)
        out = {name: np.full((n_symbols, n_sessions), np.nan, dtype=_dtype(name)) for name in template}
    return out


def _dtype(name: str) -> type:
    return np.float64 if name in EXACT_FEATURES else np.float32


def _row_features(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray, p: FeatureParams
) -> dict[str, np.ndarray]:
    """One symbol's indicators over its traded bars (contiguous, no NaN)."""
    f: dict[str, np.ndarray] = {}
    f["rsi_14"] = talib.RSI(close, timeperiod=14)
    f["macd"], f["macd_signal"], f["macd_hist"] = talib.MACD(
        close, fastperiod=12, slowperiod=26, signalperiod=9
    )
    f["bb_upper"], f["bb_middle"], f["bb_lower"] = talib.BBANDS(close, timeperiod=20, nbdevup=2, nbdevdn=2)
    for period in sorted({*MA_PERIODS, p.sma_fast, p.sma_slow}):
        f[f"sma_{period}"] = talib.SMA(close, timeperiod=period)
    for period in MA_PERIODS:
        f[f"ema_{period}"] = talib.EMA(close, timeperiod=period)
    f["atr_14"] = talib.ATR(high, low, close, timeperiod=14)
    f["adx_14"] = talib.ADX(high, low, close, timeperiod=14)
    f["plus_di"] = talib.PLUS_DI(high, low, close, timeperiod=14)
    f["minus_di"] = talib.MINUS_DI(high, low, close, timeperiod=14)
    f["stoch_k"], f["stoch_d"] = talib.STOCH(
        high, low, close, fastk_period=14, slowk_period=3, slowd_period=3
    )
    obv = talib.OBV(close, volume)
    f["obv"] = obv
    f["obv_change"] = obv - _shift(obv, p.lookback)
    f["change_pct"] = talib.ROC(close, timeperiod=p.lookback)
    f["change_1d_pct"] = talib.ROC(close, timeperiod=1)
    f["avg_volume"] = _shift(talib.SMA(volume, timeperiod=p.lookback), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f["rel_volume"] = volume / f["avg_volume"]
    f["prior_high"] = _shift(talib.MAX(high, timeperiod=p.breakout_lookback), 1)
    f["high_52w"] = talib.MAX(high, timeperiod=YEAR_SESSIONS)
    f["low_52w"] = talib.MIN(low, timeperiod=YEAR_SESSIONS)
    f["macd_cross"] = _cross(f["macd"] - f["macd_signal"])
    f["ma_cross"] = _cross(f[f"sma_{p.sma_fast}"] - f[f"sma_{p.sma_slow}"])
    return f


def _shift(values: np.ndarray, by: int) -> np.ndarray:
    """values[i - by] at i (NaN for the first `by`): yesterday's value, causally."""
    out = np.full_like(values, np.nan)
    if by < values.size:
        out[by:] = values[: values.size - by]
    return out


def _cross(diff: np.ndarray) -> np.ndarray:
    """+1 where `diff` turns positive from <= 0, -1 where it turns negative from >= 0, else 0."""
    out = np.zeros_like(diff)
    prev, cur = diff[:-1], diff[1:]
    out[1:][(prev <= 0) & (cur > 0)] = BUY
    out[1:][(prev >= 0) & (cur < 0)] = SELL
    out[~np.isfinite(diff)] = np.nan
    return out


# ---------------------------------------------------------------- rules

Snapshot = Mapping[str, np.ndarray]
RuleFn = Callable[[Snapshot, np.ndarray, "RuleParams"], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class RuleParams:
    min_relative_volume: float = 1.5
    rsi_oversold: float = 30.0
    rsi_overbought: float = 70.0
    adx_trend: float = 25.0


@dataclass(frozen=True)
class Rule:
    """One indicator reading: its name, the score component it feeds, and how it decides."""

    name: str
    group: str  # "indicator" | "trend" | "volume" | "info"
    fn: RuleFn


def _sig(buy: np.ndarray, sell: np.ndarray) -> np.ndarray:
    return np.where(buy, BUY, np.where(sell, SELL, NEUTRAL)).astype(np.int8)


def _rsi(s: Snapshot, close: np.ndarray, p: RuleParams):
    v = s["rsi_14"]
    return v, v < p.rsi_oversold, v > p.rsi_overbought


def _macd(s: Snapshot, close: np.ndarray, p: RuleParams):
    macd, sig, cross = s["macd"], s["macd_signal"], s["macd_cross"]
    buy = (cross == BUY) | ((macd > sig) & (macd > 0) & (sig > 0))
    sell = (cross == SELL) | ((macd < sig) & (macd < 0) & (sig < 0))
    return s["macd_hist"], buy, sell


def _bbands(s: Snapshot, close: np.ndarray, p: RuleParams):
    width = s["bb_upper"] - s["bb_lower"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct_b = np.where(width > 0, (close - s["bb_lower"]) / width, np.nan)
    return pct_b, pct_b <= 0, pct_b >= 1


def _stoch(s: Snapshot, close: np.ndarray, p: RuleParams):
    k, d = s["stoch_k"], s["stoch_d"]
    return k, (k < 20) & (k > d), (k > 80) & (k < d)


def _adx(s: Snapshot, close: np.ndarray, p: RuleParams):
    adx, plus, minus = s["adx_14"], s["plus_di"], s["minus_di"]
    strong = adx >= p.adx_trend
    return adx, strong & (plus > minus), strong & (minus > plus)


def _above(feature: str) -> RuleFn:
    def rule(s: Snapshot, close: np.ndarray, p: RuleParams):
        ma = s[feature]
        return ma, close > ma, close < ma

    return rule


def _ma_trend(s: Snapshot, close: np.ndarray, p: RuleParams):
    fast, slow = s["sma_20"], s["sma_50"]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = fast / slow - 1.0
    return value, (close > fast) & (fast > slow), (close < fast) & (fast < slow)


def _ema_cross(s: Snapshot, close: np.ndarray, p: RuleParams):
    with np.errstate(divide="ignore", invalid="ignore"):
        value = s["ema_20"] / s["ema_50"] - 1.0
    return value, value > 0, value < 0


def _obv(s: Snapshot, close: np.ndarray, p: RuleParams):
    v = s["obv_change"]
    return v, v > 0, v < 0


def _rel_volume(s: Snapshot, close: np.ndarray, p: RuleParams):
    rv, day = s["rel_volume"], s["change_1d_pct"]
    surge = rv >= p.min_relative_volume
    return rv, surge & (day > 0), surge & (day < 0)


def _atr(s: Snapshot, close: np.ndarray, p: RuleParams):
    v = s["atr_14"]
    none = np.zeros(v.shape, dtype=bool)
    return v, none, none


RULES: tuple[Rule, ...] = (
    Rule("RSI", "indicator", _rsi),
    Rule("MACD", "indicator", _macd),
    Rule("BBANDS", "indicator", _bbands),
    Rule("STOCH", "indicator", _stoch),
    Rule("ADX", "indicator", _adx),
    *(Rule(f"SMA_{n}", "trend", _above(f"sma_{n}")) for n in MA_PERIODS),
    *(Rule(f"EMA_{n}", "trend", _above(f"ema_{n}")) for n in MA_PERIODS),
    Rule("MA_TREND", "trend", _ma_trend),
    Rule("EMA_CROSS", "trend", _ema_cross),
    Rule("OBV", "volume", _obv),
    Rule("REL_VOLUME", "volume", _rel_volume),
    Rule("ATR", "info", _atr),
)
RULE_NAMES = tuple(r.name for r in RULES)
RULE_GROUPS = np.array([r.group for r in RULES])


def indicator_rules(
    snapshot: Snapshot, close: np.ndarray, params: RuleParams
) -> tuple[np.ndarray, np.ndarray]:
    """(values, signals) for every rule: two (n_rows, len(RULES)) arrays, signals in {-1, 0, 1}.

    A NaN input (indicator not defined yet, or no bar) yields NEUTRAL: comparisons with
    NaN are False.
    """
    n = close.shape[0]
    values = np.full((n, len(RULES)), np.nan)
    signals = np.zeros((n, len(RULES)), dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for j, rule in enumerate(RULES):
            value, buy, sell = rule.fn(snapshot, close, params)
            values[:, j] = value
            signals[:, j] = _sig(buy, sell)
    return values, signals
