"""The seed's composite signal score, and the entry/stop/target every signal carries.

    score = pattern x 0.35 + indicators x 0.30 + trend x 0.20 + volume x 0.15
            (+ ml x ml_weight + sentiment x sentiment_weight; weights from settings, sum 1)

Every component is on 0..100 with 50 meaning "no opinion":
  pattern    50 + 50 x (best bullish pattern confidence - best bearish pattern confidence)
  indicators 50 + 50 x (BUY readings - SELL readings) / number of "indicator" rules
  trend      the same over the moving-average rules, volume over OBV and relative volume
  ml         100 x predicted probability of an up move (50 without a prediction)
  sentiment  50 + 50 x relevance-weighted sentiment in -1..1 (50 without news)
Labels follow the seed: > strong_buy STRONG_BUY, >= buy BUY, <= sell SELL,
< strong_sell STRONG_SELL, otherwise HOLD.

Levels (seed's risk-reward rules): entry is the last close; the stop is 2 x ATR away,
but never more than max_stop_pct (nor less than 0.1%) of the entry; the target is the better of the pattern's
projection and min_reward_risk x the risk, so every signal has at least that reward/risk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

COMPONENTS = ("pattern", "indicator", "trend", "volume", "ml", "sentiment")
NEUTRAL_SCORE = 50.0
MIN_RISK_FRACTION = 0.001  # a stop closer than 0.1% of the entry is noise (and would size a huge position)


@dataclass(frozen=True)
class Thresholds:
    strong_buy: float = 75.0
    buy: float = 60.0
    sell: float = 40.0
    strong_sell: float = 25.0


@dataclass(frozen=True)
class LevelParams:
    atr_stop_multiple: float = 2.0
    max_stop_pct: float = 2.0
    min_reward_risk: float = 3.0


def group_scores(signals: np.ndarray, groups: np.ndarray, group: str) -> np.ndarray:
    """50 + 50 x (BUY - SELL) / rules for the rules of one group; signals is (n, rules) in {-1, 0, 1}."""
    cols = groups == group
    count = int(cols.sum())
    if count == 0:
        return np.full(signals.shape[0], NEUTRAL_SCORE)
    net = signals[:, cols].astype(np.float64).sum(axis=1)
    return NEUTRAL_SCORE + NEUTRAL_SCORE * net / count


def pattern_scores(best_bullish: np.ndarray, best_bearish: np.ndarray) -> np.ndarray:
    bull = np.nan_to_num(best_bullish, nan=0.0)
    bear = np.nan_to_num(best_bearish, nan=0.0)
    return NEUTRAL_SCORE + NEUTRAL_SCORE * np.clip(bull - bear, -1.0, 1.0)


def ml_scores(probability_up: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(probability_up), 100.0 * np.clip(probability_up, 0.0, 1.0), NEUTRAL_SCORE)


def sentiment_scores(sentiment: np.ndarray) -> np.ndarray:
    return np.where(
        np.isfinite(sentiment), NEUTRAL_SCORE + NEUTRAL_SCORE * np.clip(sentiment, -1, 1), NEUTRAL_SCORE
    )


def composite(components: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of the component scores (each 0..100); a missing component counts as neutral."""
    total = None
    for name in COMPONENTS:
        w = weights.get(name, 0.0)
        if w == 0:
            continue
        part = w * components[name] if name in components else w * NEUTRAL_SCORE
        total = part if total is None else total + part
    if total is None:
        raise ValueError("all signal weights are zero")
    return np.clip(total, 0.0, 100.0)


def labels(scores: np.ndarray, t: Thresholds) -> np.ndarray:
    out = np.full(scores.shape, "HOLD", dtype=object)
    out[scores >= t.buy] = "BUY"
    out[scores > t.strong_buy] = "STRONG_BUY"
    out[scores <= t.sell] = "SELL"
    out[scores < t.strong_sell] = "STRONG_SELL"
    return out


def confidence(scores: np.ndarray) -> np.ndarray:
    """How far the score leans from neutral, in the direction it leans, as 0.5..1."""
    return np.where(scores >= NEUTRAL_SCORE, scores, 100.0 - scores) / 100.0


def levels(
    entry: np.ndarray,
    atr: np.ndarray,
    direction: np.ndarray,
    params: LevelParams,
    pattern_target: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(stop, target) for entries at `entry`; direction +1 long, -1 short."""
    cap = entry * params.max_stop_pct / 100.0
    floor = np.minimum(entry * MIN_RISK_FRACTION, cap)
    by_atr = params.atr_stop_multiple * atr
    risk = np.where(np.isfinite(by_atr), np.clip(by_atr, floor, cap), cap)
    stop = entry - direction * risk
    target = entry + direction * params.min_reward_risk * risk
    if pattern_target is not None:
        further = np.isfinite(pattern_target) & (direction * (pattern_target - target) > 0)
        target = np.where(further, pattern_target, target)
    return stop, target


def expected_return(
    entry: np.ndarray, stop: np.ndarray, target: np.ndarray, direction: np.ndarray, conf: np.ndarray
) -> np.ndarray:
    """Probability-weighted return of the trade as a fraction: conf x reward - (1 - conf) x risk."""
    reward = direction * (target - entry) / entry
    risk = direction * (entry - stop) / entry
    return conf * reward - (1.0 - conf) * risk
