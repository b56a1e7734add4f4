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
