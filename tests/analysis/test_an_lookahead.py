"""No lookahead: changing any bar after session t leaves every analysis output at t identical."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradecycle.config import SettingsModel
from tradecycle.core.panel import BarPanel
from tradecycle.services.analysis import precompute_features
from tradecycle.services.context import CycleContext
from tradecycle.services.scanner import scan_panel
from tradecycle.services.technicals import readings_for
from tradecycle.strategies import get_strategy

from .conftest import synthetic_panel

BASE = synthetic_panel(n_symbols=8, n_sessions=300, seed=11)
SETTINGS = SettingsModel(
    scanner={"min_volume": 0, "min_change_pct": -100, "min_relative_volume": 0, "max_candidates": 6},
    signal={"require_pattern": False, "buy": 50.0, "min_confirming_indicators": 0},
    strategy={"sma_fast": 5, "sma_slow": 20},
)
FULL = precompute_features(BASE, SETTINGS)


def _perturbed(t: int, seed: int) -> BarPanel:
    """The base panel with every bar after t replaced by other valid bars (and some removed)."""
    rng = np.random.default_rng(seed)
    arrays = {k: getattr(BASE, k).copy() for k in ("open", "high", "low", "close", "volume")}
    tail = (slice(None), slice(t + 1, None))
    factor = np.exp(rng.normal(0, 0.1, arrays["close"][tail].shape))
    for k in ("open", "high", "low", "close"):
        arrays[k][tail] *= factor
    arrays["high"][tail] *= 1.05
    arrays["volume"][tail] *= rng.uniform(0.1, 10, factor.shape)
    if arrays["close"][tail].size:
        arrays["close"][0, -1] = np.nan
    return BarPanel(BASE.symbols, BASE.sessions, BASE.closes_utc, **arrays)


def _outputs(panel: BarPanel, features, t: int, strategy: str):
    p, f = panel.head(t + 1), features.head(t + 1)
    settings = SETTINGS.model_copy(
        update={"strategy": SETTINGS.strategy.model_copy(update={"name": strategy})}
    )
    candidates, _ = scan_panel(p, f, settings)
    ctx = CycleContext(
        "c", datetime(2017, 1, 1, tzinfo=UTC), settings, p, 1, features=f, candidates=candidates
    )
    ctx.cache["held_symbols"] = {"S4", "S5"}
    ctx.indicators = readings_for(p, f, [c.symbol for c in candidates], settings)
    return candidates, ctx.indicators, get_strategy(settings).evaluate(ctx)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(t=st.integers(0, BASE.n_sessions - 2), seed=st.integers(0, 10_000))
def test_future_bars_change_nothing_at_t(t, seed):
    changed = _perturbed(t, seed)
    features = precompute_features(changed, SETTINGS)
    truncated = precompute_features(BASE.head(t + 1), SETTINGS)  # the future removed, not just changed
    for name in FULL.names:
        np.testing.assert_array_equal(features[name][..., : t + 1], FULL[name][..., : t + 1], err_msg=name)
        np.testing.assert_array_equal(truncated[name], FULL[name][..., : t + 1], err_msg=name)
    for strategy in ("composite", "sma_cross"):
        # repr: NaN values (indicators not defined yet) compare equal as text
        assert repr(_outputs(changed, features, t, strategy)) == repr(_outputs(BASE, FULL, t, strategy))


def test_perturbation_does_change_the_future():
    """Guard against a vacuous test: the perturbed panel really differs after t."""
    t = 200
    changed = precompute_features(_perturbed(t, 1), SETTINGS)
    assert not np.array_equal(changed["rsi_14"][:, t + 1 :], FULL["rsi_14"][:, t + 1 :], equal_nan=True)
    assert not np.array_equal(changed["cdl"][..., t + 1 :], FULL["cdl"][..., t + 1 :])
