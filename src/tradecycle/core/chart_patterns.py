"""Chart patterns (5-60 session formations) found with peak detection (core.pivots).

Each detector looks at the trailing `chart_lookback` traded sessions of one
symbol and reports a pattern only when it COMPLETES: the confirming break
(neckline, trend line, flag or level) happened within the last
`chart_breakout_window` sessions. Pivots are scipy.signal.find_peaks' on
highs (peaks) and negated lows (troughs), found for all candidates at once by
core.pivots, with a prominence of
`chart_prominence_atr` ATR, so a pivot needs bars on both sides and nothing
after the last bar is ever read.

Bearish shapes are the bullish/top detectors run on the mirrored series
(price -> -price, high <-> low): a double bottom is a double top of -low, a
descending triangle an ascending one, a bear flag a bull flag, a support
breakdown a resistance breakout. Levels map back through the same mirror.

Every hit carries entry (the last close), stop_loss (the pattern's failure
point), target_price (the measured move: pattern height or flag pole) and the
shared confidence of core.pattern_scoring with a detector-specific clarity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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
    traded_windows,
    trend_score,
    unit_clip,
    volume_score,
)
from tradecycle.core.pivots import find_pivots
from tradecycle.core.types import PatternHit, PatternType, SignalLabel


@dataclass(frozen=True)
class Bars:
    """One symbol's traded bars (gaps removed), oldest first, with their pivots; see `of`."""

    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    atr: float
    peaks: np.ndarray  # indices of pivot highs
    troughs: np.ndarray  # indices of pivot lows
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # fits shared by detectors

    def mirrored(self) -> Bars:
        """The same bars upside down (price -> -price): highs and lows, peaks and troughs swap."""
        return Bars(-self.low, -self.high, -self.close, self.atr, self.troughs, self.peaks)

    @property
    def last(self) -> int:
        return len(self.close) - 1


@dataclass(frozen=True)
class Shape:
    """A completed pattern in the detector's (possibly mirrored) price space."""

    direction: int  # +1 price expected up, -1 down (in that space)
    entry: float
    stop: float
    target: float
    clarity: float
    start: int  # first bar of the pattern (trend context is measured before it)
    role: str
    details: dict = field(default_factory=dict)


def _fresh_break(crossed: np.ndarray, after: int, bars: Bars, p: PatternSettings) -> bool:
    """True if the first bar after `after` where `crossed` holds is within the breakout window."""
    hits = np.flatnonzero(crossed[after + 1 :])
    return hits.size > 0 and after + 1 + hits[0] >= bars.last - p.chart_breakout_window + 1


def double_top(bars: Bars, p: PatternSettings) -> Shape | None:
    """Two similar highs with a trough of at least `chart_min_depth_pct` between, then a close below it."""
    peaks = bars.peaks
    if peaks.size < 2:
        return None
    i1, i2 = int(peaks[-2]), int(peaks[-1])
    top = max(bars.high[i1], bars.high[i2])
    scale = abs(top)
    diff_pct = abs(bars.high[i1] - bars.high[i2]) / scale * 100
    neck = float(bars.low[i1 : i2 + 1].min())
    depth_pct = (top - neck) / scale * 100
    if diff_pct > p.chart_level_tolerance_pct or depth_pct < p.chart_min_depth_pct:
        return None
    if bars.high[i2 + 1 :].max(initial=-np.inf) > top or bars.close[-1] >= neck:
        return None
    if not _fresh_break(bars.close < neck, i2, bars, p):
        return None
    height = top - neck
    clarity = 0.5 * (1 - diff_pct / p.chart_level_tolerance_pct) + 0.5 * min(
        depth_pct / (2 * p.chart_min_depth_pct), 1
    )
    return Shape(
        -1, bars.close[-1], top, neck - height, clarity, i1, REVERSAL, {"neckline": neck, "peaks": [i1, i2]}
    )


def head_and_shoulders(bars: Bars, p: PatternSettings) -> Shape | None:
    """Three highs, the middle one `chart_head_excess_pct` above similar shoulders, then a neckline break."""
    peaks = bars.peaks
    if peaks.size < 3:
        return None
    a, b, c = (int(i) for i in peaks[-3:])
    left, head, right = bars.high[a], bars.high[b], bars.high[c]
    scale = abs(head)
    excess_pct = (head - max(left, right)) / scale * 100
    shoulder_pct = abs(left - right) / scale * 100
    if excess_pct < p.chart_head_excess_pct or shoulder_pct > p.chart_level_tolerance_pct:
        return None
    t1 = a + int(np.argmin(bars.low[a : b + 1]))
    t2 = b + int(np.argmin(bars.low[b : c + 1]))
    if t2 == t1:
        return None  # no trough on one side of the head
    slope = (bars.low[t2] - bars.low[t1]) / (t2 - t1)
    neckline = bars.low[t1] + slope * (np.arange(len(bars.close)) - t1)
    if bars.high[c + 1 :].max(initial=-np.inf) > right or bars.close[-1] >= neckline[-1]:
        return None
    if not _fresh_break(bars.close < neckline, c, bars, p):
        return None
    height = head - neckline[b]
    clarity = 0.5 * (1 - shoulder_pct / p.chart_level_tolerance_pct) + 0.5 * min(
        excess_pct / (3 * p.chart_head_excess_pct), 1
    )
    return Shape(
        -1,
        bars.close[-1],
        right,
        neckline[-1] - height,
        clarity,
        a,
        REVERSAL,
        {"neckline": float(neckline[-1]), "peaks": [a, b, c]},
    )


def _fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares (slope, intercept) through a few pivots (plain floats: 2-4 points)."""
    xs, ys = x.tolist(), y.tolist()
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True)) / sum((a - mx) ** 2 for a in xs)
    return slope, my - slope * mx


@dataclass(frozen=True)
class _Lines:
    """Trend lines through the last (up to 4) peaks and troughs before the breakout window."""

    peaks: np.ndarray
    troughs: np.ndarray
    up: tuple[float, float]
    lo: tuple[float, float]
    up_pct: float  # slopes in percent of price per session
    lo_pct: float


def _lines(bars: Bars, p: PatternSettings) -> _Lines | None:
    """The triangle lines of these bars, fitted once and shared by every triangle detector."""
    if "lines" not in bars.cache:
        end = bars.last - p.chart_breakout_window
        peaks = bars.peaks[bars.peaks <= end][-4:]
        troughs = bars.troughs[bars.troughs <= end][-4:]
        lines = None
        if peaks.size >= 2 and troughs.size >= 2:
            scale = abs(float(bars.close[min(peaks[0], troughs[0]) :].mean()))
            up, lo = _fit_line(peaks, bars.high[peaks]), _fit_line(troughs, bars.low[troughs])
            lines = _Lines(peaks, troughs, up, lo, up[0] / scale * 100, lo[0] / scale * 100)
        bars.cache["lines"] = lines
    return bars.cache["lines"]


def _triangle(
    bars: Bars, p: PatternSettings, upper_ok: Callable[[float], bool], lower_ok: Callable[[float], bool]
):
    """The triangle's parts if its line slopes pass the tests, the pivots fit and it converges; else None."""
    g = _lines(bars, p)
    if g is None or not (upper_ok(g.up_pct) and lower_ok(g.lo_pct)):
        return None
    peaks, troughs, up, lo = g.peaks, g.troughs, g.up, g.lo
    misfit = max(
        np.abs(up[0] * peaks + up[1] - bars.high[peaks]).max(),
        np.abs(lo[0] * troughs + lo[1] - bars.low[troughs]).max(),
    )
    if misfit > p.chart_triangle_fit_atr * bars.atr:
        return None
    start = int(min(peaks[0], troughs[0]))
    x = np.arange(len(bars.close))
    upper, lower = up[0] * x + up[1], lo[0] * x + lo[1]
    if upper[-1] <= lower[-1] or upper[start] - lower[start] <= upper[-1] - lower[-1]:
        return None  # crossed or not converging
    last_pivot = int(max(peaks[-1], troughs[-1]))
    inside = bars.close[start : last_pivot + 1]
    slack = 0.5 * bars.atr
    if (inside > upper[start : last_pivot + 1] + slack).any() or (
        inside < lower[start : last_pivot + 1] - slack
    ).any():
        return None
    clarity = 1 - misfit / (p.chart_triangle_fit_atr * bars.atr) * 0.5
    height = upper[start] - lower[start]
    return upper, lower, start, last_pivot, height, clarity, peaks, troughs


def _triangle_break_up(bars: Bars, p: PatternSettings, parts, role: str) -> Shape | None:
    upper, lower, start, last_pivot, height, clarity, peaks, troughs = parts
    if bars.close[-1] <= upper[-1] or not _fresh_break(bars.close > upper, last_pivot, bars, p):
        return None
    stop = float(bars.low[troughs[-1]])
    details = {
        "break_line": float(upper[-1]),
        "other_line": float(lower[-1]),
        "touches": [len(peaks), len(troughs)],
    }
    return Shape(1, bars.close[-1], stop, bars.close[-1] + height, clarity, start, role, details)


def ascending_triangle(bars: Bars, p: PatternSettings) -> Shape | None:
    """Flat resistance over rising lows, then a close above the resistance line."""
    parts = _triangle(
        bars,
        p,
        lambda s: abs(s) <= p.chart_triangle_flat_pct,
        lambda s: s >= p.chart_triangle_min_slope_pct,
    )
    return None if parts is None else _triangle_break_up(bars, p, parts, CONTINUATION)


def symmetric_triangle(bars: Bars, p: PatternSettings) -> Shape | None:
    """Falling highs and rising lows converging, then a close above the upper line."""
    parts = _triangle(
        bars,
        p,
        lambda s: s <= -p.chart_triangle_min_slope_pct,
        lambda s: s >= p.chart_triangle_min_slope_pct,
    )
    return None if parts is None else _triangle_break_up(bars, p, parts, CONTINUATION)


def bull_flag(bars: Bars, p: PatternSettings) -> Shape | None:
    """A pole of `chart_flag_pole_min_pct` in <= pole bars, a shallow flag, then a close above the flag."""
    last = bars.last
    lo_top, hi_top = last - p.chart_flag_max_bars - 1, last - p.chart_flag_min_bars - 1
    if lo_top < p.chart_flag_pole_max_bars:
        return None
    top = lo_top + int(np.argmax(bars.high[lo_top : hi_top + 1]))
    pole_from = top - p.chart_flag_pole_max_bars
    base = pole_from + int(np.argmin(bars.low[pole_from:top]))
    pole = bars.high[top] - bars.low[base]
    pole_pct = pole / abs(bars.low[base]) * 100
    flag_high = bars.high[top + 1 : last].max()
    flag_low = bars.low[top + 1 : last].min()
    retrace = (bars.high[top] - flag_low) / pole if pole > 0 else np.inf
    if (
        pole_pct < p.chart_flag_pole_min_pct
        or retrace > p.chart_flag_max_retrace
        or flag_high > bars.high[top]
    ):
        return None
    if bars.close[-1] <= flag_high:
        return None  # the flag's range ends the bar before, so only today's close can break it
    clarity = 0.5 * min(pole_pct / (2 * p.chart_flag_pole_min_pct), 1) + 0.5 * (
        1 - retrace / p.chart_flag_max_retrace
    )
    details = {"pole_pct": float(pole_pct), "retrace": float(retrace), "flag_bars": last - top - 1}
    return Shape(1, bars.close[-1], flag_low, bars.close[-1] + pole, clarity, base, CONTINUATION, details)


def resistance_breakout(bars: Bars, p: PatternSettings) -> Shape | None:
    """`chart_min_touches` highs at one level (within tolerance), closes held below it, then a close above."""
    end = bars.last - p.chart_breakout_window
    peaks = bars.peaks[bars.peaks <= end]
    if peaks.size < p.chart_min_touches:
        return None
    highs, last_close = bars.high[peaks], bars.close[-1]
    # the level lies under today's close and over every close up to the breakout window
    if last_close <= highs.min() or last_close <= bars.close[end]:
        return None
    near_all = (
        np.abs(highs[:, None] - highs[None, :]) <= np.abs(highs)[:, None] * p.chart_level_tolerance_pct / 100
    )
    best = None
    for i in range(peaks.size - 1, -1, -1):  # the most recent level first
        members = near_all[i]
        if members.sum() < p.chart_min_touches:
            continue
        near = peaks[members]
        level, first = float(highs[members].max()), int(near[0])
        if level < last_close and bars.close[first : end + 1].max() <= level:
            best = (level, first, near)
            break
    if best is None:
        return None
    level, first, near = best
    floor = float(bars.low[first:].min())
    spread_pct = np.ptp(bars.high[near]) / abs(level) * 100
    clarity = 0.5 * min(near.size / (2 * p.chart_min_touches), 1) + 0.5 * (
        1 - spread_pct / p.chart_level_tolerance_pct
    )
    stop = level - p.chart_stop_atr * bars.atr
    details = {"level": level, "touches": int(near.size)}
    return Shape(
        1, bars.close[-1], stop, bars.close[-1] + (level - floor), clarity, first, CONTINUATION, details
    )


Detector = Callable[[Bars, PatternSettings], Shape | None]


@dataclass(frozen=True)
class ChartDetector:
    detect: Detector
    mirrored: bool  # runs on the mirrored series
    direction: SignalLabel  # the direction of its hits


_BUY, _SELL = SignalLabel.BUY, SignalLabel.SELL
DETECTORS: dict[str, ChartDetector] = {
    "double_top": ChartDetector(double_top, False, _SELL),
    "double_bottom": ChartDetector(double_top, True, _BUY),
    "head_and_shoulders": ChartDetector(head_and_shoulders, False, _SELL),
    "inverse_head_and_shoulders": ChartDetector(head_and_shoulders, True, _BUY),
    "ascending_triangle": ChartDetector(ascending_triangle, False, _BUY),
    "descending_triangle": ChartDetector(ascending_triangle, True, _SELL),
    "symmetric_triangle_up": ChartDetector(symmetric_triangle, False, _BUY),
    "symmetric_triangle_down": ChartDetector(symmetric_triangle, True, _SELL),
    "bull_flag": ChartDetector(bull_flag, False, _BUY),
    "bear_flag": ChartDetector(bull_flag, True, _SELL),
    "resistance_breakout": ChartDetector(resistance_breakout, False, _BUY),
    "support_breakdown": ChartDetector(resistance_breakout, True, _SELL),
}


def chart_hits_by_row(
    symbols: Sequence[str],
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    params: PatternSettings | None = None,
) -> list[list[PatternHit]]:
    """Chart patterns completing at the last column, one list per row of these (symbols, sessions) arrays.

    ATR, relative volume and the pivots of every row come from whole-block array
    operations; only the detectors run row by row on each symbol's own bars.
    """
    p = params or PatternSettings()
    found: list[list[PatternHit]] = [[] for _ in symbols]
    keep = p.chart_lookback + p.trend_lookback + 1
    for block in traded_windows(high, low, close, volume, keep):
        length = block.close.shape[1]
        if length < p.chart_lookback // 2:
            continue
        atr = average_true_range(block.high, block.low, block.close, p.atr_period)
        offset = max(0, length - p.chart_lookback)
        minimum = p.chart_prominence_atr * atr
        peaks = find_pivots(block.high[:, offset:], p.chart_pivot_distance, minimum)
        troughs = find_pivots(-block.low[:, offset:], p.chart_pivot_distance, minimum)
        rel_volume = relative_volume(block.volume, length - 1, p.volume_lookback)
        for k, row in enumerate(block.rows.tolist()):
            row_atr = float(atr[k])
            if not np.isfinite(row_atr) or row_atr <= 0:
                continue
            bars = Bars(
                block.high[k, offset:],
                block.low[k, offset:],
                block.close[k, offset:],
                row_atr,
                peaks[k],
                troughs[k],
            )
            volume_points = float(volume_score(rel_volume[k], p))
            found[row] = _bars_hits(str(symbols[row]), bars, block.close[k], offset, volume_points, p)
    return found


def chart_patterns(
    symbol: str,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    params: PatternSettings | None = None,
) -> list[PatternHit]:
    """Every chart pattern completing at the last bar of these 1-D arrays (one symbol, oldest first)."""
    return one_symbol(chart_hits_by_row, symbol, (high, low, close, volume), params)


def _bars_hits(
    symbol: str, window: Bars, close: np.ndarray, offset: int, volume_points: float, p: PatternSettings
) -> list[PatternHit]:
    """The hits of every detector on one symbol's pivoted window (`close` also holds the bars before it)."""
    hits = []
    mirrored = window.mirrored()
    for name, detector in DETECTORS.items():
        shape = detector.detect(mirrored if detector.mirrored else window, p)
        if shape is None:
            continue
        sign = -1 if detector.mirrored else 1
        direction = shape.direction * sign
        entry, stop, target = (sign * x for x in (shape.entry, shape.stop, shape.target))
        target = max(target, p.min_price_fraction * entry)
        if not levels_ok(direction, entry, stop, target):
            continue  # price already ran past the target (or the stop): no trade left in it
        z = prior_trend_z(close, offset + shape.start, p.trend_lookback)
        trend_points = trend_score(z, direction, shape.role, p)
        clarity = unit_clip(shape.clarity)
        details = {k: _unmirror(k, v, sign) for k, v in shape.details.items()}
        hits.append(
            PatternHit(
                symbol=symbol,
                pattern_type=PatternType.CHART,
                pattern_name=name,
                direction=detector.direction,
                confidence=confidence(clarity, volume_points, trend_points, p),
                entry_price=round(float(entry), 4),
                stop_loss=round(float(stop), 4),
                target_price=round(float(target), 4),
                metadata={
                    "role": shape.role,
                    "clarity": round(clarity, 4),
                    "volume_score": round(volume_points, 4),
                    "trend_score": round(trend_points, 4),
                    "bars": int(window.last - shape.start + 1),
                    **details,
                },
            )
        )
    return hits


PRICE_DETAILS = frozenset({"neckline", "break_line", "other_line", "level"})


def _unmirror(key: str, value, sign: int):
    """Price details back to real prices; ratios, counts and bar indices unchanged."""
    if key in PRICE_DETAILS:
        return round(sign * float(value), 4)
    return round(float(value), 4) if isinstance(value, float) else value
