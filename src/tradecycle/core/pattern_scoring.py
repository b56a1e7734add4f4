"""The one confidence rule every pattern family uses, and its small helpers.

Confidence in 0..1 follows the seed's scoring split (pattern clarity 40 %,
volume confirmation 30 %, trend alignment 30 %; weights in settings.patterns):
- clarity: how well formed the pattern is, 0..1, defined by each detector;
- volume: the signal bar's volume over the mean of the `volume_lookback`
  sessions before it, divided by `volume_full_ratio`, capped at 1;
- trend: the move over `trend_lookback` sessions before the pattern began, as a
  z-score of daily log returns, divided by `trend_full_z` and clipped to 0..1.
  A reversal pattern scores when that move ran against its direction, a
  continuation pattern when it ran with it, an indecision pattern on its size.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tradecycle.config import PatternSettings

REVERSAL = "reversal"
CONTINUATION = "continuation"
INDECISION = "indecision"


def traded_bars(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray, keep: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The last `keep` bars where the symbol traded; None if the newest bar is missing."""
    ok = np.isfinite(high) & np.isfinite(low) & np.isfinite(close)
    if ok.size == 0 or not ok[-1]:
        return None
    idx = np.flatnonzero(ok)[-keep:]
    vol = volume[idx]
    if not np.isfinite(vol).all():
        vol = np.nan_to_num(vol, nan=0.0)
    return high[idx], low[idx], close[idx], vol


@dataclass(frozen=True)
class TradedBlock:
    """Traded bars of some rows, all of one length: (len(rows), length) arrays, oldest first."""

    rows: np.ndarray  # the rows of the input arrays these are
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray


def traded_windows(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray, keep: int
) -> list[TradedBlock]:
    """`traded_bars` of every row of (rows, sessions) arrays, grouped for whole-block work.

    Rows that traded on each of their last `keep` sessions (nearly all) form one
    block; a row with a gap there gets a block of its own, and a row whose newest
    bar is missing none.
    """
    if high.shape[-1] == 0:
        return []
    traded = np.isfinite(high) & np.isfinite(low) & np.isfinite(close)
    complete = traded[:, -keep:].all(axis=1)
    blocks = []
    rows = np.flatnonzero(complete)
    if rows.size:
        vol = volume[rows, -keep:]
        if not np.isfinite(vol).all():
            vol = np.nan_to_num(vol, nan=0.0)
        blocks.append(TradedBlock(rows, high[rows, -keep:], low[rows, -keep:], close[rows, -keep:], vol))
    for row in np.flatnonzero(~complete).tolist():
        arrays = traded_bars(high[row], low[row], close[row], volume[row], keep)
        if arrays is not None:
            blocks.append(TradedBlock(np.array([row]), *(a[None, :] for a in arrays)))
    return blocks


def one_symbol(by_row: Callable, symbol: str, bars: tuple, params: PatternSettings | None) -> list:
    """A block detector's hits for one symbol's 1-D (high, low, close, volume) arrays."""
    rows = (np.asarray(a, dtype=np.float64)[None, :] for a in bars)
    return by_row([symbol], *rows, params)[0]


def prior_trend_z(close: np.ndarray, end: int, lookback: int) -> float:
    """z-score of the log move over `lookback` sessions ending at column `end`; 0 if unknown."""
    start = end - lookback
    if start < 0 or end >= close.shape[-1]:
        return 0.0
    with np.errstate(all="ignore"):
        logc = np.log(close[start : end + 1])
        steps = logc[1:] - logc[:-1]
        steps = steps[np.isfinite(steps)]
        if steps.size < 2:
            return 0.0
        dev = steps - steps.sum() / steps.size
        vol = math.sqrt(float(dev @ dev) / steps.size * lookback)
        move = float(logc[-1] - logc[0])
    if not (math.isfinite(move) and vol > 0):
        return 0.0
    return move / vol


def average_true_range(high: np.ndarray, low: np.ndarray, close: np.ndarray, period: int) -> np.ndarray:
    """Mean true range of the last `period` bars of each row (last axis = sessions; NaN-tolerant)."""
    high, low, close = high[..., -period - 1 :], low[..., -period - 1 :], close[..., -period - 1 :]
    prev = np.concatenate([np.full(close.shape[:-1] + (1,), np.nan), close[..., :-1]], axis=-1)
    tr = np.fmax(high, prev) - np.fmin(low, prev)  # true range; the first bar (no prev) is high - low
    return _quiet_nanmean(tr[..., -period:])


def relative_volume(volume: np.ndarray, at: int, lookback: int) -> np.ndarray:
    """Volume at column `at` over the mean of the `lookback` columns before it (NaN if unknown)."""
    with np.errstate(all="ignore"):
        return volume[..., at] / _quiet_nanmean(volume[..., max(0, at - lookback) : at])


def _quiet_nanmean(values: np.ndarray) -> np.ndarray:
    """Mean over the last axis ignoring NaN; NaN (no warning) where a row has no value."""
    finite = np.isfinite(values)
    if finite.all() and values.shape[-1] > 0:
        return values.mean(axis=-1)
    count = finite.sum(axis=-1)
    total = np.where(finite, values, 0.0).sum(axis=-1)
    with np.errstate(all="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def volume_score(rel_volume: np.ndarray | float, p: PatternSettings) -> np.ndarray | float:
    """0..1 volume points (0 where relative volume is unknown); a float for a float."""
    if np.ndim(rel_volume) == 0:
        rel = float(rel_volume)
        return min(max(rel / p.volume_full_ratio, 0.0), 1.0) if math.isfinite(rel) else 0.0
    return np.clip(np.nan_to_num(np.asarray(rel_volume, dtype=float) / p.volume_full_ratio), 0.0, 1.0)


def trend_score(z: float, sign: int, role: str, p: PatternSettings) -> float:
    """0..1: how well the prior move (z) suits a pattern of this role pointing `sign` (+1 up, -1 down)."""
    if role == INDECISION:
        return min(abs(z) / p.trend_full_z, 1.0)
    aligned = sign * z if role == CONTINUATION else -sign * z
    return unit_clip(aligned / p.trend_full_z)


def confidence(clarity: float, volume: float, trend: float, p: PatternSettings) -> float:
    """The weighted 0..1 confidence, rounded to 4 places."""
    total = p.clarity_weight * clarity + p.volume_weight * volume + p.trend_weight * trend
    return round(unit_clip(total), 4)


def unit_clip(x: float) -> float:
    """float(np.clip(x, 0.0, 1.0)) for one number, without the array call (NaN and -0.0 kept, as numpy does)."""
    if x != x:
        return float(x)
    return float(0.0 if x < 0.0 else 1.0 if x > 1.0 else x)


def levels_ok(sign: int, entry: float, stop: float, target: float) -> bool:
    """Finite positive prices on the right sides: stop < entry < target long (sign >= 0), mirrored short."""
    if not all(math.isfinite(x) and x > 0 for x in (entry, stop, target)):
        return False
    return stop < entry < target if sign >= 0 else target < entry < stop


def risk_levels(
    entry: float, pattern_stop: float, sign: int, atr: float, p: PatternSettings, target: float | None = None
) -> tuple[float, float]:
    """(stop, target) of a hit at `entry`, shared by candlestick and volume patterns.

    Risk is the distance to the pattern's own stop, at least `candle_min_risk_atr` ATR
    (when the ATR is known) and 0.1 % of entry, and a long's at most
    (1 - `min_price_fraction`) x entry; the target is the given measured move or
    `target_rr` x risk, floored at `min_price_fraction` x entry. sign 0 gets long levels.
    """
    side = -1 if sign < 0 else 1
    floor = max(p.candle_min_risk_atr * atr if np.isfinite(atr) else 0.0, entry * 1e-3)
    risk = max(side * (entry - pattern_stop), floor)
    if side > 0:
        risk = min(risk, entry * (1.0 - p.min_price_fraction))
    if target is None:
        target = entry + side * p.target_rr * risk
    return entry - side * risk, max(target, p.min_price_fraction * entry)
