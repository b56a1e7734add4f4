"""Starting cycles through the API after a replay, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator.replay import replay
from tradecycle.interfaces.api.app import create_app
from tradecycle.settings import load_settings

SYMBOLS = ["AAPL", "MSFT", "JPM", "XOM", "KO", "PG", "BA", "CAT"]
TOKEN = "api-cycle-token"


def test_start_trading_cycle_continues_the_replay_and_lists_it(db_url):
    settings = load_settings(
        None, {"database_url": db_url, "api": {"token": TOKEN}, "data": {"provider": "bundled"}}
    )
    engine = prepare_database(db_url)
    assert replay(engine, settings, date(2014, 5, 1), date(2014, 5, 6), SYMBOLS).ok
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(settings, engine)) as client:
        started = client.post("/start_trading_cycle", headers=headers)
        assert started.status_code == 200, started.text
        body = started.json()
        assert body["cycle_id"] == "cycle_20140507_200500" and body["status"] == "completed"
        assert [p["phase"] for p in body["phases"]][:2] == ["fills", "scan"]
        again = client.post(
            "/start_trading_cycle", json={"at": "2014-05-07T20:05:00Z"}, headers=headers
        ).json()
        assert again["skipped"] is True
        naive = client.post("/start_trading_cycle", json={"at": "2014-05-07T20:05:00"}, headers=headers)
        assert naive.status_code == 422
        cycles = client.get("/trading_cycles", params={"limit": 1}).json()
        assert cycles["total"] == 5 and cycles["items"][0]["cycle_id"] == "cycle_20140507_200500"
    engine.dispose()
