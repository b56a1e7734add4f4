"""Synthetic panels for the analysis tests: random walks with gaps, on real session times."""

from __future__ import annotations

import numpy as np
import pytest

from tradecycle.core.panel import BarPanel


def synthetic_panel(n_symbols: int = 12, n_sessions: int = 320, seed: int = 7, gaps: bool = True) -> BarPanel:
    """Random-walk OHLCV; symbol S1 starts late (an IPO) and S2 misses a few sessions."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0005, 0.02, (n_symbols, n_sessions))
    close = 50.0 * np.exp(np.cumsum(steps, axis=1))
    open_ = close * np.exp(rng.normal(0, 0.005, close.shape))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.01, close.shape))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.01, close.shape))
    volume = rng.uniform(0.5e6, 3e6, close.shape).round()
    if gaps and n_symbols > 2:
        for arr in (open_, high, low, close, volume):
            arr[1, :40] = np.nan
            arr[2, [100, 101, 150]] = np.nan
    sessions = np.arange(np.datetime64("2016-01-04"), np.datetime64("2016-01-04") + n_sessions).astype(
        "datetime64[D]"
    )
    closes = sessions.astype("datetime64[ns]") + np.timedelta64(21, "h")
    return BarPanel(
        symbols=np.array([f"S{i}" for i in range(n_symbols)]),
        sessions=sessions,
        closes_utc=closes,
        open=open_,
        high=high,
        low=low,
        close=close,
        volume=volume,
    )


@pytest.fixture
def panel() -> BarPanel:
    return synthetic_panel()


@pytest.fixture
def make_panel():
    return synthetic_panel
