"""Volume climax, dry-up and breakout on volume, and their near-misses."""

from __future__ import annotations

import numpy as np
import pytest

from tradecycle.core.types import PatternType, SignalLabel
from tradecycle.core.volume_patterns import volume_patterns


def bars(close, volume, spread=0.004):
    close = np.asarray(close, dtype=float)
    open_ = np.concatenate([close[:1], close[:-1]])
    high = np.maximum(open_, close) * (1 + spread)
    low = np.minimum(open_, close) * (1 - spread)
    return high, low, close, np.asarray(volume, dtype=float)


def found(high, low, close, volume):
    return {h.pattern_name: h for h in volume_patterns("SYM", high, low, close, volume)}


def _decline_then_climax(spike: float, last_drop: float = 6.0):
    close = np.r_[np.full(60, 100.0), np.linspace(100, 80, 15)]
    close = np.r_[close, close[-1] - last_drop]
    volume = np.full(close.size, 1e6)
    volume[-1] *= spike
    return bars(close, volume)


def test_selling_climax_is_a_buy():
    hit = found(*_decline_then_climax(4.0))["volume_climax"]
    assert hit.pattern_type is PatternType.VOLUME
    assert hit.direction is SignalLabel.BUY
    assert 0 < hit.stop_loss < hit.entry_price < hit.target_price
    assert hit.metadata["trend_score"] > 0.5


def test_climax_needs_the_volume_and_the_wide_bar():
    assert "volume_climax" not in found(*_decline_then_climax(2.0))
    assert "volume_climax" not in found(*_decline_then_climax(4.0, last_drop=0.5))


def test_buying_climax_is_a_sell():
    close = np.r_[np.full(60, 100.0), np.linspace(100, 120, 15), 126.0]
    volume = np.full(close.size, 1e6)
    volume[-1] *= 4
    hit = found(*bars(close, volume))["volume_climax"]
    assert hit.direction is SignalLabel.SELL
    assert 0 < hit.target_price < hit.entry_price < hit.stop_loss


def _uptrend_then_quiet(quiet_ratio: float):
    close = np.r_[np.linspace(80, 100, 66), np.full(5, 100.0) + np.array([0.2, -0.1, 0.1, -0.2, 0.1])]
    volume = np.full(close.size, 2e6)
    volume[-5:] = 2e6 * quiet_ratio
    return bars(close, volume)


def test_dry_up_after_an_advance_is_a_buy():
    hit = found(*_uptrend_then_quiet(0.3))["volume_dry_up"]
    assert hit.direction is SignalLabel.BUY
    assert hit.metadata["volume_score"] == pytest.approx(0.7)
    assert 0 < hit.stop_loss < hit.entry_price < hit.target_price


def test_dry_up_near_miss():
    assert "volume_dry_up" not in found(*_uptrend_then_quiet(0.6))
    flat = np.full(71, 100.0)
    volume = np.full(71, 2e6)
    volume[-5:] = 2e5
    assert "volume_dry_up" not in found(*bars(flat, volume))  # no move to pause


def _range_then_break(last_close: float, spike: float):
    rng = np.random.default_rng(3)
    close = np.r_[100 + rng.uniform(-2, 2, 40), last_close]
    volume = np.full(close.size, 1e6)
    volume[-1] *= spike
    return bars(close, volume)


def test_breakout_on_volume_both_ways():
    up = found(*_range_then_break(106.0, 3.0))["volume_breakout"]
    assert up.direction is SignalLabel.BUY
    high, low, close, _ = _range_then_break(106.0, 3.0)
    height = high[-21:-1].max() - low[-21:-1].min()
    assert up.target_price == pytest.approx(106.0 + height, rel=1e-4)
    down = found(*_range_then_break(94.0, 3.0))["volume_breakout"]
    assert down.direction is SignalLabel.SELL
    assert 0 < down.target_price < down.entry_price < down.stop_loss


def test_breakout_near_misses():
    assert "volume_breakout" not in found(*_range_then_break(106.0, 1.5))  # no volume
    assert "volume_breakout" not in found(*_range_then_break(101.0, 3.0))  # inside the range


def test_missing_last_bar_gives_nothing():
    high, low, close, volume = _decline_then_climax(4.0)
    close = close.copy()
    close[-1] = np.nan
    assert volume_patterns("SYM", high, low, close, volume) == []
