"""core.pivots gives scipy.signal.find_peaks' indices, row by row, for whole blocks at once;
the block detectors give each row what the one-symbol call gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.signal import find_peaks

from tradecycle.config import PatternSettings
from tradecycle.core.chart_patterns import chart_hits_by_row, chart_patterns
from tradecycle.core.pivots import find_pivots, local_maxima, prominences
from tradecycle.core.volume_patterns import volume_hits_by_row, volume_patterns


def _scipy_rows(x: np.ndarray, distance: int, minimum: np.ndarray) -> list[np.ndarray]:
    return [find_peaks(row, distance=distance, prominence=m)[0] for row, m in zip(x, minimum, strict=True)]


# Few distinct levels make plateaus, ties in height and crowded maxima: scipy's corner cases.
LEVELS = st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0, 7.25])


@settings(max_examples=300, deadline=None)
@given(
    block=st.integers(1, 5).flatmap(
        lambda rows: arrays(np.float64, st.tuples(st.just(rows), st.integers(0, 70)), elements=LEVELS)
    ),
    distance=st.integers(1, 6),
    data=st.data(),
)
def test_same_peaks_as_scipy_on_plateaus_and_ties(block, distance, data):
    minimum = np.array(data.draw(st.lists(st.floats(0, 4), min_size=len(block), max_size=len(block))))
    got = find_pivots(block, distance, minimum)
    for mine, theirs in zip(got, _scipy_rows(block, distance, minimum), strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("seed", range(20))
def test_same_peaks_as_scipy_on_random_walks(seed):
    rng = np.random.default_rng(seed)
    walks = 100 + rng.normal(0, 1.0, (12, 90)).cumsum(axis=1)
    minimum = rng.uniform(0, 3, 12)
    for distance in (1, 3, 5):
        got = find_pivots(walks, distance, minimum)
        for mine, theirs in zip(got, _scipy_rows(walks, distance, minimum), strict=True):
            np.testing.assert_array_equal(mine, theirs)


def test_plateau_peak_is_its_middle_and_edges_are_not_peaks():
    x = np.array([[1.0, 3.0, 3.0, 3.0, 3.0, 1.0, 2.0, 2.0], [5.0, 5.0, 1.0, 4.0, 1.0, 0.0, 0.0, 9.0]])
    assert local_maxima(x).nonzero()[1].tolist() == [2, 3]  # (1+4)//2 = 2 in row 0; row 1: index 3
    assert prominences(x, np.array([0, 1]), np.array([2, 3])).tolist() == [2.0, 3.0]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="2-D"):
        find_pivots(np.zeros(5), 1, 0.0)
    with pytest.raises(ValueError, match="distance"):
        find_pivots(np.zeros((1, 5)), 0, 0.0)


def test_block_detectors_equal_one_symbol_calls(make_random_panel):
    """Every row of a block, gaps and short histories included, gets what its own call gets."""
    panel = make_random_panel(n_symbols=10, n_sessions=260, seed=11)
    high, low, close, volume = (getattr(panel, f).copy() for f in ("high", "low", "close", "volume"))
    for arr in (high, low, close):
        arr[2, 200:203] = np.nan  # a gap inside the window
        arr[4, -1] = np.nan  # no bar today
        arr[6, :240] = np.nan  # a new listing: a short history
    volume[:, ::7] *= 5.0  # volume spikes, so volume patterns fire too
    volume[7, -5] = np.nan
    p = PatternSettings(min_confidence=0.0, chart_prominence_atr=0.5)
    symbols = [str(s) for s in panel.symbols]
    chart_found = volume_found = 0
    for end in range(150, 261, 5):
        cols = slice(0, end)
        blocks = (high[:, cols], low[:, cols], close[:, cols], volume[:, cols])
        charts = chart_hits_by_row(symbols, *blocks, p)
        volumes = volume_hits_by_row(symbols, *blocks, p)
        for row, symbol in enumerate(symbols):
            one = tuple(a[row] for a in blocks)
            assert charts[row] == chart_patterns(symbol, *one, p)
            assert volumes[row] == volume_patterns(symbol, *one, p)
            chart_found += len(charts[row])
            volume_found += len(volumes[row])
    assert chart_found > 0 and volume_found > 0
