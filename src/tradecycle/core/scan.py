"""The security scan: which symbols are worth analysing this cycle, for the whole universe at once.

Every symbol must be liquid (volume above the minimum) and in the price range. On top of
that a scan type says why it is interesting:

  momentum  the seed's criteria: change over the lookback > min_change_pct and relative
            volume > min_relative_volume
  breakout  close above the highest high of the prior breakout_lookback sessions, on
            relative volume > min_relative_volume
  oversold  RSI(14) below oversold_rsi
  value     close within value_near_low_pct of its 52-week low (a price-only proxy: the
            bundled data has no fundamentals)

Candidates are ranked by 0.5 x the strength of their scan type (percentile among the
liquid, in-range symbols) + 0.5 x the percentile of their relative volume, the seed's
"momentum + volume" ranking, and capped at max_candidates. Ties go by symbol, so a
scan is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tradecycle.core.types import ScanType

FEATURES = ("change_pct", "rel_volume", "rsi_14", "prior_high", "low_52w")  # what a scan reads
CRITERIA = ("volume", "price", "change", "relative_volume", "breakout", "oversold", "value")


@dataclass(frozen=True)
class ScanParams:
    min_volume: float
    min_price: float
    max_price: float
    min_change_pct: float
    min_relative_volume: float
    oversold_rsi: float
    value_near_low_pct: float
    scan_types: tuple[ScanType, ...]
    max_candidates: int


@dataclass(frozen=True)
class ScanOutcome:
    """Candidate rows in rank order, with their type and score; criteria and values for every row."""

    rows: np.ndarray
    scan_types: tuple[ScanType, ...]
    scores: np.ndarray
    criteria: dict[str, np.ndarray]
    values: dict[str, np.ndarray]


def _pct_rank(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Percentile (0..1] of each value among the rows in `among`; NaN ranks lowest, ties share a rank."""
    out = np.zeros(values.shape)
    idx = np.flatnonzero(among)
    if idx.size:
        v = np.where(np.isfinite(values[idx]), values[idx], -np.inf)
        out[idx] = np.searchsorted(np.sort(v), v, side="right") / idx.size  # rank "max": count of values <= v
    return out


def scan(
    close: np.ndarray,
    volume: np.ndarray,
    snapshot: Mapping[str, np.ndarray],
    symbols: Sequence[str],
    params: ScanParams,
) -> ScanOutcome:
    """Scan one session: `close`, `volume` and the feature snapshot are per-symbol arrays."""
    with np.errstate(invalid="ignore", divide="ignore"):
        change = snapshot["change_pct"]
        rel_volume = snapshot["rel_volume"]
        rsi = snapshot["rsi_14"]
        prior_high = snapshot["prior_high"]
        low_52w = snapshot["low_52w"]
        above_high = close / prior_high - 1.0
        above_low = close / low_52w - 1.0
        criteria = {
            "volume": volume > params.min_volume,
            "price": (close >= params.min_price) & (close <= params.max_price),
            "change": change > params.min_change_pct,
            "relative_volume": rel_volume > params.min_relative_volume,
            "breakout": close > prior_high,
            "oversold": rsi < params.oversold_rsi,
            "value": above_low <= params.value_near_low_pct / 100.0,
        }
    base = criteria["volume"] & criteria["price"]
    matches = {
        ScanType.MOMENTUM: base & criteria["change"] & criteria["relative_volume"],
        ScanType.BREAKOUT: base & criteria["breakout"] & criteria["relative_volume"],
        ScanType.OVERSOLD: base & criteria["oversold"],
        ScanType.VALUE: base & criteria["value"],
    }
    strengths = {
        ScanType.MOMENTUM: _pct_rank(change, base),
        ScanType.BREAKOUT: _pct_rank(above_high, base),
        ScanType.OVERSOLD: _pct_rank(-rsi, base),
        ScanType.VALUE: _pct_rank(-above_low, base),
    }
    volume_rank = _pct_rank(rel_volume, base)
    n = close.shape[0]
    best_type = np.full(n, -1)
    best_strength = np.full(n, -1.0)
    for k, scan_type in enumerate(params.scan_types):
        better = matches[scan_type] & (strengths[scan_type] > best_strength)
        best_type[better] = k
        best_strength[better] = strengths[scan_type][better]
    picked = np.flatnonzero(best_type >= 0)
    scores = np.zeros(n)
    scores[picked] = 0.5 * best_strength[picked] + 0.5 * volume_rank[picked]
    names = np.asarray(symbols)[picked]
    order = np.lexsort((names, -scores[picked]))
    rows = picked[order][: params.max_candidates]
    values = {
        "price": close,
        "volume": volume,
        "change_pct": change,
        "relative_volume": rel_volume,
        "rsi_14": rsi,
        "prior_high": prior_high,
        "low_52w": low_52w,
    }
    return ScanOutcome(
        rows=rows,
        scan_types=tuple(params.scan_types[best_type[r]] for r in rows),
        scores=scores,
        criteria=criteria,
        values=values,
    )
