"""/ml/models and /ml/predictions/{symbol} over rows a real ML phase wrote."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.config import SettingsModel
from tradecycle.interfaces.api.app import create_app
from tradecycle.services import ml

from .conftest import cycle_ctx


def test_models_and_predictions_endpoints(sqlite_url, news_panel, news_features, ml_settings):
    engine = make_engine(sqlite_url)
    metadata.create_all(engine)
    symbol = news_panel.symbols[0]
    with engine.begin() as conn:
        ml.run_phase(conn, cycle_ctx(news_panel, news_features, 460, ml_settings, [symbol]))
    client = TestClient(
        create_app(SettingsModel(database_url=sqlite_url), engine), raise_server_exceptions=False
    )
    models = client.get("/ml/models").json()
    assert models["total"] == 1 and "model_data" not in models["items"][0]
    assert models["items"][0]["features"][0] == "ret_1" and models["items"][0]["metrics"]["samples"] > 0
    preds = client.get(f"/ml/predictions/{symbol.lower()}").json()
    assert preds["total"] == 1 and 0 < preds["items"][0]["prediction_value"] < 1
    assert "ret_1" in preds["items"][0]["features_used"]
    engine.dispose()
