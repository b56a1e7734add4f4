"""The equal-weight buy-and-hold benchmark every replay is judged against."""

from __future__ import annotations

import numpy as np


def equal_weight_curve(close: np.ndarray, start: int, initial_value: float) -> np.ndarray:
    """Value per session of `initial_value` split equally over the symbols that traded at `start`.

    `close` is symbols x sessions with NaN where a symbol did not trade; a missing close
    later carries the last known one forward (the holding is still worth its last price).
    Sessions before `start` are NaN. Symbols without a close at `start` are left out.
    """
    n_symbols, n_sessions = close.shape
    curve = np.full(n_sessions, np.nan)
    if n_sessions == 0 or start >= n_sessions:
        return curve
    window = close[:, start:]
    held = np.isfinite(window[:, 0]) & (window[:, 0] > 0)
    if not held.any():
        return curve
    prices = _forward_fill(window[held])
    relative = prices / prices[:, :1]
    curve[start:] = initial_value * relative.mean(axis=0)
    return curve


def _forward_fill(values: np.ndarray) -> np.ndarray:
    """Carry each row's last finite value forward along the session axis."""
    valid = np.isfinite(values)
    index = np.where(valid, np.arange(values.shape[1]), 0)
    np.maximum.accumulate(index, axis=1, out=index)
    return np.take_along_axis(values, index, axis=1)
