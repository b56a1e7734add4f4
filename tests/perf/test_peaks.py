"""core.peaks reproduces scipy.signal.find_peaks(x, distance=..., prominence=...) exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import find_peaks as scipy_find_peaks

from tradecycle.core.peaks import find_peaks, find_peaks_many


def _series(seed: int, n: int, levels: int | None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    walk = 100 + np.cumsum(rng.normal(size=n))
    return np.round(walk) if levels else walk  # rounding makes flat runs (plateaus) common


@pytest.mark.parametrize("levels", [None, 1])
@pytest.mark.parametrize("distance", [1, 3, 5.5])
def test_matches_scipy_on_random_walks(levels, distance):
    for seed in range(300):
        x = _series(seed, 3 + seed % 150, levels)
        for prominence in (0.0, 0.5, 2.0):
            expected = scipy_find_peaks(x, distance=distance, prominence=prominence)[0]
            np.testing.assert_array_equal(find_peaks(x, distance=distance, prominence=prominence), expected)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=0, max_size=40),
    st.integers(1, 6),
    st.sampled_from([None, 0.0, 1.0, 2.5]),
)
def test_matches_scipy_on_small_integer_series(values, distance, prominence):
    x = np.asarray(values, dtype=np.float64)
    expected = scipy_find_peaks(x, distance=distance, prominence=prominence)[0]
    np.testing.assert_array_equal(find_peaks(x, distance=distance, prominence=prominence), expected)


def test_plateau_peak_is_its_middle_and_edges_never_peak():
    x = np.array([5.0, 1.0, 3.0, 3.0, 3.0, 3.0, 2.0, 4.0, 4.0])
    assert find_peaks(x).tolist() == [3]


def test_distance_below_one_is_an_error():
    with pytest.raises(ValueError, match="distance"):
        find_peaks(np.arange(5.0), distance=0.5)


def test_many_series_at_once_equal_one_by_one():
    for seed in range(100):
        high = _series(seed, 60, 1 if seed % 2 else None)
        low = high - 1 - _series(seed + 1000, 60, None) % 3
        many = find_peaks_many([high, -low], distance=3, prominence=1.5)
        for got, x in zip(many, (high, -low), strict=True):
            np.testing.assert_array_equal(got, scipy_find_peaks(x, distance=3, prominence=1.5)[0])
