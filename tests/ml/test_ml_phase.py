"""The ML phase on SQLite and PostgreSQL: models saved once, reloaded (checksum checked) on resume."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import func, select, update

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata, ml_models, ml_predictions
from tradecycle.config import SettingsModel
from tradecycle.errors import DataError
from tradecycle.services import ml
from tradecycle.services.ml_model import DirectionModel

from .conftest import cycle_ctx


def _run(engine, panel, features, index, settings, cache=None):
    ctx = cycle_ctx(panel, features, index, settings, panel.symbols[:8].tolist(), cache)
    with engine.begin() as conn:
        result = ml.run_phase(conn, ctx)
    return ctx, result


def test_phase_saves_once_and_a_fresh_process_gets_the_same_predictions(
    db_url, news_panel, news_features, ml_settings
):
    engine = make_engine(db_url)
    metadata.create_all(engine)
    cache: dict = {}
    first, result = _run(engine, news_panel, news_features, 460, ml_settings, cache)
    again, _ = _run(engine, news_panel, news_features, 461, ml_settings, cache)
    resumed, _ = _run(engine, news_panel, news_features, 461, ml_settings, {})  # empty cache: loads from DB
    assert result.succeeded == 8 and result.metadata["model"].startswith("s00450-")
    assert [(p.symbol, p.value) for p in resumed.predictions] == [
        (p.symbol, p.value) for p in again.predictions
    ]
    with engine.connect() as conn:
        models = conn.execute(select(ml_models)).mappings().all()
        rows = conn.execute(select(ml_predictions).order_by(ml_predictions.c.id)).mappings().all()
    assert len(models) == 1
    model = models[0]
    assert model["model_name"] == "direction_logistic_h5" and len(model["checksum"]) == 64
    assert json.loads(model["features"])[:2] == ["ret_1", "ret_5"]
    assert json.loads(model["metrics"])["samples"] > 1000
    assert model["trained_from"] < model["trained_to"]
    assert len(rows) == 24 and all(0.5 <= r["confidence"] <= 1 for r in rows)
    assert rows[0]["cycle_id"] == first.cycle_id and "ret_1" in json.loads(rows[0]["features_used"])
    engine.dispose()


def test_tampered_model_data_is_refused(sqlite_url, news_panel, news_features, ml_settings):
    engine = make_engine(sqlite_url)
    metadata.create_all(engine)
    _run(engine, news_panel, news_features, 460, ml_settings)
    with engine.begin() as conn:
        data = conn.execute(select(ml_models.c.model_data)).scalar_one()
        conn.execute(update(ml_models).values(model_data=data[:-1] + bytes([data[-1] ^ 1])))
    with pytest.raises(DataError, match="checksum"):
        _run(engine, news_panel, news_features, 461, ml_settings, {})
    engine.dispose()


def test_before_min_train_sessions_there_is_no_model(sqlite_url, news_panel, news_features, ml_settings):
    engine = make_engine(sqlite_url)
    metadata.create_all(engine)
    ctx, result = _run(engine, news_panel, news_features, 90, ml_settings)
    assert ctx.predictions == [] and result.metadata["model"] is None
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ml_models)).scalar_one() == 0
    engine.dispose()


def test_schedule_uses_absolute_session_multiples():
    settings = SettingsModel(ml={"retrain_every_sessions": 63, "min_train_sessions": 250})
    assert ml.model_index(251, settings) is None
    assert ml.model_index(252, settings) == 252
    assert ml.model_index(314, settings) == 252
    assert ml.model_index(315, settings) == 315


@pytest.mark.parametrize("kind", ["random_forest", "gradient_boosting"])
def test_tree_models_round_trip_through_their_checksum(kind, news_panel, news_features, ml_settings):
    settings = ml_settings.model_copy(update={"ml": ml_settings.ml.model_copy(update={"model": kind})})
    model = ml.train_at(
        news_panel,
        None,
        300,
        settings.model_copy(update={"ml": settings.ml.model_copy(update={"use_sentiment": False})}),
    )
    data, checksum = model.serialise()
    again = DirectionModel.deserialise(data, checksum, where="test")
    x = np.random.default_rng(0).normal(size=(5, len(model.feature_names)))
    assert np.array_equal(model.predict_proba(x), again.predict_proba(x))
    with pytest.raises(DataError, match="checksum"):
        DirectionModel.deserialise(data, "0" * 64, where="test")


def test_version_names_the_universe_and_settings(news_panel, ml_settings):
    base = ml.model_version(news_panel, 450, ml_settings)
    assert base.startswith("s00450-2014-") and len(base) <= 64
    assert ml.model_version(news_panel.select(news_panel.symbols[:5].tolist()), 450, ml_settings) != base
    other = ml_settings.model_copy(
        update={"ml": ml_settings.ml.model_copy(update={"train_window_sessions": 300})}
    )
    assert ml.model_version(news_panel, 450, other) != base
    assert ml.model_version(news_panel, 450, ml_settings) == base
