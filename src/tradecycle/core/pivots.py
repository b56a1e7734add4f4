"""Pivot highs of many series at once: scipy.signal.find_peaks(row, distance=, prominence=) per row.

The chart detectors need the pivots of every candidate's highs and lows each
cycle. scipy's find_peaks works on one 1-D series (a Python call per row) and
importing scipy.signal costs over a second in every process; this module finds
the same peaks for a whole (rows, sessions) block with array operations and
gives the same indices as scipy, which the tests check on random and
plateau-heavy series:

1. local maxima: a run of equal values higher than the samples on both sides,
   reported at its middle ((first + last) // 2); runs touching either end are not peaks;
2. distance: where two maxima are closer than `distance`, scipy's greedy rule
   keeps the higher one (by `np.argsort` of the heights, as scipy orders them);
3. prominence: height over the higher of the lowest points between the peak and
   the nearest higher sample on each side (or the series' end); peaks below
   the row's `prominence` are dropped.
Values must be finite (the detectors pass traded bars only).
"""

from __future__ import annotations

import math

import numpy as np


def local_maxima(x: np.ndarray) -> np.ndarray:
    """Boolean (rows, n): True at each plateau-aware local maximum (scipy's _local_maxima_1d)."""
    rows, n = x.shape
    peak = np.zeros((rows, n), dtype=bool)
    if n < 3:
        return peak
    position = np.broadcast_to(np.arange(n), (rows, n))
    starts_run = np.ones((rows, n), dtype=bool)
    starts_run[:, 1:] = x[:, 1:] != x[:, :-1]
    ends_run = np.ones((rows, n), dtype=bool)
    ends_run[:, :-1] = starts_run[:, 1:]
    first = np.maximum.accumulate(np.where(starts_run, position, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends_run, position, n - 1)[:, ::-1], axis=1)[:, ::-1]
    before = np.take_along_axis(x, np.maximum(first - 1, 0), axis=1)
    after = np.take_along_axis(x, np.minimum(last + 1, n - 1), axis=1)
    rising_in = (first >= 1) & (before < x)
    falling_out = (last <= n - 2) & (after < x)
    return rising_in & falling_out & (position == (first + last) // 2)


def _keep_apart(peaks: np.ndarray, heights: np.ndarray, distance: int) -> np.ndarray:
    """scipy's _select_by_peak_distance for one row: the higher peak wins inside `distance`."""
    keep = np.ones(peaks.size, dtype=bool)
    order = np.argsort(heights)  # the ordering scipy uses, ties included
    at = peaks.tolist()
    for j in order[::-1].tolist():
        if not keep[j]:
            continue
        k = j - 1
        while k >= 0 and at[j] - at[k] < distance:
            keep[k] = False
            k -= 1
        k = j + 1
        while k < peaks.size and at[k] - at[j] < distance:
            keep[k] = False
            k += 1
    return keep


def prominences(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Prominence of the peaks at (rows[i], cols[i]) of `x` (scipy's _peak_prominences, wlen None)."""
    if rows.size == 0:
        return np.zeros(0)
    series = x[rows]
    height = series[np.arange(rows.size), cols][:, None]
    position = np.arange(x.shape[1])[None, :]
    peak = cols[:, None]
    higher = series > height
    left_wall = np.where(higher & (position < peak), position, -1).max(axis=1)[:, None]
    right_wall = np.where(higher & (position > peak), position, x.shape[1]).min(axis=1)[:, None]
    left_min = np.where((position > left_wall) & (position <= peak), series, np.inf).min(axis=1)
    right_min = np.where((position >= peak) & (position < right_wall), series, np.inf).min(axis=1)
    return height[:, 0] - np.maximum(left_min, right_min)


def find_pivots(x: np.ndarray, distance: float, prominence: np.ndarray | float) -> list[np.ndarray]:
    """Per row of `x` (rows, n), the indices scipy.signal.find_peaks(row, distance, prominence) gives.

    `prominence` is one minimum for all rows or one per row.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"find_pivots needs a 2-D (rows, sessions) array, got shape {x.shape}")
    if distance < 1:
        raise ValueError(f"distance must be >= 1, got {distance}")
    spacing = math.ceil(distance)
    rows, cols = np.nonzero(local_maxima(x))
    if spacing > 1 and rows.size > 1:
        crowded = (np.diff(cols) < spacing) & (rows[1:] == rows[:-1])
        if crowded.any():
            keep = np.ones(rows.size, dtype=bool)
            bounds = np.searchsorted(rows, np.arange(x.shape[0] + 1))
            for row in np.unique(rows[1:][crowded]).tolist():
                lo, hi = bounds[row], bounds[row + 1]
                keep[lo:hi] = _keep_apart(cols[lo:hi], x[row, cols[lo:hi]], spacing)
            rows, cols = rows[keep], cols[keep]
    minimum = np.broadcast_to(np.asarray(prominence, dtype=np.float64), (x.shape[0],))
    strong = minimum[rows] <= prominences(x, rows, cols)
    rows, cols = rows[strong], cols[strong]
    bounds = np.searchsorted(rows, np.arange(x.shape[0] + 1))
    return [cols[bounds[r] : bounds[r + 1]] for r in range(x.shape[0])]
