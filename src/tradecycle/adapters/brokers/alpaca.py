"""Alpaca's paper trading API as a Broker (optional extra `alpaca`: alpaca-py), with
reconciliation of our orders and positions tables against what Alpaca holds.

Idempotence: every order carries our client order id (cycle:symbol:intent). When a
submit is retried after a lost response, Alpaca answers 422 "client_order_id must be
unique"; we then return the order it already has, so a retry never doubles an order.

Reconciliation runs when the broker is opened (`open_alpaca_broker`) and on demand
(`tradecycle broker reconcile`). It changes no order or position: every difference
becomes an `order_history` row on the order it concerns (from_status = to_status = our
status, reason "reconcile: ...", the broker's view in metadata) and the whole report
is kept under "broker_reconcile" in the account's metadata, so an operator decides.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select, update

from tradecycle.adapters.marketdata.providers.alpaca import AlpacaService, api_message
from tradecycle.adapters.marketdata.providers.ratelimit import RateLimiter, RetryPolicy
from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.bulk import insert_rows, to_json
from tradecycle.config import BrokerSettings
from tradecycle.core.orders import OPEN_STATUSES
from tradecycle.core.types import OrderStatus, OrderType, Side, TimeInForce
from tradecycle.errors import NotFoundError

from .base import BrokerAccount, BrokerOrder, BrokerPosition, OrderRequest
from .paper import PaperBroker
from .paper import to_broker_order as stored_order

SERVICE = "Alpaca paper trading"
_STATUS = {
    "filled": OrderStatus.FILLED,
    "partially_filled": OrderStatus.PARTIAL,
    "canceled": OrderStatus.CANCELLED,
    "expired": OrderStatus.CANCELLED,
    "done_for_day": OrderStatus.CANCELLED,
    "replaced": OrderStatus.CANCELLED,
    "rejected": OrderStatus.REJECTED,
    "suspended": OrderStatus.REJECTED,
}
_TYPE = {"market": OrderType.MARKET, "limit": OrderType.LIMIT, "stop": OrderType.STOP}
_TYPE |= {"stop_limit": OrderType.STOP_LIMIT, "trailing_stop": OrderType.STOP}


class AlpacaBroker(AlpacaService):
    """The Broker protocol over alpaca-py's TradingClient (paper endpoint by default)."""

    name = "alpaca"
    service = SERVICE

    def __init__(
        self,
        settings: BrokerSettings,
        *,
        client: Any = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(
            settings.alpaca_api_key, settings.alpaca_secret_key, limiter=limiter, retry=retry, client=client
        )
        self.settings = settings

    def _new_client(self, key: str, secret: str) -> Any:
        from alpaca.trading.client import TradingClient

        return TradingClient(key, secret, paper=True, url_override=self.settings.alpaca_paper_url)

    def submit(self, order: OrderRequest) -> BrokerOrder:
        """Place `order`; if Alpaca already has its client order id, return that order instead."""
        from alpaca.common.exceptions import APIError

        request = order_request(order)
        client = self.client

        def place() -> Any:
            try:
                return client.submit_order(request)
            except APIError as exc:
                if exc.status_code == 422 and "client_order_id" in api_message(exc):
                    return client.get_order_by_client_id(order.client_order_id)
                raise

        return to_broker_order(self._call(place))

    def get(self, client_order_id: str) -> BrokerOrder | None:
        """The broker's order for our id, or None if Alpaca never saw it."""
        try:
            return to_broker_order(self._call(lambda: self.client.get_order_by_client_id(client_order_id)))
        except NotFoundError:
            return None

    def cancel(self, client_order_id: str) -> BrokerOrder:
        existing = self.get(client_order_id)
        if existing is None:
            raise NotFoundError(f"Alpaca has no order with client_order_id {client_order_id}")
        self._call(lambda: self.client.cancel_order_by_id(existing.broker_order_id))
        return to_broker_order(self._call(lambda: self.client.get_order_by_id(existing.broker_order_id)))

    def open_orders(self) -> list[BrokerOrder]:
        return self.open_orders_and_legs()[0]

    def open_orders_and_legs(self) -> tuple[list[BrokerOrder], dict[str, str]]:
        """Open orders with bracket legs flattened in, and each leg's parent client order id.

        Alpaca gives a bracket's stop and target legs client ids of its own; knowing their
        parent lets reconciliation recognise them as ours.
        """
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        request = GetOrdersRequest(status=QueryOrderStatus.OPEN, limit=500, nested=True)
        orders, parents = [], {}
        for o in self._call(lambda: self.client.get_orders(filter=request)):
            orders.append(to_broker_order(o))
            for leg in o.legs or []:
                orders.append(to_broker_order(leg))
                parents[str(leg.client_order_id)] = str(o.client_order_id)
        return orders, parents

    def positions(self) -> list[BrokerPosition]:
        return [to_broker_position(p) for p in self._call(lambda: self.client.get_all_positions())]

    def account(self) -> BrokerAccount:
        a = self._call(lambda: self.client.get_account())
        return BrokerAccount(
            account_id=str(a.account_number),
            cash=Decimal(str(a.cash)),
            equity=Decimal(str(a.equity if a.equity is not None else a.portfolio_value)),
            buying_power=Decimal(str(a.buying_power)),
            currency=str(a.currency or "USD"),
        )


def order_request(order: OrderRequest) -> Any:
    """Our OrderRequest -> alpaca-py's request; stop + target make it a bracket order."""
    from alpaca.trading import requests as r
    from alpaca.trading.enums import OrderClass, OrderSide
    from alpaca.trading.enums import TimeInForce as AlpacaTif

    common: dict[str, Any] = {
        "symbol": order.symbol,
        "qty": order.quantity,
        "side": OrderSide.BUY if order.side is Side.BUY else OrderSide.SELL,
        "time_in_force": AlpacaTif.GTC if order.time_in_force is TimeInForce.GTC else AlpacaTif.DAY,
        "client_order_id": order.client_order_id,
    }
    if order.take_profit is not None and order.stop_loss is not None:
        common["order_class"] = OrderClass.BRACKET
        common["take_profit"] = r.TakeProfitRequest(limit_price=round(order.take_profit, 2))
        common["stop_loss"] = r.StopLossRequest(stop_price=round(order.stop_loss, 2))
    if order.order_type is OrderType.MARKET:
        return r.MarketOrderRequest(**common)
    if order.order_type is OrderType.LIMIT:
        return r.LimitOrderRequest(limit_price=round(order.limit_price, 2), **common)
    if order.order_type is OrderType.STOP:
        return r.StopOrderRequest(stop_price=round(order.stop_price, 2), **common)
    return r.StopLimitOrderRequest(
        limit_price=round(order.limit_price, 2), stop_price=round(order.stop_price, 2), **common
    )


def _value(enum_or_str: Any) -> str:
    return str(getattr(enum_or_str, "value", enum_or_str) or "")


def _float(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def to_broker_order(o: Any) -> BrokerOrder:
    """alpaca-py's Order model -> BrokerOrder (statuses folded onto our state machine)."""
    status = _STATUS.get(_value(o.status), OrderStatus.SUBMITTED)
    kind = _TYPE.get(_value(o.type or o.order_type), OrderType.MARKET)
    return BrokerOrder(
        client_order_id=str(o.client_order_id),
        broker_order_id=str(o.id),
        symbol=str(o.symbol),
        side=Side.BUY if _value(o.side) == "buy" else Side.SELL,
        quantity=int(float(o.qty or 0)),
        order_type=kind,
        time_in_force=TimeInForce.GTC if _value(o.time_in_force) == "gtc" else TimeInForce.DAY,
        status=status,
        filled_quantity=int(float(o.filled_qty or 0)),
        average_fill_price=_float(o.filled_avg_price),
        limit_price=_float(o.limit_price),
        stop_price=_float(o.stop_price),
    )


def to_broker_position(p: Any) -> BrokerPosition:
    quantity = abs(int(float(p.qty)))
    return BrokerPosition(
        symbol=str(p.symbol),
        quantity=-quantity if _value(p.side) == "short" else quantity,
        average_cost=Decimal(str(p.avg_entry_price)),
        market_value=Decimal(str(p.market_value)) if p.market_value is not None else None,
    )


# ---------------------------------------------------------------- reconciliation


@dataclass(frozen=True)
class Difference:
    kind: str  # order_missing_at_broker | order_status | order_unknown | position_* (see reconcile)
    symbol: str
    detail: str
    client_order_id: str | None = None
    ours: dict[str, Any] = field(default_factory=dict)
    broker: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        ref = f" {self.client_order_id}" if self.client_order_id else ""
        return f"{self.kind}: {self.symbol}{ref}: {self.detail}"


@dataclass(frozen=True)
class BrokerReconcileReport:
    account_id: int
    at: datetime
    orders_checked: int
    positions_checked: int
    differences: tuple[Difference, ...]

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "at": self.at.isoformat(),
            "orders_checked": self.orders_checked,
            "positions_checked": self.positions_checked,
            "ok": self.ok,
            "differences": [asdict(d) for d in self.differences],
        }


def reconcile(
    conn: Connection, account_id: int, broker: AlpacaBroker, now: datetime
) -> BrokerReconcileReport:
    """Compare our open orders and positions with Alpaca's; record and return every difference."""
    account = conn.execute(select(s.accounts.c.metadata).where(s.accounts.c.id == account_id)).first()
    if account is None:
        raise NotFoundError(
            f"account {account_id} not found; run a cycle or `tradecycle portfolio show` first"
        )
    ours_orders = conn.execute(
        select(
            s.orders.c.order_id,
            s.orders.c.client_order_id,
            s.orders.c.symbol,
            s.orders.c.status,
            s.orders.c.quantity,
            s.orders.c.filled_quantity,
        )
        .where(
            s.orders.c.account_id == account_id, s.orders.c.status.in_(sorted(x.value for x in OPEN_STATUSES))
        )
        .order_by(s.orders.c.id)
    ).all()
    ours_positions = {
        row.symbol: int(row.quantity)
        for row in conn.execute(
            select(s.positions.c.symbol, s.positions.c.quantity).where(
                s.positions.c.account_id == account_id, s.positions.c.quantity > 0
            )
        )
    }
    listed, leg_parents = broker.open_orders_and_legs()
    broker_open = {o.client_order_id: o for o in listed}
    known = set(
        conn.execute(
            select(s.orders.c.client_order_id).where(
                s.orders.c.account_id == account_id,
                s.orders.c.client_order_id.in_(sorted(set(leg_parents.values()))),
            )
        ).scalars()
    )
    broker_positions = {p.symbol: p for p in broker.positions()}

    diffs: list[tuple[Difference, Any]] = []
    for row in ours_orders:
        ours = {"status": row.status, "quantity": row.quantity, "filled_quantity": row.filled_quantity or 0}
        theirs = broker_open.pop(row.client_order_id, None) if row.client_order_id else None
        if theirs is None and row.client_order_id:
            theirs = broker.get(row.client_order_id)
        if theirs is None:
            diff = Difference(
                "order_missing_at_broker",
                row.symbol,
                "open here, unknown to Alpaca",
                row.client_order_id,
                ours,
            )
            diffs.append((diff, row))
            continue
        view = _order_view(theirs)
        if theirs.status.value != row.status or theirs.filled_quantity != ours["filled_quantity"]:
            detail = (
                f"here {row.status} {ours['filled_quantity']}/{row.quantity} filled, "
                f"Alpaca {theirs.status.value} {theirs.filled_quantity}/{theirs.quantity}"
            )
            diffs.append(
                (Difference("order_status", row.symbol, detail, row.client_order_id, ours, view), row)
            )
    for theirs in broker_open.values():
        if leg_parents.get(theirs.client_order_id) in known:
            continue  # the stop or target leg of one of our bracket orders
        detail = f"open at Alpaca ({theirs.side.value} {theirs.quantity}), not in our orders"
        diffs.append(
            (
                Difference(
                    "order_unknown", theirs.symbol, detail, theirs.client_order_id, {}, _order_view(theirs)
                ),
                None,
            )
        )
    for symbol in sorted(set(ours_positions) | set(broker_positions)):
        here = ours_positions.get(symbol, 0)
        there = broker_positions[symbol].quantity if symbol in broker_positions else 0
        if here == there:
            continue
        kind = (
            "position_quantity"
            if here and there
            else ("position_unknown" if there else "position_missing_at_broker")
        )
        detail = f"{here} shares here, {there} at Alpaca"
        diffs.append((Difference(kind, symbol, detail, None, {"quantity": here}, {"quantity": there}), None))

    report = BrokerReconcileReport(
        account_id=account_id,
        at=now,
        orders_checked=len(ours_orders),
        positions_checked=len(set(ours_positions) | set(broker_positions)),
        differences=tuple(d for d, _ in diffs),
    )
    _record(conn, report, diffs, account.metadata)
    return report


def _order_view(o: BrokerOrder) -> dict[str, Any]:
    return {
        "broker_order_id": o.broker_order_id,
        "status": o.status.value,
        "quantity": o.quantity,
        "filled_quantity": o.filled_quantity,
        "average_fill_price": o.average_fill_price,
    }


def _record(
    conn: Connection, report: BrokerReconcileReport, diffs: list[tuple[Difference, Any]], current: str | None
) -> None:
    insert_rows(
        conn,
        s.order_history,
        [
            {
                "order_id": row.order_id,
                "from_status": row.status,
                "to_status": row.status,
                "filled_quantity": row.filled_quantity or 0,
                "fill_price": None,
                "timestamp": report.at,
                "reason": f"reconcile: {diff}",
                "metadata": {"reconcile": diff.kind, "ours": diff.ours, "broker": diff.broker},
            }
            for diff, row in diffs
            if row is not None
        ],
    )
    try:
        meta = json.loads(current) if current else {}
    except ValueError:
        meta = {"previous_metadata": current}
    meta["broker_reconcile"] = report.as_dict()
    conn.execute(
        update(s.accounts).where(s.accounts.c.id == report.account_id).values(metadata=to_json(meta))
    )


def open_alpaca_broker(
    conn: Connection, settings: BrokerSettings, account_id: int, now: datetime, *, client: Any = None
) -> tuple[AlpacaBroker, BrokerReconcileReport]:
    """The broker, reconciled on start: call this once when a live run opens, inside a transaction."""
    broker = AlpacaBroker(settings, client=client)
    return broker, reconcile(conn, account_id, broker, now)


# ---------------------------------------------------------------- the cycle's execution on Alpaca


class AlpacaExecutionBroker(PaperBroker):
    """Orders go to Alpaca *and* into our orders table (same state machine and order_history
    as paper orders), so the ledger, the dashboard and reconciliation see one book.

    Submitting asks Alpaca first: if that fails nothing is recorded and the retried cycle
    submits the same client order id again, which Alpaca answers with the existing order.
    Fills come from Alpaca through `alpaca_fills`, never from the simulated fill model.
    """

    name = "alpaca"

    def __init__(
        self,
        conn: Connection,
        account_id: int,
        now: datetime,
        cycle_id: str | None,
        settings: BrokerSettings,
        *,
        remote: AlpacaBroker | None = None,
    ) -> None:
        super().__init__(conn, account_id, now, cycle_id)
        self.remote = remote or AlpacaBroker(settings)

    def submit(self, order: OrderRequest) -> BrokerOrder:
        if self.find(order.client_order_id) is not None:
            return super().submit(order)  # already ours: the stored order, nothing sent
        placed = self.remote.submit(order)
        super().submit(order)
        self.conn.execute(
            update(s.orders)
            .where(s.orders.c.client_order_id == order.client_order_id)
            .values(broker_order_id=placed.broker_order_id)
        )
        if placed.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
            self._move(
                order.client_order_id, OrderStatus.SUBMITTED, placed.status, f"Alpaca: {placed.status.value}"
            )
        return stored_order(self.find(order.client_order_id))

    def cancel(self, client_order_id: str) -> BrokerOrder:
        self.remote.cancel(client_order_id)
        return super().cancel(client_order_id)


def alpaca_fills(broker: AlpacaExecutionBroker) -> list[tuple[Any, int, float]]:
    """(order row, new shares, their price) for every open order of ours that Alpaca filled further.

    One request lists Alpaca's open orders (partials); each of our open orders Alpaca no
    longer has open is looked up once (filled or cancelled there). The price of the new
    shares comes from the two average prices, so a partial fill booked earlier is not
    booked again.
    """
    rows = broker.open_order_rows()
    if not rows:
        return []
    remote_open = {o.client_order_id: o for o in broker.remote.open_orders()}
    fills: list[tuple[Any, int, float]] = []
    for row in rows:
        theirs = remote_open.get(row.client_order_id) or broker.remote.get(row.client_order_id)
        booked = row.filled_quantity or 0
        if theirs is None or theirs.average_fill_price is None or theirs.filled_quantity <= booked:
            continue
        new = theirs.filled_quantity - booked
        total = theirs.average_fill_price * theirs.filled_quantity - (row.average_fill_price or 0.0) * booked
        fills.append((row, new, round(total / new, 6)))
    return fills
