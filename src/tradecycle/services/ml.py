"""ML phase: walk-forward direction models, stored in ml_models, predicting for the candidates.

The model a cycle at absolute session s uses is the one fitted at
m = floor(s / retrain_every) * retrain_every (once m >= min_train_sessions), on the
panel cut at m: samples s' with s' + horizon <= m only. It is taken from ctx.cache,
else from ml_models (checksum verified), else fitted and saved, so a resumed or
mid-way-started replay uses exactly the model an uninterrupted one would.
Predictions: P(close rises over the next horizon sessions) for candidates and held
symbols -> ml_predictions and ctx.predictions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection, select

from tradecycle.adapters.store.bulk import insert_rows, to_json
from tradecycle.adapters.store.schema import ml_models, ml_predictions
from tradecycle.config import SettingsModel
from tradecycle.core.ml_features import (
    PRICE_FEATURES,
    SENTIMENT_FEATURES,
    direction_labels,
    panel_features,
    price_features,
    sample_sessions,
)
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import Prediction, PredictionType
from tradecycle.errors import DataError
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.services.ml_model import L2, DirectionModel, fit_model
from tradecycle.services.patterns import phase_symbols
from tradecycle.services.prefetched import prefetched


def model_name(settings: SettingsModel) -> str:
    return f"direction_{settings.ml.model}_h{settings.ml.horizon_sessions}"


def model_index(session_index: int, settings: SettingsModel) -> int | None:
    """The session whose model serves `session_index`, or None before min_train_sessions."""
    every = settings.ml.retrain_every_sessions
    m = (session_index // every) * every
    return m if m >= settings.ml.min_train_sessions else None


def model_version(panel: BarPanel, m: int, settings: SettingsModel) -> str:
    """Session index and date of the fit, plus a fingerprint of the universe and the ML settings.

    A model fitted on other symbols or settings gets another version, so a cycle never
    reuses it by mistake (e.g. one `tradecycle ml train --symbols ...` stored).
    """
    recipe = {
        "symbols": panel.symbols.tolist(),
        "ml": settings.ml.model_dump(exclude={"enabled", "retrain_every_sessions", "min_train_sessions"}),
        "news_lookback_hours": settings.news.lookback_hours,
        "l2": L2,
    }
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:10]
    return f"s{m:05d}-{np.datetime_as_string(panel.sessions[m], unit='D')}-{digest}"


def feature_block(panel: BarPanel, features, cols: np.ndarray, settings: SettingsModel, rows=None):
    """(names, X (n_rows, len(cols), n_features)) for the model's inputs at `cols`, symbol `rows` (default all)."""
    sub = panel if rows is None else panel.select(panel.symbols[rows])
    names: list[str] = list(PRICE_FEATURES)
    blocks = [price_features(sub, cols)]
    if settings.ml.use_panel_features and features is not None:
        extra_names, extra = panel_features(features, panel.close, cols, rows)
        names += extra_names
        blocks.append(extra)
    if settings.ml.use_sentiment:
        from tradecycle.services.news import sentiment_history

        times = panel.closes_utc[cols].astype("datetime64[ns]").view("int64")
        blocks.append(sentiment_history(sub.symbols.tolist(), times, settings.news.lookback_hours))
        names += SENTIMENT_FEATURES
    return tuple(names), np.concatenate(blocks, axis=-1)


def training_data(panel: BarPanel, features, m: int, settings: SettingsModel):
    """(names, X, y, sessions) from the panel cut at session m: every label is known at m."""
    cut = panel.head(m + 1)
    cut_features = features.head(m + 1) if features is not None else None
    ml = settings.ml
    cols = sample_sessions(m, ml.horizon_sessions, ml.train_window_sessions, ml.sample_every_sessions)
    if cols.size == 0:
        raise DataError(f"no training sessions before session {m} (need more than {ml.horizon_sessions})")
    names, x = feature_block(cut, cut_features, cols, settings)
    y = direction_labels(cut.close, cols, ml.horizon_sessions)
    keep = np.isfinite(y) & np.isfinite(x[..., : len(PRICE_FEATURES)]).all(axis=-1)
    return names, x[keep], y[keep], cols


def train_at(panel: BarPanel, features, m: int, settings: SettingsModel) -> DirectionModel:
    names, x, y, cols = training_data(panel, features, m, settings)
    return fit_model(
        x,
        y,
        names,
        kind=settings.ml.model,
        name=model_name(settings),
        version=model_version(panel, m, settings),
        trained_from=_utc(panel.closes_utc[cols[0]]),
        trained_to=_utc(panel.closes_utc[m]),
        session_index=m,
    )


def save_model(conn: Connection, model: DirectionModel, created_at: datetime) -> str:
    """Store the model; returns the checksum of its bytes."""
    data, checksum = model.serialise()
    conn.execute(
        ml_models.insert().values(
            model_name=model.name,
            model_version=model.version,
            model_type=model.kind,
            model_data=data,
            checksum=checksum,
            trained_from=model.trained_from,
            trained_to=model.trained_to,
            features=to_json(list(model.feature_names)),
            metrics=to_json(model.metrics),
            metadata=to_json({"session_index": model.session_index}),
            created_at=created_at,
        )
    )
    return checksum


def load_model(conn: Connection, name: str, version: str) -> tuple[DirectionModel, str] | None:
    """(stored model, its checksum), or None; a row whose checksum does not match is a DataError,
    never unpickled."""
    row = (
        conn.execute(
            select(ml_models).where(ml_models.c.model_name == name, ml_models.c.model_version == version)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    model = DirectionModel.deserialise(
        bytes(row["model_data"]), row["checksum"], where=f"ml_models id {row['id']} ({name} {version})"
    )
    return model, row["checksum"]


def model_for(
    conn: Connection, ctx: CycleContext, fitted: DirectionModel | None = None
) -> tuple[DirectionModel, str] | None:
    """(model, checksum of its stored bytes) for this cycle: from the cache, else ml_models, else
    `fitted` (the replay helper's fit of the same version), else fitted here; a new one is saved."""
    m = model_index(ctx.session_index, ctx.settings)
    if m is None:
        return None
    name, version = model_name(ctx.settings), model_version(ctx.panel, m, ctx.settings)
    key = ("ml_model", name, version)
    found = ctx.cache.get(key)
    if found is None:
        found = load_model(conn, name, version)
        if found is None:
            if fitted is not None and (fitted.name, fitted.version) == (name, version):
                model = fitted
            else:
                model = train_at(ctx.panel, ctx.features, m, ctx.settings)
            found = (model, save_model(conn, model, ctx.now))
        ctx.cache[key] = found
    return found


def predict(
    model: DirectionModel, panel: BarPanel, features, symbols: Sequence[str], settings: SettingsModel
):
    """P(up) for `symbols` at the panel's newest session."""
    rows = np.array([panel.row(s) for s in symbols], dtype=np.intp)
    col = np.array([panel.n_sessions - 1])
    names, x = feature_block(panel, features, col, settings, rows=rows)
    if names != model.feature_names:
        missing = sorted(set(model.feature_names) - set(names))
        raise DataError(
            f"model {model.name} {model.version} needs features this panel lacks: {missing or names}"
        )
    return model.predict_proba(x[:, 0, :])


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    symbols = phase_symbols(ctx)
    ahead = prefetched(ctx)
    helped = ahead.predictions if ahead is not None else None
    found = model_for(conn, ctx, fitted=helped.model if helped is not None else None)
    if found is None or not symbols:
        ctx.predictions = []
        return PhaseResult(
            processed=len(symbols), metadata={"model": None if found is None else found[0].version}
        )
    model, checksum = found
    if helped is not None and helped.checksum == checksum and helped.symbols == tuple(symbols):
        probs = helped.probabilities  # the same model on the same batch: the same numbers
    else:
        probs = predict(model, ctx.panel, ctx.features, symbols, ctx.settings)
    preds = [
        Prediction(
            symbol=s,
            model_name=model.name,
            model_version=model.version,
            prediction_type=PredictionType.DIRECTION,
            value=round(float(p), 6),
            confidence=round(float(max(p, 1.0 - p)), 6),
            features_used=model.feature_names,
        )
        for s, p in zip(symbols, probs, strict=True)
    ]
    insert_rows(
        conn,
        ml_predictions,
        [
            {
                "symbol": p.symbol,
                "model_name": p.model_name,
                "model_version": p.model_version,
                "prediction_type": p.prediction_type.value,
                "prediction_value": p.value,
                "confidence": p.confidence,
                "features_used": list(p.features_used),
                "prediction_timestamp": ctx.now,
                "created_at": ctx.now,
                "cycle_id": ctx.cycle_id,
                "metadata": {"horizon_sessions": ctx.settings.ml.horizon_sessions, "meaning": "P(up)"},
            }
            for p in preds
        ],
    )
    ctx.predictions = preds
    return PhaseResult(processed=len(symbols), succeeded=len(preds), metadata={"model": model.version})


def _utc(ts: np.datetime64) -> datetime:
    return datetime.fromtimestamp(int(np.datetime64(ts, "ns").astype(np.int64)) / 1e9, tz=UTC)


@dataclass(frozen=True)
class EvaluationRow:
    """Out-of-sample scores of one period (a year, or "all")."""

    period: str
    samples: int
    accuracy: float
    auc: float
    baseline_accuracy: float
    momentum_auc: float
    base_rate_up: float


def walk_forward(panel: BarPanel, features, settings: SettingsModel) -> list[EvaluationRow]:
    """Fit at each retrain session m, score the sessions until the next retrain, out of sample.

    Test samples are taken every horizon sessions (non-overlapping labels). The naive
    baselines: the training set's majority direction (accuracy) and the 20-session
    momentum (AUC). Rows per calendar year, then "all".
    """
    ml = settings.ml
    every, h = ml.retrain_every_sessions, ml.horizon_sessions
    start = model_index(max(ml.min_train_sessions, every), settings) or every * -(
        -ml.min_train_sessions // every
    )
    ys, ps, bs, moms, years = [], [], [], [], []
    for m in range(start, panel.n_sessions - h, every):
        model = train_at(panel, features, m, settings)
        cols = np.arange(m, min(m + every, panel.n_sessions - h), h, dtype=np.intp)
        _, x = feature_block(panel, features, cols, settings)
        y = direction_labels(panel.close, cols, h)
        ok = np.isfinite(y) & np.isfinite(x[..., : len(PRICE_FEATURES)]).all(axis=-1)
        ys.append(y[ok])
        ps.append(model.predict_proba(x[ok]))
        bs.append(np.full(int(ok.sum()), float(model.metrics["base_rate_up"] >= 0.5)))
        moms.append(x[ok][:, PRICE_FEATURES.index("ret_20")])
        session_years = panel.sessions[cols].astype("datetime64[Y]").astype(int) + 1970
        years.append(np.broadcast_to(session_years, ok.shape)[ok])
    if not ys:
        raise DataError(
            f"the panel has {panel.n_sessions} sessions; walk-forward needs more than "
            f"{start + h} (ml.min_train_sessions={ml.min_train_sessions})"
        )
    y, p, b, mom, yr = (np.concatenate(a) for a in (ys, ps, bs, moms, years))
    rows = [
        _scores(str(year), y[yr == year], p[yr == year], b[yr == year], mom[yr == year])
        for year in np.unique(yr)
    ]
    return [*rows, _scores("all", y, p, b, mom)]


def _scores(period: str, y: np.ndarray, p: np.ndarray, b: np.ndarray, mom: np.ndarray) -> EvaluationRow:
    from sklearn.metrics import roc_auc_score

    two = len(np.unique(y)) == 2
    return EvaluationRow(
        period=period,
        samples=len(y),
        accuracy=round(float(((p > 0.5) == (y > 0.5)).mean()), 4),
        auc=round(float(roc_auc_score(y, p)), 4) if two else float("nan"),
        baseline_accuracy=round(float((b == y).mean()), 4),
        momentum_auc=round(float(roc_auc_score(y, mom)), 4) if two else float("nan"),
        base_rate_up=round(float(y.mean()), 4),
    )
