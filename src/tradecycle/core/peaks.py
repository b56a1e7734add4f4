"""Pivot highs of a price series: scipy.signal.find_peaks(x, distance=..., prominence=...), in numpy.

The chart detectors need only these two conditions on short windows (~100 bars), so
this module reproduces scipy's definitions exactly instead of importing scipy.signal,
which pulls in scipy.stats (~60 MB of RSS and ~0.8 s of start-up in every replay):

- a peak is a sample (or the middle of a flat run, rounded down) whose neighbours on
  both sides are strictly lower; the first and last samples never are;
- `distance`: peaks are visited from the highest down (in np.argsort order, as scipy)
  and each kept peak removes the others closer than ceil(distance) samples;
- `prominence`: a peak's height above the higher of the lowest points between it and
  the nearest strictly higher sample on either side (or the series' end).

tests/patterns/test_peaks.py checks it against scipy on random and flat-run series.
"""

from __future__ import annotations

import math

import numpy as np


def find_peaks(x: np.ndarray, distance: float | None = None, prominence: float | None = None) -> np.ndarray:
    """Indices of the peaks of 1-D `x` (finite values) meeting `distance` and `prominence`."""
    return find_peaks_many([x], distance, prominence)[0]


def find_peaks_many(
    series: list[np.ndarray], distance: float | None = None, prominence: float | None = None
) -> list[np.ndarray]:
    """find_peaks of several equally long series at once (prominences in one batch: fewer numpy calls)."""
    if distance is not None and distance < 1:
        raise ValueError("`distance` must be greater or equal to 1")
    xs = [np.asarray(x, dtype=np.float64) for x in series]
    found = []
    for x in xs:
        peaks = local_maxima(x)
        if distance is not None:
            peaks = peaks[_keep_by_distance(peaks, x[peaks], math.ceil(distance))]
        found.append(peaks)
    if prominence is None or not any(p.size for p in found):
        return found
    values = np.stack(xs)[np.repeat(np.arange(len(xs)), [p.size for p in found])]
    keep = prominences(values, np.concatenate(found)) >= prominence
    bounds = np.cumsum([0] + [p.size for p in found])
    return [p[keep[a:b]] for p, a, b in zip(found, bounds[:-1], bounds[1:], strict=True)]


def local_maxima(x: np.ndarray) -> np.ndarray:
    """Peaks of `x`: runs of equal values with a strictly lower run on each side (run middles)."""
    n = x.size
    if n < 3:
        return np.empty(0, dtype=np.intp)
    step = np.diff(x)
    if step.all():  # no flat runs (the usual case for prices): a peak rises, then falls
        return np.flatnonzero((step[:-1] > 0) & (step[1:] < 0)) + 1
    starts = np.flatnonzero(np.concatenate([[True], x[1:] != x[:-1]]))
    ends = np.concatenate([starts[1:] - 1, [n - 1]])
    values = x[starts]
    inner = np.flatnonzero((values[1:-1] > values[:-2]) & (values[1:-1] > values[2:])) + 1
    return ((starts[inner] + ends[inner]) // 2).astype(np.intp)


def _keep_by_distance(peaks: np.ndarray, priority: np.ndarray, distance: int) -> np.ndarray:
    """Mask of the peaks kept when every kept peak removes its neighbours closer than `distance`."""
    keep = np.ones(peaks.size, dtype=bool)
    if peaks.size < 2 or np.diff(peaks).min() >= distance:
        return keep  # no two peaks are too close: nothing to remove
    position = peaks.tolist()
    for j in np.argsort(priority)[::-1].tolist():
        if not keep[j]:
            continue
        k = j - 1
        while k >= 0 and position[j] - position[k] < distance:
            keep[k] = False
            k -= 1
        k = j + 1
        while k < len(position) and position[k] - position[j] < distance:
            keep[k] = False
            k += 1
    return keep


def prominences(values: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Prominence of each peak over its whole series (scipy's wlen=None): peak k is at
    index peaks[k] of the 1-D series values[k] (rows may repeat one series)."""
    if peaks.size == 0:
        return np.empty(0)
    n = values.shape[1]
    idx = np.arange(n)
    at = peaks[:, None]
    height = values[np.arange(peaks.size), peaks]
    higher = values > height[:, None]
    before = idx < at
    left = np.where(higher & before, idx, -1).max(axis=1)
    right = np.where(higher & ~before, idx, n).min(axis=1)
    left_min = np.where((idx > left[:, None]) & (idx <= at), values, np.inf).min(axis=1)
    right_min = np.where(~before & (idx < right[:, None]), values, np.inf).min(axis=1)
    return height - np.maximum(left_min, right_min)
