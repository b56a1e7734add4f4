"""The analysis endpoints through FastAPI's TestClient, on the bundled data and on the database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.adapters.marketdata.store import write_bars
from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import SettingsModel
from tradecycle.core.types import PatternHit, PatternType, SignalLabel
from tradecycle.interfaces.api.deps import ApiContext
from tradecycle.interfaces.api.errors import install_error_handlers
from tradecycle.interfaces.api.routers import analysis

TOKEN = "s3cret"


def _client(settings: SettingsModel, engine) -> TestClient:
    app = FastAPI()
    app.state.ctx = ApiContext(settings=settings, engine=engine)
    install_error_handlers(app)
    app.include_router(analysis.router)
    return TestClient(app)


def _fake_detect(panel, features, symbols, settings):
    """Known hits, so grouping and filtering can be checked exactly."""
    kinds = [
        (PatternType.CANDLESTICK, "CDLHAMMER", SignalLabel.BUY, 0.7, 1.1),
        (PatternType.CHART, "double_bottom", SignalLabel.BUY, 0.8, 1.2),
        (PatternType.VOLUME, "volume_climax", SignalLabel.SELL, 0.5, 0.9),
    ]
    hits = []
    for symbol in symbols:
        price = float(panel.close[panel.row(symbol), -1])
        for kind, name, direction, conf, target in kinds:
            stop = price * (0.98 if direction == SignalLabel.BUY else 1.02)
            hits.append(PatternHit(symbol, kind, name, direction, conf, price, stop, price * target))
    return hits


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('an') / 'api.db'}"
    settings = SettingsModel(database_url=url, api={"token": TOKEN})
    engine = prepare_database(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analysis, "_detect", _fake_detect)
        yield _client(settings, engine)
    engine.dispose()


def test_scan_securities_ranks_candidates_with_criteria(client):
    body = client.get("/scan_securities", params={"asof": "2016-06-01"}).json()
    assert body["asof"] == "2016-06-01" and 0 < body["count"] <= 20
    first = body["candidates"][0]
    assert first["scan_type"] in {"momentum", "breakout", "oversold", "value"}
    assert first["criteria"]["volume"] and first["criteria"]["price"]
    assert [c["values"]["rank"] for c in body["candidates"]] == list(range(1, body["count"] + 1))


def test_criteria_get_put_and_422_naming_the_field(client):
    assert client.get("/criteria").json()["min_volume"] == 1_000_000
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.put("/criteria", json={"max_candidates": 3}).status_code == 401
    r = client.put("/criteria", json={"max_candidates": 3, "min_price": 20}, headers=auth)
    assert r.status_code == 200 and r.json()["max_candidates"] == 3
    assert client.get("/scan_securities", params={"asof": "2016-06-01"}).json()["count"] <= 3
    bad = client.put("/criteria", json={"min_volume": -5}, headers=auth)
    assert bad.status_code == 422 and "scanner.min_volume" in bad.json()["error"]
    bad = client.put("/criteria", json={"min_price": 600}, headers=auth)
    assert bad.status_code == 422 and "min_price" in bad.json()["error"]
    bad = client.put("/criteria", json={"colour": "red"}, headers=auth)
    assert bad.status_code == 422 and "scanner.colour" in bad.json()["error"]
    assert client.get("/criteria").json()["max_candidates"] == 3  # failed updates changed nothing
    client.put("/criteria", json={"max_candidates": 20, "min_price": 10}, headers=auth)


def test_pattern_endpoints_group_and_filter(client):
    body = client.get("/analyze_patterns/aapl").json()
    assert body["symbol"] == "AAPL" and body["count"] == 3 and body["confidence"] == 0.8
    adv = client.get("/detect_advanced_patterns/AAPL").json()
    assert adv["category_confidence"] == {"candlestick": 0.7, "chart": 0.8, "volume": 0.5}
    assert [p["pattern_name"] for p in client.get("/candlestick_patterns/AAPL").json()["patterns"]] == [
        "CDLHAMMER"
    ]
    assert [p["pattern_name"] for p in client.get("/chart_patterns/AAPL").json()["patterns"]] == [
        "double_bottom"
    ]


@pytest.mark.parametrize(
    "path", ["/analyze/NOPE", "/analyze_patterns/NOPE", "/chart_patterns/ZZZZ", "/candlestick_patterns/X"]
)
def test_unknown_symbol_is_404_with_a_message(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "unknown symbol" in r.json()["error"]


def test_asof_before_the_data_is_404(client):
    r = client.get("/scan_securities", params={"asof": "2001-01-01"})
    assert r.status_code == 404 and "no session" in r.json()["error"]


def test_generate_signals_and_analyze(client):
    body = client.post("/generate_signals", params={"asof": "2017-03-01"}).json()
    assert body["strategy"] == "composite" and len(body["evaluations"]) == len(body["candidates"])
    for s in body["signals"]:
        assert s["side"] == "BUY" and s["target"] > s["entry"] > s["stop"] > 0
        assert (s["entry"] - s["stop"]) / s["entry"] <= 0.02 + 1e-9
    one = client.get("/analyze/MSFT", params={"asof": "2017-03-01"}).json()
    names = {r["name"] for r in one["indicators"]}
    assert {"RSI", "MACD", "BBANDS", "SMA_200", "ADX", "STOCH", "OBV", "ATR"} <= names
    ev = one["evaluation"]
    assert ev["symbol"] == "MSFT" and 0 <= ev["score"] <= 100 and ev["components"]["pattern"] > 50


def test_database_provider_reads_market_data(db_url):
    url = db_url
    engine = prepare_database(url)
    panel = load_bundled_panel(start="2016-01-01", end="2016-12-31", symbols=["AAPL", "MSFT", "XOM"])
    frame = pd.DataFrame(
        {
            "date": np.repeat(panel.sessions, panel.n_symbols).astype("datetime64[ns]"),
            "symbol": np.tile(panel.symbols, panel.n_sessions),
            **{f: getattr(panel, f).T.ravel() for f in ("open", "high", "low", "close", "volume")},
        }
    )
    with engine.begin() as conn:
        write_bars(conn, frame)
    settings = SettingsModel(database_url=url, data={"provider": "database"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analysis, "_detect", _fake_detect)
        c = _client(settings, engine)
        assert c.get("/analyze/XOM").json()["symbol"] == "XOM"
        assert c.get("/analyze/AMZN").status_code == 404
        assert c.get("/scan_securities").json()["asof"] == "2016-12-30"
    engine.dispose()


def test_real_pattern_detection_and_supported_patterns(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.db'}"
    engine = prepare_database(url)
    c = _client(SettingsModel(database_url=url), engine)
    supported = c.get("/supported_patterns").json()
    assert len(supported["candlestick"]) == 61
    body = c.get("/detect_advanced_patterns/AAPL", params={"asof": "2017-06-09"}).json()
    assert set(body["patterns"]) >= {"candlestick", "chart", "volume"}
    for hits in body["patterns"].values():
        for h in hits:
            assert h["symbol"] == "AAPL" and 0 <= h["confidence"] <= 1 and h["entry_price"] > 0
    signals = c.get("/generate_signals", params={"asof": "2017-06-09"}).json()
    assert signals["strategy"] == "composite" and signals["candidates"]
    engine.dispose()
