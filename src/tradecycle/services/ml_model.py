"""The direction model: fitting, prediction, and a checksummed serialisation for ml_models.

A logistic model is stored as plain arrays (npz, loaded with allow_pickle=False).
Tree models need sklearn's pickle; their bytes are unpickled only after the
SHA-256 stored beside them at save time matches, and only from our own
ml_models rows. A mismatch is a DataError naming the row, never a load.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from tradecycle.core.ml_features import Standardiser, fit_logistic
from tradecycle.errors import DataError

FORMAT = "tradecycle-direction-v1"
L2 = 10.0  # ridge on standardised features: daily direction is mostly noise


@dataclass(frozen=True, eq=False)
class DirectionModel:
    name: str
    version: str
    kind: str
    feature_names: tuple[str, ...]
    standardiser: Standardiser
    estimator: Any  # (coef, intercept) arrays for "logistic", else a fitted sklearn classifier
    trained_from: datetime
    trained_to: datetime
    session_index: int
    metrics: dict[str, float] = field(default_factory=dict)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """P(up) per row of raw features (n, n_features)."""
        z = self.standardiser.transform(np.asarray(x, dtype=np.float64))
        if self.kind == "logistic":
            coef, intercept = self.estimator
            return 1.0 / (1.0 + np.exp(-(z @ coef + intercept)))
        return self.estimator.predict_proba(z)[:, 1]

    def serialise(self) -> tuple[bytes, str]:
        header = {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "features": list(self.feature_names),
            "trained_from": self.trained_from.isoformat(),
            "trained_to": self.trained_to.isoformat(),
            "session_index": self.session_index,
            "metrics": self.metrics,
        }
        arrays = {"mean": self.standardiser.mean, "scale": self.standardiser.scale}
        if self.kind == "logistic":
            arrays["coef"], arrays["intercept"] = self.estimator
        else:
            arrays["pickled"] = np.frombuffer(pickle.dumps(self.estimator, protocol=5), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, header=np.array(json.dumps(header, sort_keys=True)), **arrays)
        data = buffer.getvalue()
        return data, hashlib.sha256(data).hexdigest()

    @classmethod
    def deserialise(cls, data: bytes, checksum: str | None, where: str) -> DirectionModel:
        if not checksum or hashlib.sha256(data).hexdigest() != checksum:
            raise DataError(f"{where}: model_data does not match its stored checksum; refusing to load it")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                header = json.loads(str(npz["header"]))
                std = Standardiser(npz["mean"], npz["scale"])
                if header["kind"] == "logistic":
                    estimator = (npz["coef"], float(npz["intercept"]))
                else:
                    estimator = pickle.loads(npz["pickled"].tobytes())  # noqa: S301 - checksum verified above
        except (ValueError, KeyError, OSError) as exc:
            raise DataError(f"{where}: model_data is not a {FORMAT} model ({exc})") from None
        if header.get("format") != FORMAT:
            raise DataError(f"{where}: unknown model format {header.get('format')!r}")
        return cls(
            name=header["name"],
            version=header["version"],
            kind=header["kind"],
            feature_names=tuple(header["features"]),
            standardiser=std,
            estimator=estimator,
            trained_from=datetime.fromisoformat(header["trained_from"]),
            trained_to=datetime.fromisoformat(header["trained_to"]),
            session_index=int(header["session_index"]),
            metrics=header["metrics"],
        )


def _estimator(kind: str):
    if kind == "random_forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=60, max_depth=6, min_samples_leaf=50, n_jobs=1, random_state=0
        )
    if kind == "gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=80, max_depth=3, learning_rate=0.05, random_state=0)
    raise DataError(f"ml.model: unknown model kind {kind!r}")


def fit_model(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...], *, kind: str, **identity: Any
) -> DirectionModel:
    """Fit on raw features x (n, k) and labels y in {0, 1}; training metrics go with the model."""
    if len(y) < 50 or len(np.unique(y)) < 2:
        raise DataError(
            f"too few labelled samples to train ({len(y)} rows, classes {sorted(set(y.tolist()))})"
        )
    std = Standardiser.fit(x)
    z = std.transform(x)
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: BLAS threads only contend
        estimator = fit_logistic(z, y, l2=L2) if kind == "logistic" else _estimator(kind).fit(z, y)
    model = DirectionModel(
        kind=kind, feature_names=tuple(names), standardiser=std, estimator=estimator, **identity
    )
    p = model.predict_proba(x)
    metrics = {
        "samples": int(len(y)),
        "base_rate_up": round(float(y.mean()), 6),
        "train_accuracy": round(float(((p > 0.5) == (y > 0.5)).mean()), 6),
        "train_auc": _auc(y, p),
    }
    return DirectionModel(**{**model.__dict__, "metrics": metrics})


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    """ROC AUC as the Mann-Whitney U of the positives' scores over all pairs (ties count half).

    U is the positives' rank sum (tied scores share their average rank) less its minimum,
    as scipy.stats.mannwhitneyu computes it; written out because importing scipy.stats
    costs about a second in every replay, and sklearn.metrics would add ~80 MB to it.
    """
    up, down = p[y > 0.5], p[y <= 0.5]
    if not up.size or not down.size:
        return None
    scores = np.concatenate([up, down])
    if np.isnan(scores).any():
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ordered = scores[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], scores.size]
    ranks = np.empty(scores.size)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    u = ranks[: up.size].sum() - up.size * (up.size + 1) / 2.0
    return round(float(u) / (up.size * down.size), 6)
