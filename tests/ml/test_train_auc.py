"""The training AUC stored with each model equals scikit-learn's roc_auc_score, ties included."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from tradecycle.services.ml_model import _auc


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 20)), min_size=2, max_size=200))
def test_train_auc_matches_sklearn(pairs):
    y = np.array([float(up) for up, _ in pairs])
    p = np.array([score / 20 for _, score in pairs])  # coarse scores: many ties
    if np.unique(y).size < 2:
        assert _auc(y, p) is None
        return
    assert _auc(y, p) == round(float(roc_auc_score(y, p)), 6)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.floats(0, 1, allow_nan=False) | st.sampled_from([0.25, 0.5])),
        min_size=2,
        max_size=300,
    )
)
def test_train_auc_is_scipys_mann_whitney_u_exactly(pairs):
    """The value stored before scipy.stats left the replay: U / (n_up * n_down), to the last digit."""
    from scipy.stats import mannwhitneyu

    y = np.array([float(up) for up, _ in pairs])
    p = np.array([score for _, score in pairs])
    up, down = p[y > 0.5], p[y <= 0.5]
    if not up.size or not down.size:
        return
    expected = round(float(mannwhitneyu(up, down).statistic) / (up.size * down.size), 6)
    assert _auc(y, p) == expected
