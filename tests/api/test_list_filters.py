"""Filters of the trading list endpoints and the symbol page's newest-first lists, against the rows."""

from __future__ import annotations

from sqlalchemy import func, select

from tradecycle.adapters.store import schema as s


def _count(engine, table, *conditions) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()


def test_orders_filter_by_status_symbol_and_cycle(api):
    client, engine, data = api
    o = s.orders.c
    everything = client.get("/orders").json()
    assert everything["total"] == _count(engine, s.orders)
    aapl = client.get("/orders", params={"symbol": "aapl", "status": "filled"}).json()
    assert aapl["total"] == _count(engine, s.orders, o.symbol == "AAPL", o.status == "filled") > 0
    assert {(r["symbol"], r["status"]) for r in aapl["items"]} == {("AAPL", "filled")}
    cycle = data.cycle_ids[3]
    in_cycle = client.get("/orders", params={"cycle_id": cycle}).json()
    assert in_cycle["total"] == _count(engine, s.orders, o.cycle_id == cycle) > 0
    assert client.get("/orders", params={"symbol": ""}).json()["total"] == everything["total"]


def test_trades_filter_by_status_and_symbol(api):
    client, engine, _ = api
    t = s.trades.c
    closed = client.get("/trades", params={"status": "closed", "symbol": "AAPL"}).json()
    assert closed["total"] == _count(engine, s.trades, t.status == "closed", t.symbol == "AAPL") > 0
    assert {(r["symbol"], r["status"]) for r in closed["items"]} == {("AAPL", "closed")}
    assert client.get("/trades").json()["total"] == _count(engine, s.trades)


def test_symbol_page_lists_are_newest_first_with_their_columns(api):
    client, _, _ = api
    body = client.get("/dashboard/symbols/AAPL", params={"sessions": 20}).json()
    assert list(body["news"][0]) == [
        "headline", "source", "article_date", "sentiment_score", "sentiment_label", "relevance_score", "cycle_id",
    ]  # fmt: skip
    assert list(body["patterns"][0])[-2:] == ["detection_timestamp", "cycle_id"]
    for key, stamp, limit in (("patterns", "detection_timestamp", 500), ("news", "article_date", 50)):
        stamps = [row[stamp] for row in body[key]]
        assert stamps == sorted(stamps, reverse=True) and 0 < len(stamps) <= limit
