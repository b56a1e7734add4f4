"""/news_sentiment/{symbol} and /bulk_news_sentiment through the FastAPI app, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.config import SettingsModel
from tradecycle.interfaces.api.app import create_app
from tradecycle.services import news

NOW = datetime(2015, 3, 2, 21, tzinfo=UTC)


@pytest.fixture
def client(db_url, make_ctx):
    engine = make_engine(db_url)
    metadata.create_all(engine)
    with engine.begin() as conn:
        news.run_phase(conn, make_ctx(["AAPL", "XOM"], NOW))
    yield TestClient(create_app(SettingsModel(database_url=db_url), engine), raise_server_exceptions=False)
    engine.dispose()


def test_recorded_rows_and_summary(client):
    body = client.get("/news_sentiment/aapl", params={"limit": 5}).json()
    assert body["symbol"] == "AAPL" and body["as_of"] is None
    assert body["total"] == body["articles"] > 5 and len(body["items"]) == 5
    assert body["sentiment_label"] in {"positive", "negative", "neutral"}
    assert all(item["symbol"] == "AAPL" for item in body["items"])


def test_live_as_of_never_returns_later_posts(client):
    body = client.get("/news_sentiment/XOM", params={"at": "2015-03-02T21:00:00Z", "limit": 100}).json()
    assert body["as_of"] == "2015-03-02T21:00:00+00:00" and body["total"] > 0
    assert all(item["article_date"] <= body["as_of"] for item in body["items"])


def test_bulk_recorded_and_live(client):
    recorded = client.get("/bulk_news_sentiment", params={"symbols": "AAPL,XOM,NOPE"}).json()["results"]
    assert recorded["AAPL"]["articles"] > 0 and recorded["NOPE"]["articles"] == 0
    live = client.get(
        "/bulk_news_sentiment", params={"symbols": "AAPL,XOM", "at": "2015-03-02T21:00:00Z"}
    ).json()
    assert set(live["results"]) == {"AAPL", "XOM"} and live["results"]["XOM"]["articles"] > 0


def test_bad_requests_are_clear_4xx(client):
    assert client.get("/news_sentiment/AAPL", params={"at": "2015-03-02T21:00:00"}).status_code == 422
    assert client.get("/news_sentiment/$$$").status_code == 422
    too_many = ",".join(f"S{i}" for i in range(101))
    response = client.get("/bulk_news_sentiment", params={"symbols": too_many})
    assert response.status_code == 422 and "at most 100" in response.text
