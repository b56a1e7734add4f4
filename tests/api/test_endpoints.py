"""Every reporting and dashboard endpoint on a populated database, on SQLite and PostgreSQL.

The numbers the API returns are compared with the rows the dataset wrote.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from tradecycle.adapters.store import schema as s


def test_daily_summary(api):
    client, _, data = api
    body = client.get("/daily_summary").json()
    assert body["date"] == data.sessions[-1].strftime("%Y-%m-%d")
    assert body["equity"] == pytest.approx(data.equity[-1])
    assert body["daily_pnl"] == pytest.approx(data.equity[-1] - data.equity[-2])
    older = client.get("/daily_summary", params={"date": data.sessions[12].strftime("%Y-%m-%d")}).json()
    assert older["equity"] == pytest.approx(data.equity[12]) and older["trades_opened"] == 1
    assert client.get("/daily_summary", params={"date": "not-a-date"}).status_code == 422
    ancient = client.get("/daily_summary", params={"date": "0001-01-01"})  # schemathesis found a 500
    assert ancient.status_code == 422 and "0001-01-01" in ancient.json()["error"]
    early = client.get("/daily_summary", params={"date": "1900-01-05", "history_days": 3660})
    assert early.status_code == 200 and early.json()["history"] == []


def test_trading_performance(api):
    client, _, data = api
    body = client.get("/trading_performance").json()
    assert body["sessions"] == len(data.sessions)
    assert body["returns"]["total_return"] == pytest.approx(data.equity[-1] / data.equity[0] - 1)
    assert body["benchmark"]["benchmark_total_return"] == pytest.approx(
        data.benchmark[-1] / data.benchmark[0] - 1
    )
    assert client.get("/trading_performance", params={"sessions": 5}).json()["returns"]["periods"] == 5
    assert client.get("/trading_performance", params={"sessions": 0}).status_code == 422


def test_pattern_effectiveness_pages_and_filters(api):
    client, _, _ = api
    full = client.get("/pattern_effectiveness").json()
    assert full["total"] == 4 and full["items"][0]["pattern_name"] == "hammer"
    page = client.get("/pattern_effectiveness", params={"limit": 1, "offset": 1}).json()
    assert page["items"][0] == full["items"][1]
    volume = client.get("/pattern_effectiveness", params={"pattern_type": "volume"}).json()
    assert [r["pattern_name"] for r in volume["items"]] == ["volume_spike"]
    assert client.get("/pattern_effectiveness", params={"min_trades": 1}).json()["total"] == 1


def test_cycle_analysis_and_health(api):
    client, _, data = api
    body = client.get("/cycle_analysis", params={"last": len(data.cycle_ids)}).json()
    assert body["cycles"] == len(data.cycle_ids) and body["failed"] == len(data.failed_cycle_ids)
    health = client.get("/system_health").json()
    assert health["last_cycle_id"] == data.cycle_ids[-1]
    assert {sv["service_name"] for sv in health["services"]} == {"coordinator", "scanner"}


def test_tearsheet_is_self_contained(api):
    client, _, _ = api
    response = client.get("/tearsheet")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<svg" in response.text and "Sharpe" in response.text
    assert (
        "http://" not in response.text and "https://" not in response.text and "<script" not in response.text
    )


def test_overview_matches_the_database(api):
    client, engine, data = api
    body = client.get("/dashboard/overview").json()
    with engine.connect() as conn:
        positions = conn.execute(select(s.positions.c.symbol, s.positions.c.unrealized_pnl)).all()
    assert body["equity"] == pytest.approx(data.equity[-1])
    assert {p["symbol"]: p["unrealized_pnl"] for p in body["positions"]} == pytest.approx(dict(positions))
    assert body["last_cycle"]["cycle_id"] == data.cycle_ids[-1] and body["running_cycle"] is None
    with engine.connect() as conn:
        newest = conn.execute(select(s.trades.c.id).order_by(s.trades.c.id.desc()).limit(12)).scalars().all()
    assert [t["id"] for t in body["recent_trades"]] == newest


def test_equity_series(api):
    client, _, data = api
    points = client.get("/dashboard/equity").json()["points"]
    assert [p["equity"] for p in points] == pytest.approx(list(data.equity))
    assert points[0]["benchmark_rebased"] == pytest.approx(points[0]["equity"])
    assert min(p["drawdown"] for p in points) <= 0


def test_cycle_list_and_detail(api):
    client, _, data = api
    page = client.get("/dashboard/cycles", params={"limit": 3}).json()
    assert page["total"] == len(data.cycle_ids)
    assert [c["cycle_id"] for c in page["items"]] == list(reversed(data.cycle_ids))[:3]
    assert len(page["items"][0]["phases"]) == 11
    failed = client.get("/dashboard/cycles", params={"status": "failed"}).json()
    assert {c["cycle_id"] for c in failed["items"]} == set(data.failed_cycle_ids)
    detail = client.get(f"/dashboard/cycles/{data.cycle_ids[3]}").json()
    assert len(detail["candidates"]) == 5 and len(detail["signals"]) == 5
    assert {r["decision"] for r in detail["risk_decisions"]} == {"approve", "deny"}
    assert detail["orders"][0]["order_id"].startswith(data.cycle_ids[3])
    assert client.get("/dashboard/cycles/cycle_19990101_000000").status_code == 404
    assert client.get("/dashboard/cycles", params={"status": "bogus"}).status_code == 422


def test_symbol_page(api):
    client, engine, data = api
    body = client.get("/dashboard/symbols/aapl", params={"sessions": 20}).json()
    with engine.connect() as conn:
        last_close = conn.execute(
            select(s.market_data.c.close)
            .where(s.market_data.c.symbol == "AAPL")
            .order_by(s.market_data.c.timestamp.desc())
        ).first()[0]
    assert body["symbol"] == "AAPL" and len(body["bars"]) == 20
    assert body["bars"][-1]["close"] == pytest.approx(last_close)
    assert body["bars"][-1]["time"] == data.sessions[-1].strftime("%Y-%m-%d")
    assert body["patterns"] and body["indicators"] and body["news"]
    assert {i["indicator_name"] for i in body["indicators"]} == {"RSI", "MACD", "SMA_20"}
    assert client.get("/dashboard/symbols/NOPE").status_code == 404


def test_trades_filter_page_and_csv(api):
    client, engine, _ = api
    with engine.connect() as conn:
        closed = conn.execute(select(func.count()).where(s.trades.c.status == "closed")).scalar_one()
    page = client.get("/dashboard/trades", params={"status": "closed", "limit": 5}).json()
    assert page["total"] == closed and len(page["items"]) == 5
    assert all(t["status"] == "closed" for t in page["items"])
    aapl = client.get("/dashboard/trades", params={"symbol": "AAPL"}).json()
    exported = list(
        csv.DictReader(io.StringIO(client.get("/dashboard/trades.csv", params={"symbol": "AAPL"}).text))
    )
    assert [int(r["id"]) for r in exported] == [t["id"] for t in aapl["items"]]
    assert client.get("/dashboard/trades", params={"side": "HOLD"}).status_code == 422


def test_system_page(api):
    client, _, _ = api
    body = client.get("/dashboard/system").json()
    assert body["token_configured"] is True
    assert body["schedule"]["interval_minutes"] == 30
    assert body["health"]["database"] in {"sqlite", "postgresql"}
