"""All 61 TA-Lib candlestick patterns over the whole universe, and what a hit means.

`candlestick_arrays` runs every TA-Lib CDL function once per symbol row over the
full history; TA-Lib only looks backwards, so the value at session s depends on
bars <= s and the arrays can be precomputed once and cut with `[..., :n]`.
Sessions where a symbol did not trade (any of open/high/low/close NaN) are
dropped before the call and read 0, so a gap never poisons later values.

`candlestick_hits` turns the codes at one session into PatternHit values, with
the shared confidence rule of core.pattern_scoring: clarity is TA-Lib's strength
|code| / 2 (1 = pattern, 2 = confirmed); continuation patterns score trend
with the prior move, reversal patterns against it, indecision patterns (dojis,
spinning tops) on its size, and an indecision bar after a move of at least
`candle_indecision_min_z` points against it (otherwise it is NEUTRAL).
Levels: entry = the pattern bar's close; a BUY's stop is the lowest low of the
pattern's candles (a SELL's the highest high), at least `candle_min_risk_atr`
ATR away; target = entry +/- `target_rr` x risk, floored at
`min_price_fraction` x entry. NEUTRAL hits get long-side levels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import talib

from tradecycle.config import PatternSettings
from tradecycle.core.panel import BarPanel
from tradecycle.core.pattern_scoring import (
    CONTINUATION,
    INDECISION,
    REVERSAL,
    average_true_range,
    confidence,
    levels_ok,
    prior_trend_z,
    relative_volume,
    risk_levels,
    trend_score,
    volume_score,
)
from tradecycle.core.types import PatternHit, PatternType, SignalLabel

DIRECTIONS = {1: SignalLabel.BUY, -1: SignalLabel.SELL, 0: SignalLabel.NEUTRAL}

# Candles each TA-Lib pattern spans (its stop comes from those bars).
CANDLE_COUNTS: dict[str, int] = {
    "CDL2CROWS": 3,
    "CDL3BLACKCROWS": 3,
    "CDL3INSIDE": 3,
    "CDL3LINESTRIKE": 4,
    "CDL3OUTSIDE": 3,
    "CDL3STARSINSOUTH": 3,
    "CDL3WHITESOLDIERS": 3,
    "CDLABANDONEDBABY": 3,
    "CDLADVANCEBLOCK": 3,
    "CDLBELTHOLD": 1,
    "CDLBREAKAWAY": 5,
    "CDLCLOSINGMARUBOZU": 1,
    "CDLCONCEALBABYSWALL": 4,
    "CDLCOUNTERATTACK": 2,
    "CDLDARKCLOUDCOVER": 2,
    "CDLDOJI": 1,
    "CDLDOJISTAR": 2,
    "CDLDRAGONFLYDOJI": 1,
    "CDLENGULFING": 2,
    "CDLEVENINGDOJISTAR": 3,
    "CDLEVENINGSTAR": 3,
    "CDLGAPSIDESIDEWHITE": 3,
    "CDLGRAVESTONEDOJI": 1,
    "CDLHAMMER": 1,
    "CDLHANGINGMAN": 1,
    "CDLHARAMI": 2,
    "CDLHARAMICROSS": 2,
    "CDLHIGHWAVE": 1,
    "CDLHIKKAKE": 3,
    "CDLHIKKAKEMOD": 4,
    "CDLHOMINGPIGEON": 2,
    "CDLIDENTICAL3CROWS": 3,
    "CDLINNECK": 2,
    "CDLINVERTEDHAMMER": 1,
    "CDLKICKING": 2,
    "CDLKICKINGBYLENGTH": 2,
    "CDLLADDERBOTTOM": 5,
    "CDLLONGLEGGEDDOJI": 1,
    "CDLLONGLINE": 1,
    "CDLMARUBOZU": 1,
    "CDLMATCHINGLOW": 2,
    "CDLMATHOLD": 5,
    "CDLMORNINGDOJISTAR": 3,
    "CDLMORNINGSTAR": 3,
    "CDLONNECK": 2,
    "CDLPIERCING": 2,
    "CDLRICKSHAWMAN": 1,
    "CDLRISEFALL3METHODS": 5,
    "CDLSEPARATINGLINES": 2,
    "CDLSHOOTINGSTAR": 1,
    "CDLSHORTLINE": 1,
    "CDLSPINNINGTOP": 1,
    "CDLSTALLEDPATTERN": 3,
    "CDLSTICKSANDWICH": 3,
    "CDLTAKURI": 1,
    "CDLTASUKIGAP": 3,
    "CDLTHRUSTING": 2,
    "CDLTRISTAR": 3,
    "CDLUNIQUE3RIVER": 3,
    "CDLUPSIDEGAP2CROWS": 3,
    "CDLXSIDEGAP3METHODS": 3,
}
CDL_NAMES: tuple[str, ...] = tuple(sorted(CANDLE_COUNTS))
CDL_UNIT = 100  # TA-Lib reports 100 per strength step; the arrays store steps

# Patterns that confirm the running trend rather than reverse it.
CONTINUATION_PATTERNS = frozenset(
    {
        "CDL3LINESTRIKE",
        "CDLCLOSINGMARUBOZU",
        "CDLGAPSIDESIDEWHITE",
        "CDLINNECK",
        "CDLLONGLINE",
        "CDLMARUBOZU",
        "CDLMATHOLD",
        "CDLONNECK",
        "CDLRISEFALL3METHODS",
        "CDLSEPARATINGLINES",
        "CDLTASUKIGAP",
        "CDLTHRUSTING",
        "CDLXSIDEGAP3METHODS",
    }
)
# Patterns that only say "the market is undecided"; their sign is the candle colour.
INDECISION_PATTERNS = frozenset(
    {
        "CDLDOJI",
        "CDLHIGHWAVE",
        "CDLLONGLEGGEDDOJI",
        "CDLRICKSHAWMAN",
        "CDLSHORTLINE",
        "CDLSPINNINGTOP",
    }
)


def pattern_role(name: str) -> str:
    """'continuation', 'indecision' or 'reversal': how the trend context scores a hit."""
    if name in CONTINUATION_PATTERNS:
        return CONTINUATION
    if name in INDECISION_PATTERNS:
        return INDECISION
    return REVERSAL


def candlestick_arrays(panel: BarPanel) -> tuple[list[str], np.ndarray]:
    """Every CDL code for every symbol and session: (names, int8 array (61, n_symbols, n_sessions)).

    Codes are TA-Lib's output divided by CDL_UNIT (100): 0, +-1 (pattern) or +-2
    (confirmed); the sign is the direction. int8 keeps the 5-year universe block
    at 39 MB (TA-Lib's raw +-200 would need int16).
    """
    names = list(CDL_NAMES)
    out = np.zeros((len(names), panel.n_symbols, panel.n_sessions), dtype=np.int8)
    functions = [getattr(talib, name) for name in names]
    valid = (
        np.isfinite(panel.open) & np.isfinite(panel.high) & np.isfinite(panel.low) & np.isfinite(panel.close)
    )
    for row in range(panel.n_symbols):
        mask = valid[row]
        if not mask.any():
            continue
        full = bool(mask.all())
        cols = slice(None) if full else np.flatnonzero(mask)
        o, h, low, c = (
            np.ascontiguousarray(getattr(panel, f)[row, cols], dtype=np.float64)
            for f in ("open", "high", "low", "close")
        )
        for k, fn in enumerate(functions):
            out[k, row, cols] = fn(o, h, low, c) // CDL_UNIT
    return names, out


def candlestick_hits(
    symbols: Sequence[str],
    names: Sequence[str],
    codes: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    params: PatternSettings | None = None,
) -> list[PatternHit]:
    """PatternHits for the non-zero `codes` (len(names), len(symbols), as from candlestick_arrays)
    at the LAST column of the bars.

    The bar arrays are (len(symbols), window) and end at the session the codes
    belong to; `trend_lookback + 6` columns are enough for the trend score.
    Rows whose last bar is missing produce no hits.
    """
    p = params or PatternSettings()
    codes = np.asarray(codes)
    n_rows, width = close.shape
    if n_rows == 0 or width == 0 or not codes.any():
        return []
    last = width - 1
    volume_points = volume_score(relative_volume(volume, last, p.volume_lookback), p)
    atr = average_true_range(high, low, close, p.atr_period)

    spans = sorted(set(CANDLE_COUNTS.values()))
    highest = {span: np.fmax.reduce(high[:, -span:], axis=1).tolist() for span in spans}
    lowest = {span: np.fmin.reduce(low[:, -span:], axis=1).tolist() for span in spans}
    trend_z: dict[tuple[int, int], float] = {}  # (row, span): hits of one bar share the prior move

    hits: list[PatternHit] = []
    for k, row in zip(*np.nonzero(codes), strict=True):
        if not np.isfinite(close[row, last] + high[row, last] + low[row, last]):
            continue
        name = names[k]
        code = int(codes[k, row])
        span = CANDLE_COUNTS.get(name, 1)
        if (row, span) not in trend_z:
            trend_z[row, span] = prior_trend_z(close[row], last - span, p.trend_lookback)
        z = trend_z[row, span]
        role = pattern_role(name)
        sign = 1 if code > 0 else -1
        if role == INDECISION:
            sign = -int(np.sign(z)) if abs(z) >= p.candle_indecision_min_z else 0
        trend_points = trend_score(z, sign, role, p)
        clarity = min(abs(code) / 2.0, 1.0)
        extreme = highest[span][row] if sign < 0 else lowest[span][row]
        entry, stop, target = _levels(close[row, last], extreme, float(atr[row]), sign, p)
        if not levels_ok(sign, entry, stop, target):
            continue
        hits.append(
            PatternHit(
                symbol=str(symbols[row]),
                pattern_type=PatternType.CANDLESTICK,
                pattern_name=name,
                direction=DIRECTIONS[sign],
                confidence=confidence(clarity, float(volume_points[row]), trend_points, p),
                entry_price=entry,
                stop_loss=stop,
                target_price=target,
                metadata={
                    "code": code * CDL_UNIT,
                    "role": role,
                    "candles": span,
                    "clarity": round(clarity, 4),
                    "volume_score": round(float(volume_points[row]), 4),
                    "trend_score": round(trend_points, 4),
                    "trend_z": round(z, 4),
                },
            )
        )
    return hits


def _levels(
    entry: float, extreme: float, atr: float, sign: int, p: PatternSettings
) -> tuple[float, float, float]:
    """(entry, stop, target) for one hit, rounded; `extreme` is the pattern candles' low (high for a SELL)."""
    stop, target = risk_levels(entry, extreme, sign, atr, p)
    return round(entry, 4), round(stop, 4), round(target, 4)
