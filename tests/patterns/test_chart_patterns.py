"""Each chart detector finds its synthetic shape, the mirrored one, and not its near-misses."""

from __future__ import annotations

import numpy as np
import pytest

from tradecycle.config import PatternSettings
from tradecycle.core.chart_patterns import DETECTORS, chart_patterns
from tradecycle.core.types import PatternType, SignalLabel


def path(points: list[tuple[int, float]], seed: int = 0) -> np.ndarray:
    """A close series through (bar, price) waypoints with a little noise."""
    bars, prices = zip(*points, strict=True)
    x = np.arange(bars[-1] + 1)
    close = np.interp(x, bars, prices)
    noise = np.random.default_rng(seed).normal(0, 0.0008, x.size)
    noise[list(bars)] = 0.0  # keep the waypoints exact
    return close * (1 + noise)


def detect(close: np.ndarray, make_panel, *, spike: float = 1.0) -> dict:
    volume = np.full(close.size, 1_000_000.0)
    volume[-1] *= spike
    panel = make_panel(close, volume=volume, spread=0.003)
    hits = chart_patterns("SYM", panel.high[0], panel.low[0], panel.close[0], panel.volume[0])
    return {h.pattern_name: h for h in hits}


def mirror(close: np.ndarray) -> np.ndarray:
    return 220.0 - close


SHAPES = {
    "double_top": [(0, 80), (15, 100), (30, 110), (40, 100), (50, 110.5), (58, 98)],
    "head_and_shoulders": [
        (0, 80),
        (15, 100),
        (25, 110),
        (32, 102),
        (40, 118),
        (48, 102),
        (55, 110),
        (62, 99),
    ],
    "ascending_triangle": [
        (0, 85),
        (10, 110),
        (16, 98),
        (24, 110),
        (30, 102),
        (38, 110),
        (44, 105),
        (49, 109.6),
        (50, 112),
    ],
    "symmetric_triangle_up": [
        (0, 90),
        (10, 115),
        (17, 95),
        (24, 111),
        (31, 99),
        (38, 107),
        (45, 102),
        (49, 103),
        (50, 108),
    ],
    "bull_flag": [(0, 100), (20, 100), (28, 115), (36, 110), (37, 116)],
    "resistance_breakout": [
        (0, 100),
        (10, 105),
        (17, 95),
        (25, 105),
        (32, 95),
        (40, 105),
        (47, 95),
        (54, 104.5),
        (55, 107),
    ],
}
MIRRORS = {
    "double_top": "double_bottom",
    "head_and_shoulders": "inverse_head_and_shoulders",
    "ascending_triangle": "descending_triangle",
    "symmetric_triangle_up": "symmetric_triangle_down",
    "bull_flag": "bear_flag",
    "resistance_breakout": "support_breakdown",
}
BEARISH = {"double_top", "head_and_shoulders"}


def test_every_detector_is_covered():
    assert set(SHAPES) | set(MIRRORS.values()) == set(DETECTORS)


def _check_levels(hit):
    assert hit.pattern_type is PatternType.CHART
    assert 0.0 <= hit.confidence <= 1.0
    if hit.direction is SignalLabel.BUY:
        assert 0 < hit.stop_loss < hit.entry_price < hit.target_price
    else:
        assert 0 < hit.target_price < hit.entry_price < hit.stop_loss


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_detector_finds_its_shape(name, make_panel):
    close = path(SHAPES[name])
    hits = detect(close, make_panel)
    assert name in hits, sorted(hits)
    hit = hits[name]
    expected = SignalLabel.SELL if name in BEARISH else SignalLabel.BUY
    assert hit.direction is expected
    assert hit.entry_price == pytest.approx(close[-1], rel=1e-6)
    _check_levels(hit)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_detector_finds_the_mirrored_shape(name, make_panel):
    hits = detect(mirror(path(SHAPES[name])), make_panel)
    twin = MIRRORS[name]
    assert twin in hits, sorted(hits)
    expected = SignalLabel.BUY if name in BEARISH else SignalLabel.SELL
    assert hits[twin].direction is expected
    _check_levels(hits[twin])
    assert name not in hits


def test_measured_moves(make_panel):
    top = detect(path(SHAPES["double_top"]), make_panel)["double_top"]
    neck = top.metadata["neckline"]
    assert top.stop_loss == pytest.approx(110.5 * 1.003, rel=2e-3)
    assert top.target_price == pytest.approx(neck - (top.stop_loss - neck), rel=1e-5)
    flag = detect(path(SHAPES["bull_flag"]), make_panel)["bull_flag"]
    assert flag.target_price - flag.entry_price == pytest.approx(15, abs=0.8)


def test_volume_on_the_break_raises_confidence(make_panel):
    close = path(SHAPES["bull_flag"])
    quiet = detect(close, make_panel)["bull_flag"]
    loud = detect(close, make_panel, spike=3.0)["bull_flag"]
    assert loud.confidence > quiet.confidence


NEAR_MISSES = {
    # second top 5% above the first: not a double top
    "double_top": [(0, 80), (15, 100), (30, 110), (40, 100), (50, 115.5), (58, 98)],
    # head barely above the shoulders
    "head_and_shoulders": [
        (0, 80),
        (15, 100),
        (25, 110),
        (32, 102),
        (40, 111),
        (48, 102),
        (55, 110),
        (62, 99),
    ],
    # lows falling under a flat top: broadening, not ascending
    "ascending_triangle": [
        (0, 85),
        (10, 110),
        (16, 105),
        (24, 110),
        (30, 101),
        (38, 110),
        (44, 97),
        (49, 109.6),
        (50, 112),
    ],
    # highs and lows diverging
    "symmetric_triangle_up": [
        (0, 90),
        (10, 107),
        (17, 102),
        (24, 111),
        (31, 99),
        (38, 115),
        (45, 95),
        (49, 103),
        (50, 118),
    ],
    # flag gives back 75% of the pole
    "bull_flag": [(0, 100), (20, 100), (28, 115), (36, 103.8), (37, 116)],
    # last close stays under the level
    "resistance_breakout": [
        (0, 100),
        (10, 105),
        (17, 95),
        (25, 105),
        (32, 95),
        (40, 105),
        (47, 95),
        (54, 103),
        (55, 104.5),
    ],
}
NO_BREAK = {
    "double_top": [(0, 80), (15, 100), (30, 110), (40, 100), (50, 110.5), (58, 101.5)],
    "head_and_shoulders": [
        (0, 80),
        (15, 100),
        (25, 110),
        (32, 102),
        (40, 118),
        (48, 102),
        (55, 110),
        (62, 104),
    ],
    "ascending_triangle": [
        (0, 85),
        (10, 110),
        (16, 98),
        (24, 110),
        (30, 102),
        (38, 110),
        (44, 105),
        (49, 107),
        (50, 108),
    ],
    "bull_flag": [(0, 100), (20, 100), (28, 115), (36, 110), (37, 111)],
}
STALE_BREAK = {
    # the neckline broke 8 sessions ago: old news, not a new signal
    "double_top": [(0, 80), (15, 100), (30, 110), (40, 100), (50, 110.5), (56, 97), (64, 92)],
}


@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
def test_detector_ignores_near_misses(name, make_panel):
    assert name not in detect(path(NEAR_MISSES[name]), make_panel)
    assert MIRRORS[name] not in detect(mirror(path(NEAR_MISSES[name])), make_panel)


@pytest.mark.parametrize("cases", [NO_BREAK, STALE_BREAK], ids=["no_break", "stale_break"])
def test_detector_needs_a_fresh_break(cases, make_panel):
    for name, points in cases.items():
        assert name not in detect(path(points), make_panel), name


def test_missing_last_bar_or_short_history_gives_nothing(make_panel):
    close = path(SHAPES["double_top"])
    panel = make_panel(close, spread=0.003)
    high, low, close_, vol = panel.high[0].copy(), panel.low[0], panel.close[0].copy(), panel.volume[0]
    close_[-1] = np.nan
    assert chart_patterns("SYM", high, low, close_, vol) == []
    assert chart_patterns("SYM", high[-10:], low[-10:], panel.close[0][-10:], vol[-10:]) == []


def test_gaps_are_skipped_not_fatal(make_panel):
    close = path(SHAPES["double_top"])
    panel = make_panel(close, spread=0.003)
    high, low, close_ = panel.high[0].copy(), panel.low[0].copy(), panel.close[0].copy()
    for arr in (high, low, close_):
        arr[5:7] = np.nan
    hits = chart_patterns("SYM", high, low, close_, panel.volume[0])
    assert "double_top" in {h.pattern_name for h in hits}


def test_levels_are_sane_on_random_walks(make_random_panel):
    panel = make_random_panel(n_symbols=8, n_sessions=400, seed=7)
    p = PatternSettings()
    seen = 0
    for row in range(panel.n_symbols):
        for t in range(80, panel.n_sessions, 3):
            for hit in chart_patterns(
                str(panel.symbols[row]),
                panel.high[row, : t + 1],
                panel.low[row, : t + 1],
                panel.close[row, : t + 1],
                panel.volume[row, : t + 1],
                p,
            ):
                _check_levels(hit)
                seen += 1
    assert seen > 0
