"""The Alpaca paper broker on recorded responses: idempotent submits, cancels, and reconciliation
of our orders and positions tables (SQLite and PostgreSQL) with what Alpaca holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from tradecycle.adapters.brokers.alpaca import (
    AlpacaBroker,
    AlpacaExecutionBroker,
    alpaca_fills,
    open_alpaca_broker,
    reconcile,
)
from tradecycle.adapters.brokers.base import Broker, OrderRequest
from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import BrokerSettings
from tradecycle.core.types import OrderStatus, OrderType, Side, TimeInForce
from tradecycle.errors import ConfigError, DataError, NotFoundError

from .conftest import recorded

PAPER = "https://paper-api.alpaca.markets/v2"
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
SETTINGS = BrokerSettings(kind="alpaca", alpaca_api_key="PKTESTKEY0000000000", alpaca_secret_key="secret-xyz")
AAPL_ID = "cycle_20261124_210000:AAPL:entry"


def _by_client_id(orders: dict[str, dict]):
    def answer(call):
        found = orders.get(call.params["client_order_id"])
        return (200, found) if found else (404, recorded("alpaca_error_order_not_found.json"))

    return answer


def test_submit_sends_our_client_order_id_and_a_bracket(alpaca_http, no_wait):
    alpaca_http.add("POST", f"{PAPER}/orders", (200, recorded("alpaca_order_submitted.json")))
    broker = AlpacaBroker(SETTINGS)
    order = broker.submit(
        OrderRequest(AAPL_ID, "AAPL", Side.BUY, 12, take_profit=283.456, stop_loss=269.1, intent="entry")
    )
    assert isinstance(broker, Broker)
    body = alpaca_http.calls[0].body
    assert body["client_order_id"] == AAPL_ID
    assert body["order_class"] == "bracket"
    assert body["take_profit"] == {"limit_price": 283.46}
    assert body["stop_loss"] == {"stop_price": 269.1}
    assert (body["type"], body["side"], body["qty"], body["time_in_force"]) == ("market", "buy", 12, "day")
    assert order.broker_order_id == "61e69015-8549-4bfd-b9c3-01e75843f47d"
    assert order.status is OrderStatus.SUBMITTED
    assert (order.client_order_id, order.quantity, order.order_type) == (AAPL_ID, 12, OrderType.MARKET)


def test_a_retried_submit_never_doubles_the_order(alpaca_http, no_wait):
    """The first POST's answer is lost; the retry hits 'client_order_id must be unique' and
    we return the order Alpaca already has."""
    alpaca_http.add(
        "GET",
        f"{PAPER}/orders:by_client_order_id",
        _by_client_id({AAPL_ID: recorded("alpaca_order_submitted.json")}),
    )
    alpaca_http.add(
        "POST",
        f"{PAPER}/orders",
        requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"),
        (422, recorded("alpaca_error_duplicate_client_order_id.json")),
    )
    order = AlpacaBroker(SETTINGS).submit(OrderRequest(AAPL_ID, "AAPL", Side.BUY, 12))
    assert len(alpaca_http.calls_to("/orders")) == 3
    assert [c.method for c in alpaca_http.calls] == ["POST", "POST", "GET"]
    assert order.broker_order_id == "61e69015-8549-4bfd-b9c3-01e75843f47d"


def test_limit_stop_and_gtc_orders_map_to_alpaca_requests(alpaca_http, no_wait):
    alpaca_http.add("POST", f"{PAPER}/orders", (200, recorded("alpaca_order_submitted.json")))
    broker = AlpacaBroker(SETTINGS)
    broker.submit(
        OrderRequest(
            "c:MSFT:exit",
            "MSFT",
            Side.SELL,
            5,
            order_type=OrderType.STOP_LIMIT,
            time_in_force=TimeInForce.GTC,
            limit_price=470.004,
            stop_price=471.0,
        )
    )
    body = alpaca_http.calls[0].body
    assert (body["type"], body["side"], body["time_in_force"]) == ("stop_limit", "sell", "gtc")
    assert (body["limit_price"], body["stop_price"]) == (470.0, 471.0)
    assert "order_class" not in body or body["order_class"] in (None, "simple")


def test_cancel_by_client_order_id_and_unknown_ids(alpaca_http, no_wait):
    order = recorded("alpaca_order_submitted.json")
    canceled = dict(order, status="canceled", canceled_at="2026-11-24T14:40:00Z")
    alpaca_http.add("GET", f"{PAPER}/orders:by_client_order_id", _by_client_id({AAPL_ID: order}))
    alpaca_http.add("DELETE", f"{PAPER}/orders/{order['id']}", (204, None))
    alpaca_http.add("GET", f"{PAPER}/orders/{order['id']}", (200, canceled))
    broker = AlpacaBroker(SETTINGS)
    assert broker.cancel(AAPL_ID).status is OrderStatus.CANCELLED
    with pytest.raises(NotFoundError, match="no order with client_order_id nope"):
        broker.cancel("nope")


def test_account_and_positions_are_decimals(alpaca_http, no_wait):
    alpaca_http.add("GET", f"{PAPER}/account", (200, recorded("alpaca_account.json")))
    alpaca_http.add("GET", f"{PAPER}/positions", (200, recorded("alpaca_positions.json")))
    broker = AlpacaBroker(SETTINGS)
    account = broker.account()
    assert account.cash == Decimal("95184.15") and account.equity == Decimal("99999.36")
    positions = {p.symbol: p for p in broker.positions()}
    assert positions["JPM"].quantity == 8 and positions["JPM"].average_cost == Decimal("301.45")


def test_refused_keys_and_missing_keys_are_config_errors(alpaca_http, no_wait):
    alpaca_http.add("GET", f"{PAPER}/account", (403, recorded("alpaca_error_forbidden.json")))
    with pytest.raises(ConfigError, match="Alpaca paper trading refused the API keys"):
        AlpacaBroker(SETTINGS).account()
    with pytest.raises(ConfigError, match="Alpaca API key and secret key missing"):
        AlpacaBroker(BrokerSettings(kind="alpaca")).account()


# ---------------------------------------------------------------- reconciliation


def _alpaca_account(conn) -> int:
    return conn.execute(
        s.accounts.insert().values(name="alpaca-default", broker="alpaca").returning(s.accounts.c.id)
    ).scalar_one()


def _seed(conn) -> int:
    account_id = conn.execute(
        s.accounts.insert()
        .values(name="alpaca-default", broker="alpaca", metadata='{"note": "kept"}')
        .returning(s.accounts.c.id)
    ).scalar_one()
    conn.execute(s.symbols.insert(), [{"symbol": x} for x in ("AAPL", "MSFT", "JPM", "NVDA", "AMZN")])

    def order(symbol, cycle, qty, status="submitted"):
        cid = f"{cycle}:{symbol}:entry"
        return {
            "order_id": cid,
            "client_order_id": cid,
            "symbol": symbol,
            "order_type": "MARKET",
            "side": "BUY",
            "quantity": qty,
            "status": status,
            "filled_quantity": 0,
            "created_timestamp": NOW,
            "account_id": account_id,
        }

    conn.execute(
        s.orders.insert(),
        [
            order("AAPL", "cycle_20261124_210000", 12),  # Alpaca: new, nothing filled -> agrees
            order("MSFT", "cycle_20261124_210000", 20),  # Alpaca: partially filled 5
            order("JPM", "cycle_20261123_210000", 8),  # Alpaca: filled (no longer open there)
            order("NVDA", "cycle_20261124_210000", 4),  # Alpaca never saw it
            order("AMZN", "cycle_20261120_210000", 3, status="filled"),  # closed here: not checked
        ],
    )
    conn.execute(
        s.positions.insert(),
        [
            {"symbol": "JPM", "quantity": 4, "average_cost": 301.45, "account_id": account_id},
            {"symbol": "AMZN", "quantity": 10, "average_cost": 225.0, "account_id": account_id},
        ],
    )
    return account_id


def _broker_routes(router) -> None:
    router.add(
        "GET",
        f"{PAPER}/orders:by_client_order_id",
        _by_client_id({"cycle_20261123_210000:JPM:entry": recorded("alpaca_order_jpm_filled.json")}),
    )
    router.add("GET", f"{PAPER}/orders", (200, recorded("alpaca_orders_open.json")))
    router.add("GET", f"{PAPER}/positions", (200, recorded("alpaca_positions.json")))


def test_reconcile_records_every_difference_and_changes_nothing_else(db_url, alpaca_http, no_wait):
    _broker_routes(alpaca_http)
    engine = prepare_database(db_url)
    try:
        with engine.begin() as conn:
            account_id = _seed(conn)
            broker, report = open_alpaca_broker(conn, SETTINGS, account_id, NOW)
        assert isinstance(broker, AlpacaBroker)
        found = sorted((d.kind, d.symbol) for d in report.differences)  # JPM's open bracket legs are ours
        assert found == [
            ("order_missing_at_broker", "NVDA"),
            ("order_status", "JPM"),
            ("order_status", "MSFT"),
            ("order_unknown", "XOM"),
            ("position_missing_at_broker", "AMZN"),
            ("position_quantity", "JPM"),
            ("position_unknown", "MSFT"),
        ]
        assert not report.ok and report.orders_checked == 4 and report.positions_checked == 3
        assert alpaca_http.calls_to(f"{PAPER}/orders")[0].params["nested"] is True  # legs come with parents
        msft = next(d for d in report.differences if d.kind == "order_status" and d.symbol == "MSFT")
        assert msft.detail == "here submitted 0/20 filled, Alpaca partial 5/20"
        assert msft.broker["average_fill_price"] == pytest.approx(478.12)

        with engine.connect() as conn:
            history = conn.execute(
                select(
                    s.order_history.c.order_id,
                    s.order_history.c.from_status,
                    s.order_history.c.to_status,
                    s.order_history.c.reason,
                    s.order_history.c.metadata,
                    s.order_history.c.timestamp,
                ).order_by(s.order_history.c.order_id)
            ).all()
            statuses = dict(conn.execute(select(s.orders.c.symbol, s.orders.c.status)).all())
            meta = json.loads(conn.execute(select(s.accounts.c.metadata)).scalar_one())
        assert [h.order_id.split(":")[1] for h in history] == ["JPM", "MSFT", "NVDA"]
        assert all(h.from_status == h.to_status == "submitted" for h in history)
        assert all(h.timestamp == NOW for h in history)
        assert history[0].reason.startswith("reconcile: order_status: JPM")
        assert json.loads(history[0].metadata)["broker"]["status"] == "filled"
        assert statuses == {
            "AAPL": "submitted",
            "MSFT": "submitted",
            "JPM": "submitted",
            "NVDA": "submitted",
            "AMZN": "filled",
        }  # reconcile reports; it never edits our orders
        assert meta["note"] == "kept"
        assert meta["broker_reconcile"]["ok"] is False
        assert len(meta["broker_reconcile"]["differences"]) == 7
    finally:
        engine.dispose()


def test_reconcile_of_matching_books_is_clean(sqlite_url, alpaca_http, no_wait):
    alpaca_http.add("GET", f"{PAPER}/orders", (200, [recorded("alpaca_orders_open.json")[0]]))
    alpaca_http.add("GET", f"{PAPER}/positions", (200, []))
    engine = prepare_database(sqlite_url)
    with engine.begin() as conn:
        account_id = _alpaca_account(conn)
        conn.execute(
            s.orders.insert().values(
                order_id=AAPL_ID,
                client_order_id=AAPL_ID,
                symbol="AAPL",
                order_type="MARKET",
                side="BUY",
                quantity=12,
                status="submitted",
                filled_quantity=0,
                created_timestamp=NOW,
                account_id=account_id,
            )
        )
        report = reconcile(conn, account_id, AlpacaBroker(SETTINGS), NOW)
        assert report.ok and report.orders_checked == 1
        assert conn.execute(select(s.order_history)).all() == []
    with pytest.raises(NotFoundError, match="account 999 not found"), engine.begin() as conn:
        reconcile(conn, 999, AlpacaBroker(SETTINGS), NOW)
    engine.dispose()


# ---------------------------------------------------------------- the cycle's execution on Alpaca


def test_execution_broker_keeps_alpaca_orders_in_our_book_and_never_resends(db_url, alpaca_http):
    alpaca_http.add("POST", f"{PAPER}/orders", (200, recorded("alpaca_order_submitted.json")))
    engine = prepare_database(db_url)
    try:
        with engine.begin() as conn:
            account_id = _alpaca_account(conn)
            conn.execute(s.symbols.insert().values(symbol="AAPL"))
            broker = AlpacaExecutionBroker(conn, account_id, NOW, "cycle_20261124_210000", SETTINGS)
            request = OrderRequest(AAPL_ID, "AAPL", Side.BUY, 12, take_profit=290.0, stop_loss=270.0)
            first = broker.submit(request)
            again = broker.submit(request)
            row = conn.execute(select(s.orders).where(s.orders.c.client_order_id == AAPL_ID)).one()
            history = conn.execute(
                select(s.order_history.c.to_status).order_by(s.order_history.c.id)
            ).scalars()
            assert [h for h in history] == ["pending", "submitted"]
        assert len(alpaca_http.calls) == 1  # the second submit found our own row
        assert first == again and first.status is OrderStatus.SUBMITTED
        assert row.broker_order_id == "61e69015-8549-4bfd-b9c3-01e75843f47d"
        assert (row.cycle_id, row.quantity, row.account_id) == ("cycle_20261124_210000", 12, account_id)
    finally:
        engine.dispose()


def test_a_failed_alpaca_submit_records_nothing(sqlite_url, alpaca_http):
    alpaca_http.add("POST", f"{PAPER}/orders", requests.exceptions.ConnectionError("Network is unreachable"))
    engine = prepare_database(sqlite_url)
    with engine.begin() as conn:
        account_id = _alpaca_account(conn)
        broker = AlpacaExecutionBroker(conn, account_id, NOW, "c", SETTINGS)
        with pytest.raises(DataError, match="cannot reach Alpaca paper trading"):
            broker.submit(OrderRequest(AAPL_ID, "AAPL", Side.BUY, 12))
        assert conn.execute(select(s.orders)).all() == []
    engine.dispose()


def test_alpaca_fills_reports_only_shares_not_yet_booked(sqlite_url, alpaca_http):
    _broker_routes(alpaca_http)
    engine = prepare_database(sqlite_url)
    with engine.begin() as conn:
        account_id = _seed(conn)
        msft = "cycle_20261124_210000:MSFT:entry"
        broker = AlpacaExecutionBroker(conn, account_id, NOW, "c", SETTINGS)
        fills = {row.symbol: (qty, price) for row, qty, price in alpaca_fills(broker)}
        assert fills == {"MSFT": (5, pytest.approx(478.12)), "JPM": (8, pytest.approx(301.45))}

        row = broker.find(msft)  # book 2 of MSFT's 5 at 478.00: only 3 more remain, at the implied price
        broker.record_fill(row, 2, 478.00, 1.0, "2026-11-24", "alpaca fill")
        fills = {row.symbol: (qty, price) for row, qty, price in alpaca_fills(broker)}
        assert fills["MSFT"] == (3, pytest.approx((5 * 478.12 - 2 * 478.00) / 3))
    engine.dispose()
