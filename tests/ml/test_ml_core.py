"""Core ML maths: features are causal per column, labels need the future, the Newton fit is a real logistic fit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecycle.core.ml_features import (
    PRICE_FEATURES,
    WINDOW,
    Standardiser,
    direction_labels,
    fit_logistic,
    price_features,
    sample_sessions,
)
from tradecycle.core.panel import BarPanel


def random_panel(seed: int, n_symbols: int = 4, n_sessions: int = 60) -> BarPanel:
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n_symbols, n_sessions)), axis=1))
    open_ = close * np.exp(rng.normal(0, 0.005, close.shape))
    high = np.maximum(open_, close) * 1.01
    low = np.minimum(open_, close) * 0.99
    volume = rng.uniform(1e5, 1e6, close.shape)
    sessions = np.datetime64("2015-01-01") + np.arange(n_sessions).astype("timedelta64[D]")
    return BarPanel(
        np.array([f"S{i}" for i in range(n_symbols)]),
        sessions,
        sessions.astype("datetime64[ns]") + np.timedelta64(21, "h"),
        open_,
        high,
        low,
        close,
        volume,
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), col=st.integers(0, 58))
def test_price_features_at_a_column_ignore_later_bars(seed, col):
    panel = random_panel(seed)
    other = random_panel(seed + 1)
    mixed = BarPanel(
        panel.symbols,
        panel.sessions,
        panel.closes_utc,
        *(
            np.concatenate([getattr(panel, f)[:, : col + 1], getattr(other, f)[:, col + 1 :]], axis=1)
            for f in ("open", "high", "low", "close", "volume")
        ),
    )
    a = price_features(panel, np.array([col]))
    b = price_features(mixed, np.array([col]))
    assert np.array_equal(a, b, equal_nan=True)
    assert a.shape == (4, 1, len(PRICE_FEATURES))
    assert np.isnan(a[..., PRICE_FEATURES.index("ret_20")]).all() == (col < WINDOW)


def test_labels_exist_only_when_the_horizon_is_inside_the_panel():
    close = np.array([[1.0, 2.0, 1.5, 3.0, np.nan, 4.0]])
    labels = direction_labels(close, np.arange(6), 2)
    assert labels[0, :2].tolist() == [1.0, 1.0]
    assert np.isnan(labels[0, 2])  # the bar two sessions later is missing
    assert labels[0, 3] == 1.0
    assert np.isnan(labels[0, 4:]).all()


@given(
    last=st.integers(0, 400),
    horizon=st.integers(1, 10),
    window=st.integers(20, 300),
    every=st.integers(1, 10),
)
def test_sample_sessions_have_known_labels(last, horizon, window, every):
    cols = sample_sessions(last, horizon, window, every)
    assert np.all(cols + horizon <= last)
    assert np.all(cols >= WINDOW) and np.all(cols > last - window)
    assert np.all(np.diff(cols) == every)


def test_newton_fit_matches_sklearn_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    x = rng.normal(size=(3000, 5))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(x @ [1.0, -0.5, 0.0, 0.3, 0.0] + 0.2)))).astype(float)
    coef, intercept = fit_logistic(x, y, l2=2.0)
    ref = LogisticRegression(C=0.5, tol=1e-10, max_iter=1000).fit(x, y)  # sklearn's C is 1 / l2
    assert np.allclose(coef, ref.coef_[0], atol=1e-4) and abs(intercept - ref.intercept_[0]) < 1e-4


def test_standardiser_maps_missing_values_to_the_mean():
    x = np.array([[1.0, np.nan], [3.0, 2.0], [5.0, 4.0]])
    z = Standardiser.fit(x).transform(np.array([[np.nan, 3.0]]))
    assert z.tolist() == [[0.0, 0.0]]
