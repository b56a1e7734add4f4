"""core.ml_features.roc_auc equals sklearn's roc_auc_score bit for bit (ties included)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from tradecycle.core.ml_features import roc_auc


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 2000), st.sampled_from([None, 1, 2]))
def test_equals_sklearn(seed, n, decimals):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rng.uniform(0.05, 0.95)).astype(np.float64)
    y[0], y[-1] = 0.0, 1.0  # both classes present
    p = rng.random(n) if decimals is None else np.round(rng.random(n), decimals)  # rounding: many ties
    assert roc_auc(y, p) == roc_auc_score(y, p)


def test_one_class_is_nan():
    assert math.isnan(roc_auc(np.ones(5), np.linspace(0, 1, 5)))
