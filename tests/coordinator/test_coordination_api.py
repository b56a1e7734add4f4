"""The coordination endpoints on SQLite and PostgreSQL, through the real app."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator import recording, registry
from tradecycle.interfaces.api.app import create_app
from tradecycle.settings import load_settings

TOKEN = "s3cret-token"


@pytest.fixture
def api(db_url):
    engine = prepare_database(db_url)
    settings = load_settings(None, {"database_url": db_url, "api": {"token": TOKEN}})
    with TestClient(create_app(settings, engine)) as client:
        yield client, engine
    engine.dispose()


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def test_health_reports_the_database(api):
    client, _ = api
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_register_service_needs_the_token_and_shows_in_status(api):
    client, engine = api
    payload = {"service_name": "scanner", "host": "10.0.0.5", "port": 5001}
    assert client.post("/register_service", json=payload).status_code == 401
    assert (
        client.post("/register_service", json=payload, headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    response = client.post("/register_service", json=payload, headers=auth())
    assert response.status_code == 200 and response.json()["status"] == "running"
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with engine.begin() as conn:
        registry.register(conn, "reporting", long_ago, "10.0.0.6", 5009)
    services = {svc["service_name"]: svc for svc in client.get("/service_status").json()["services"]}
    assert services["scanner"]["host"] == "10.0.0.5" and services["scanner"]["stale"] is False
    assert services["reporting"]["stale"] is True


def test_register_service_rejects_bad_fields_by_name(api):
    client, _ = api
    response = client.post(
        "/register_service", json={"service_name": "x", "host": "h", "port": 70000}, headers=auth()
    )
    assert response.status_code == 422
    assert "port" in json.dumps(response.json())


def test_trading_cycles_are_paginated_and_filtered(api):
    client, engine = api
    base = datetime(2015, 3, 2, 21, 5, tzinfo=UTC)
    with engine.begin() as conn:
        for day in range(5):
            as_of = base + timedelta(days=day)
            recording.open_cycle(conn, f"cycle_{as_of:%Y%m%d_%H%M%S}", as_of, as_of, "replay")
        conn.execute(s.trading_cycles.update().where(s.trading_cycles.c.id <= 3).values(status="completed"))
    page = client.get("/trading_cycles", params={"limit": 2}).json()
    assert page["total"] == 5 and len(page["items"]) == 2
    assert page["items"][0]["cycle_id"] == "cycle_20150306_210500"  # newest first
    completed = client.get("/trading_cycles", params={"status": "completed"}).json()
    assert completed["total"] == 3
    assert client.get("/trading_cycles", params={"status": "sideways"}).status_code == 422


def test_start_trading_cycle_needs_the_token(api):
    client, _ = api
    assert client.post("/start_trading_cycle").status_code == 401


def test_times_without_a_utc_equivalent_are_named_422s(api):
    client, _ = api
    late = client.get("/trading_cycles", params={"since": "9999-12-31T23:59:59-05:00"})
    assert late.status_code == 422 and "query.since" in late.json()["error"]
    early = client.post("/start_trading_cycle", json={"at": "0001-01-01T00:00:00+05:00"}, headers=auth())
    assert early.status_code == 422 and "at" in early.json()["error"]
    assert client.get("/trading_cycles", params={"since": "2014-01-01T00:00:00+05:00"}).status_code == 200
