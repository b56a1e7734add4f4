"""Synthetic bar panels for the pattern tests."""

from __future__ import annotations

import numpy as np
import pytest

from tradecycle.core.panel import BarPanel


def build_panel(
    close: np.ndarray, *, volume=None, spread: float = 0.01, seed: int = 0, open_=None
) -> BarPanel:
    """A panel whose candles wrap `close` (rows = symbols): open = previous close unless given."""
    close = np.atleast_2d(np.asarray(close, dtype=float))
    n, m = close.shape
    rng = np.random.default_rng(seed)
    if open_ is None:
        open_ = np.concatenate([close[:, :1], close[:, :-1]], axis=1)
    open_ = np.atleast_2d(np.asarray(open_, dtype=float))
    wiggle = 1 + spread * rng.uniform(0.2, 1.0, (2, n, m))
    high = np.maximum(open_, close) * wiggle[0]
    low = np.minimum(open_, close) / wiggle[1]
    if volume is None:
        volume = np.full((n, m), 1_000_000.0)
    volume = np.atleast_2d(np.asarray(volume, dtype=float))
    sessions = np.datetime64("2024-01-01") + np.arange(m).astype("timedelta64[D]")
    return BarPanel(
        symbols=np.array([f"SYM{i}" for i in range(n)]),
        sessions=sessions,
        closes_utc=sessions.astype("datetime64[ns]") + np.timedelta64(21, "h"),
        open=open_,
        high=high,
        low=low,
        close=close,
        volume=volume,
    )


def random_panel(n_symbols: int = 6, n_sessions: int = 300, seed: int = 1) -> BarPanel:
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_symbols, n_sessions)), axis=1))
    open_ = close * np.exp(rng.normal(0, 0.01, close.shape))
    volume = rng.uniform(5e5, 3e6, close.shape)
    return build_panel(close, volume=volume, open_=open_, seed=seed, spread=0.015)


@pytest.fixture
def make_panel():
    return build_panel


@pytest.fixture
def make_random_panel():
    return random_panel


@pytest.fixture
def universe() -> BarPanel:
    return random_panel()
