"""Real bundled bars for the ML tests: the symbols that also have bundled posts, a small model schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.adapters.news.bundled import bundled_source
from tradecycle.config import SettingsModel
from tradecycle.core.panel import BarPanel
from tradecycle.services.analysis import precompute_features
from tradecycle.services.context import CycleContext


@pytest.fixture(scope="session")
def ml_settings() -> SettingsModel:
    return SettingsModel(
        ml={
            "min_train_sessions": 100,
            "retrain_every_sessions": 50,
            "train_window_sessions": 200,
            "horizon_sessions": 5,
        }
    )


@pytest.fixture(scope="session")
def news_panel() -> BarPanel:
    panel = load_bundled_panel(end="2015-06-30")
    symbols = [s for s in bundled_source().covered_symbols if s in set(panel.symbols.tolist())][:30]
    return panel.select(symbols)


@pytest.fixture(scope="session")
def news_features(news_panel, ml_settings):
    return precompute_features(news_panel, ml_settings)


def as_of(panel: BarPanel, index: int) -> datetime:
    close = panel.closes_utc[index].astype("datetime64[us]").astype(datetime).replace(tzinfo=UTC)
    return close + timedelta(minutes=5)


def cycle_ctx(
    panel: BarPanel, features, index: int, settings: SettingsModel, symbols, cache=None
) -> CycleContext:
    from tradecycle.core.types import Candidate, ScanType

    now = as_of(panel, index)
    return CycleContext(
        cycle_id=f"cycle_{now:%Y%m%d_%H%M%S}",
        now=now,
        settings=settings,
        panel=panel.head(index + 1),
        features=None if features is None else features.head(index + 1),
        account_id=1,
        candidates=[Candidate(s, ScanType.MOMENTUM, 100.0, 1e6, 5.0, 2.0) for s in symbols],
        cache={} if cache is None else cache,
    )


def scrambled_after(panel: BarPanel, index: int, seed: int = 7) -> BarPanel:
    """The same panel with every bar after `index` replaced by noise (a different future)."""
    rng = np.random.default_rng(seed)
    fields = {}
    for name in ("open", "high", "low", "close", "volume"):
        arr = getattr(panel, name).copy()
        future = arr[:, index + 1 :]
        arr[:, index + 1 :] = future * rng.uniform(0.5, 1.5, size=future.shape)
        fields[name] = arr
    fields["high"] = np.maximum.reduce([fields["high"], fields["open"], fields["close"]])
    fields["low"] = np.minimum.reduce([fields["low"], fields["open"], fields["close"]])
    return replace(panel, **fields)
