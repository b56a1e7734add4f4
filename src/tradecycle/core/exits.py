"""Exit rules for open long positions, vectorised over positions.

Per position and per cycle: the highest high since entry is carried forward; once
the position is `trail_after_r` times its initial risk in profit, the stop trails
`trailing_stop_atr` ATRs under that high and never moves down. Then, in priority
order, a position exits on its stop (initial or trailed) or target when the close
breaches them (only when brackets are not resting at the broker), on an opposite
signal, or on the time stop (held long enough while still flat).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from tradecycle.core.types import ExitReason

REASONS = (
    ExitReason.STOP_LOSS,
    ExitReason.TRAILING_STOP,
    ExitReason.TAKE_PROFIT,
    ExitReason.OPPOSITE_SIGNAL,
    ExitReason.TIME_STOP,
)
NO_EXIT = -1


@dataclass(frozen=True, slots=True)
class ExitLimits:
    trailing_stop_atr: float = 1.0
    trail_after_r: float = 2.0
    time_stop_sessions: int = 5
    time_stop_flat_pct: float = 1.0
    exit_on_opposite_signal: bool = True

    @classmethod
    def from_settings(cls, exits) -> ExitLimits:
        return cls(**{name: getattr(exits, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class ExitPlan:
    stop: np.ndarray  # the stop after trailing (never below the old one)
    highest: np.ndarray
    reason: np.ndarray  # index into REASONS, NO_EXIT when the position stays

    def reasons(self) -> list[ExitReason | None]:
        return [None if r == NO_EXIT else REASONS[r] for r in self.reason.tolist()]


def average_true_range(high: np.ndarray, low: np.ndarray, close: np.ndarray, window: int = 14) -> np.ndarray:
    """Mean true range over the last `window` sessions of each row (NaN-aware; NaN without data)."""
    high, low, close = (np.asarray(a, dtype=np.float64)[:, -(window + 1) :] for a in (high, low, close))
    prev_close = close[:, :-1]
    tr = np.fmax(
        high[:, 1:] - low[:, 1:], np.fmax(np.abs(high[:, 1:] - prev_close), np.abs(low[:, 1:] - prev_close))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows are NaN, as intended
        return np.nanmean(tr, axis=1) if tr.shape[1] else np.full(tr.shape[0], np.nan)


def plan_exits(
    entry: np.ndarray,
    initial_stop: np.ndarray,
    stop: np.ndarray,
    target: np.ndarray,
    highest: np.ndarray,
    bar_high: np.ndarray,
    close: np.ndarray,
    atr: np.ndarray,
    sessions_held: np.ndarray,
    opposite_signal: np.ndarray,
    limits: ExitLimits,
    check_stops_on_close: bool,
) -> ExitPlan:
    """Trail stops and pick each position's exit reason (see the module doc for the order)."""
    entry, initial_stop, stop, target, close = (
        np.asarray(a, dtype=np.float64) for a in (entry, initial_stop, stop, target, close)
    )
    highest = np.fmax(np.asarray(highest, dtype=np.float64), np.asarray(bar_high, dtype=np.float64))
    risk = entry - initial_stop
    trailing = (risk > 0) & (highest - entry >= limits.trail_after_r * risk) & np.isfinite(atr)
    candidate = highest - limits.trailing_stop_atr * np.asarray(atr, dtype=np.float64)
    new_stop = np.where(trailing, np.fmax(stop, candidate), stop)
    has_close = np.isfinite(close)
    with np.errstate(invalid="ignore"):
        stopped = check_stops_on_close & has_close & (close <= new_stop)
        trailed = new_stop > initial_stop
        target_hit = check_stops_on_close & has_close & (close >= target)
        flat = np.abs(close / entry - 1.0) * 100.0 <= limits.time_stop_flat_pct
    opposite = np.asarray(opposite_signal, dtype=bool) & limits.exit_on_opposite_signal
    timed = (np.asarray(sessions_held) >= limits.time_stop_sessions) & has_close & flat
    reason = np.select(
        [stopped & ~trailed, stopped & trailed, target_hit, opposite, timed],
        [0, 1, 2, 3, 4],
        default=NO_EXIT,
    )
    return ExitPlan(stop=new_stop, highest=highest, reason=reason)
