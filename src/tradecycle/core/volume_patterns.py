"""Volume patterns at the last bar of one symbol: climax, dry-up, breakout on volume.

- volume_climax: volume >= `volume_climax_ratio` x the prior `volume_lookback`
  mean on a bar whose range is >= `volume_climax_range_atr` ATR, ending a move
  of |z| >= `volume_climax_min_z`: exhaustion, so it points AGAINST that move
  (selling climax -> BUY, buying climax -> SELL); stop beyond the climax bar.
- volume_dry_up: the last `volume_dryup_bars` sessions average below
  `volume_dryup_ratio` x the `volume_dryup_baseline` sessions before them: a
  quiet pause, which points WITH the move before it (|z| >= `volume_dryup_min_z`);
  stop beyond the quiet bars' extreme.
- volume_breakout: the close leaves the prior `volume_breakout_lookback`
  sessions' range on >= `volume_breakout_ratio` x relative volume; stop at the
  breakout bar's other extreme, target the range height (measured move).
Confidence is the shared rule of core.pattern_scoring; for a dry-up the volume
points are 1 - (quiet mean / baseline mean), since low volume is what confirms it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tradecycle.config import PatternSettings
from tradecycle.core.pattern_scoring import (
    CONTINUATION,
    REVERSAL,
    average_true_range,
    confidence,
    levels_ok,
    one_symbol,
    prior_trend_z,
    relative_volume,
    risk_levels,
    traded_windows,
    trend_score,
    unit_clip,
    volume_score,
)
from tradecycle.core.types import PatternHit, PatternType, SignalLabel


@dataclass(frozen=True)
class _Found:
    name: str
    sign: int
    stop: float
    target: float | None  # None: target_rr x risk
    clarity: float
    volume_points: float
    trend_z: float
    role: str
    details: dict


def _climax(h, lo, c, v, atr: float, rel: float, p: PatternSettings) -> _Found | None:
    t = len(c) - 1
    bar_range = h[t] - lo[t]
    if not (rel >= p.volume_climax_ratio and bar_range >= p.volume_climax_range_atr * atr):
        return None
    z = prior_trend_z(c, t, p.trend_lookback)
    if abs(z) < p.volume_climax_min_z:
        return None
    sign = -int(np.sign(z))
    clarity = 0.5 * min(rel / (2 * p.volume_climax_ratio), 1) + 0.5 * min(
        bar_range / (2 * p.volume_climax_range_atr * atr), 1
    )
    stop = lo[t] if sign > 0 else h[t]
    details = {"relative_volume": rel, "range_atr": bar_range / atr}
    return _Found(
        "volume_climax", sign, stop, None, clarity, float(volume_score(rel, p)), z, REVERSAL, details
    )


def _dry_up(h, lo, c, v, atr: float, rel: float, p: PatternSettings) -> _Found | None:
    t, quiet_bars = len(c) - 1, p.volume_dryup_bars
    start = t - quiet_bars + 1
    if start - p.volume_dryup_baseline < 0:
        return None
    base = float(np.mean(v[start - p.volume_dryup_baseline : start]))
    quiet = v[start:]
    if base <= 0:
        return None
    ratio = float(np.mean(quiet)) / base
    if ratio >= p.volume_dryup_ratio:
        return None
    z = prior_trend_z(c, start - 1, p.trend_lookback)
    if abs(z) < p.volume_dryup_min_z:
        return None
    sign = int(np.sign(z))
    clarity = float(np.mean(quiet < p.volume_dryup_ratio * base))
    stop = float(lo[start:].min()) if sign > 0 else float(h[start:].max())
    details = {"volume_ratio": ratio, "bars": quiet_bars}
    return _Found("volume_dry_up", sign, stop, None, clarity, 1 - ratio, z, CONTINUATION, details)


def _breakout(h, lo, c, v, atr: float, rel: float, p: PatternSettings) -> _Found | None:
    t, lookback = len(c) - 1, p.volume_breakout_lookback
    if t - lookback < 0:
        return None
    top, bottom = float(h[t - lookback : t].max()), float(lo[t - lookback : t].min())
    if rel < p.volume_breakout_ratio or bottom <= c[t] <= top:
        return None
    sign = 1 if c[t] > top else -1
    level = top if sign > 0 else bottom
    clarity = 0.5 * min(abs(c[t] - level) / atr, 1) + 0.5 * min(rel / (2 * p.volume_breakout_ratio), 1)
    stop = lo[t] if sign > 0 else h[t]
    target = c[t] + sign * (top - bottom)
    z = prior_trend_z(c, t - 1, p.trend_lookback)
    details = {"level": level, "relative_volume": rel}
    return _Found(
        "volume_breakout", sign, stop, target, clarity, float(volume_score(rel, p)), z, CONTINUATION, details
    )


DETECTORS = {"volume_climax": _climax, "volume_dry_up": _dry_up, "volume_breakout": _breakout}


def volume_hits_by_row(
    symbols: Sequence[str],
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    params: PatternSettings | None = None,
) -> list[list[PatternHit]]:
    """Volume patterns at the last column, one list per row of these (symbols, sessions) arrays.

    ATR and relative volume of every row are whole-block array operations; the
    detectors then run on each symbol's own bars.
    """
    p = params or PatternSettings()
    found: list[list[PatternHit]] = [[] for _ in symbols]
    keep = max(
        p.volume_dryup_baseline + p.volume_dryup_bars, p.volume_breakout_lookback, p.volume_lookback
    ) + (p.trend_lookback + 1)
    for block in traded_windows(high, low, close, volume, keep):
        length = block.close.shape[1]
        if length < p.volume_lookback + 1:
            continue
        atr = average_true_range(block.high[:, :-1], block.low[:, :-1], block.close[:, :-1], p.atr_period)
        rel_volume = relative_volume(block.volume, length - 1, p.volume_lookback)
        for k, row in enumerate(block.rows.tolist()):
            row_atr = float(atr[k])
            if not np.isfinite(row_atr) or row_atr <= 0:
                continue
            bars = (block.high[k], block.low[k], block.close[k], block.volume[k])
            found[row] = _row_hits(str(symbols[row]), bars, row_atr, float(rel_volume[k]), p)
    return found


def volume_patterns(
    symbol: str,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    params: PatternSettings | None = None,
) -> list[PatternHit]:
    """Every volume pattern at the last bar of these 1-D arrays (one symbol, oldest first)."""
    return one_symbol(volume_hits_by_row, symbol, (high, low, close, volume), params)


def _row_hits(symbol: str, bars: tuple, atr: float, rel: float, p: PatternSettings) -> list[PatternHit]:
    """Every detector's hit on one symbol's traded bars (h, lo, c, v)."""
    entry = float(bars[2][-1])
    hits = []
    for detect in DETECTORS.values():
        found = detect(*bars, atr, rel, p)
        if found is None or found.sign == 0:
            continue
        sign = found.sign
        stop, target = risk_levels(entry, found.stop, sign, atr, p, found.target)
        if not levels_ok(sign, entry, stop, target):
            continue
        trend_points = trend_score(found.trend_z, sign, found.role, p)
        clarity = unit_clip(found.clarity)
        volume_points = unit_clip(found.volume_points)
        hits.append(
            PatternHit(
                symbol=symbol,
                pattern_type=PatternType.VOLUME,
                pattern_name=found.name,
                direction=SignalLabel.BUY if sign > 0 else SignalLabel.SELL,
                confidence=confidence(clarity, volume_points, trend_points, p),
                entry_price=round(entry, 4),
                stop_loss=round(stop, 4),
                target_price=round(float(target), 4),
                metadata={
                    "role": found.role,
                    "clarity": round(clarity, 4),
                    "volume_score": round(volume_points, 4),
                    "trend_score": round(trend_points, 4),
                    "trend_z": round(found.trend_z, 4),
                    **{k: round(float(x), 4) for k, x in found.details.items()},
                },
            )
        )
    return hits
