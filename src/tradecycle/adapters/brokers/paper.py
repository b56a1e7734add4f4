"""The simulated paper broker: orders live in our own `orders` table.

Submitting writes the order (pending, then submitted, each an `order_history`
row); nothing fills here. Fills happen in the cycle's fills phase, against the
bar after the order was placed (tradecycle.services.execution), which calls
`record_fill` / `expire` so every status change goes through the state machine.
A client order id that already exists returns the stored order: re-running a
cycle never places a second one.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.bulk import insert_rows, to_json
from tradecycle.core.orders import OPEN_STATUSES, status_after_fill, transition
from tradecycle.core.types import OrderStatus, OrderType, Side, TimeInForce
from tradecycle.errors import NotFoundError

from .base import BrokerAccount, BrokerOrder, BrokerPosition, OrderRequest

ORDER_COLUMNS = (
    s.orders.c.id,
    s.orders.c.order_id,
    s.orders.c.client_order_id,
    s.orders.c.broker_order_id,
    s.orders.c.symbol,
    s.orders.c.side,
    s.orders.c.order_type,
    s.orders.c.time_in_force,
    s.orders.c.quantity,
    s.orders.c.filled_quantity,
    s.orders.c.average_fill_price,
    s.orders.c.commission,
    s.orders.c.price,
    s.orders.c.stop_price,
    s.orders.c.status,
    s.orders.c.intent,
    s.orders.c.exit_reason,
    s.orders.c.entry_reason,
    s.orders.c.strategy_name,
    s.orders.c.created_timestamp,
    s.orders.c.cycle_id,
    s.orders.c.metadata,
)


_o = s.orders.c
# Statements built once: building a select per call costs more than running it on SQLite.
FIND_ORDER = select(*ORDER_COLUMNS).where(_o.client_order_id == bindparam("cid"))
OPEN_ORDERS = (
    select(*ORDER_COLUMNS)
    .where(_o.account_id == bindparam("account"), _o.status.in_([st.value for st in OPEN_STATUSES]))
    .order_by(_o.id)
)
UPDATE_ORDER = update(s.orders).where(_o.order_id == bindparam("b_order_id"))
POSITIONS = (
    select(
        s.positions.c.symbol, s.positions.c.quantity, s.positions.c.average_cost, s.positions.c.market_value
    )
    .where(s.positions.c.account_id == bindparam("account"), s.positions.c.quantity > 0)
    .order_by(s.positions.c.symbol)
)
CASH = select(func.coalesce(func.sum(s.transactions.c.amount_cents), 0)).where(
    s.transactions.c.account_id == bindparam("account")
)


def row_metadata(row: Any) -> dict[str, Any]:
    """A stored order's or trade's metadata JSON as a dict ({} when empty)."""
    return json.loads(row.metadata) if row.metadata else {}


def to_broker_order(row: Any) -> BrokerOrder:
    return BrokerOrder(
        client_order_id=row.client_order_id,
        broker_order_id=row.broker_order_id or row.order_id,
        symbol=row.symbol,
        side=Side(row.side),
        quantity=row.quantity,
        order_type=OrderType(row.order_type),
        time_in_force=TimeInForce(row.time_in_force or TimeInForce.DAY),
        status=OrderStatus(row.status),
        filled_quantity=row.filled_quantity or 0,
        average_fill_price=row.average_fill_price,
        limit_price=row.price,
        stop_price=row.stop_price,
    )


class PaperBroker:
    """Broker protocol over our database; `now` is the cycle's (simulated) time."""

    name = "paper"

    def __init__(self, conn: Connection, account_id: int, now: datetime, cycle_id: str | None = None) -> None:
        self.conn = conn
        self.account_id = account_id
        self.now = now
        self.cycle_id = cycle_id
        self.history_buffer: list[dict] | None = None
        self.pending_updates: list[dict] = []  # order UPDATEs held while history is deferred

    # ------------------------------------------------------------ Broker protocol

    def submit(self, order: OrderRequest) -> BrokerOrder:
        return to_broker_order(self.place(order))

    def place(self, order: OrderRequest) -> Any:
        """The stored order for `order`'s client order id, inserting it (pending -> submitted) when new."""
        existing = self.find(order.client_order_id)
        if existing is not None:
            return existing
        status = transition(order.client_order_id, OrderStatus.PENDING, OrderStatus.SUBMITTED)
        metadata = {
            "stop_loss": order.stop_loss,
            "take_profit": order.take_profit,
            "confidence": order.confidence,
        }
        row = {
            "order_id": order.client_order_id,
            "client_order_id": order.client_order_id,
            "broker_order_id": f"paper:{order.client_order_id}",
            "account_id": self.account_id,
            "cycle_id": self.cycle_id,
            "symbol": order.symbol,
            "order_type": OrderType(order.order_type).value,
            "side": Side(order.side).value,
            "quantity": order.quantity,
            "price": order.limit_price,
            "stop_price": order.stop_price,
            "status": status.value,
            "filled_quantity": 0,
            "strategy_name": order.strategy_name,
            "entry_reason": order.reason if order.intent == "entry" else None,
            "exit_reason": order.reason if order.intent != "entry" else None,
            "intent": order.intent,
            "time_in_force": TimeInForce(order.time_in_force).value,
            "created_timestamp": self.now,
            "updated_timestamp": self.now,
            "created_at": self.now,
            "metadata": to_json({k: v for k, v in metadata.items() if v is not None}),
        }
        insert_rows(self.conn, s.orders, [row])
        self._history(
            [
                (order.client_order_id, None, OrderStatus.PENDING, 0, None, "created", None),
                (
                    order.client_order_id,
                    OrderStatus.PENDING,
                    status,
                    0,
                    None,
                    "accepted by the paper broker",
                    None,
                ),
            ]
        )
        return SimpleNamespace(id=None, average_fill_price=None, commission=None, **row)

    def cancel(self, client_order_id: str) -> BrokerOrder:
        self.expire(client_order_id, "cancelled on request")
        return to_broker_order(self.find(client_order_id))

    def open_orders(self) -> list[BrokerOrder]:
        return [to_broker_order(r) for r in self.open_order_rows()]

    def positions(self) -> list[BrokerPosition]:
        return [
            BrokerPosition(
                r.symbol,
                r.quantity,
                Decimal(str(r.average_cost)),
                None if r.market_value is None else Decimal(str(r.market_value)),
            )
            for r in self.conn.execute(POSITIONS, {"account": self.account_id})
        ]

    def account(self) -> BrokerAccount:
        cash = Decimal(int(self.conn.execute(CASH, {"account": self.account_id}).scalar_one())) / 100
        held = sum(
            (p.market_value if p.market_value is not None else p.average_cost * p.quantity)
            for p in self.positions()
        )
        equity = cash + Decimal(str(held))
        return BrokerAccount(str(self.account_id), cash, equity.quantize(Decimal("0.01")), cash)

    # ------------------------------------------------------------ used by the fills phase

    def find(self, client_order_id: str) -> Any:
        self._apply_updates()
        return self.conn.execute(FIND_ORDER, {"cid": client_order_id}).first()

    def open_order_rows(self) -> list[Any]:
        self._apply_updates()
        return list(self.conn.execute(OPEN_ORDERS, {"account": self.account_id}))

    def record_fill(
        self, row: Any, quantity: int, price: float, commission: float, session: str, reason: str
    ) -> OrderStatus:
        """Book `quantity` more shares of order `row` at `price`; returns the new status."""
        filled = (row.filled_quantity or 0) + quantity
        status = transition(row.order_id, row.status, status_after_fill(filled, row.quantity))
        previous = (row.average_fill_price or 0.0) * (row.filled_quantity or 0)
        self._update(
            {
                "b_order_id": row.order_id,
                "status": status.value,
                "filled_quantity": filled,
                "average_fill_price": round((previous + price * quantity) / filled, 6),
                "commission": round((row.commission or 0.0) + commission, 2),
                "updated_timestamp": self.now,
                "metadata": to_json(row_metadata(row) | {"filled_through": session}),
            }
        )
        self._history(
            [
                (
                    row.order_id,
                    row.status,
                    status,
                    filled,
                    price,
                    reason,
                    {"session": session, "quantity": quantity},
                )
            ]
        )
        return status

    def mark_seen(self, row: Any, session: str) -> None:
        """Remember that an open order was already offered bar `session` (so no bar fills it twice)."""
        metadata = row_metadata(row) | {"filled_through": session}
        self._update({"b_order_id": row.order_id, "metadata": to_json(metadata)})

    def expire(self, client_order_id: str, reason: str) -> OrderStatus:
        """Cancel an open order (on request); returns the new status."""
        row = self.find(client_order_id)
        if row is None:
            raise NotFoundError(f"no order with client order id {client_order_id!r}")
        return self.expire_known(row.order_id, row.status, row.filled_quantity or 0, reason)

    def expire_known(self, order_id: str, status: str, filled: int, reason: str) -> OrderStatus:
        """Cancel an order whose current status and fill the caller already holds."""
        return self._move(order_id, status, OrderStatus.CANCELLED, reason, filled)

    def _move(
        self, order_id: str, current: str, target: OrderStatus, reason: str, filled: int = 0
    ) -> OrderStatus:
        """Any legal status change without a fill (the Alpaca broker uses it for rejections)."""
        target = transition(order_id, current, target)
        self._update({"b_order_id": order_id, "status": target.value, "updated_timestamp": self.now})
        self._history([(order_id, current, target, filled, None, reason, None)])
        return target

    def defer_history(self) -> None:
        """Collect order_history rows and order updates until `flush_history` (a batch per phase
        instead of statements per order); the broker's own reads of orders apply the updates first."""
        self.history_buffer = []

    def flush_history(self) -> None:
        self._apply_updates()
        if self.history_buffer:
            insert_rows(self.conn, s.order_history, self.history_buffer)
        self.history_buffer = None

    def _update(self, values: dict[str, Any]) -> None:
        if self.history_buffer is None:
            self.conn.execute(UPDATE_ORDER, values)
        else:
            self.pending_updates.append(values)

    def _apply_updates(self) -> None:
        """The held updates in their order, each run of one shape as one executemany."""
        pending, self.pending_updates = self.pending_updates, []
        for _, run in groupby(pending, key=tuple):
            self.conn.execute(UPDATE_ORDER, list(run))

    def _history(self, transitions: list[tuple]) -> None:
        """One order_history row per (order_id, from, to, filled, price, reason, metadata)."""
        rows = [
            {
                "order_id": order_id,
                "from_status": None if current is None else OrderStatus(current).value,
                "to_status": OrderStatus(target).value,
                "filled_quantity": filled,
                "fill_price": price,
                "timestamp": self.now,
                "reason": reason,
                "metadata": to_json(metadata) if metadata else None,
                "created_at": self.now,
            }
            for order_id, current, target, filled, price, reason, metadata in transitions
        ]
        if self.history_buffer is not None:
            self.history_buffer.extend(rows)
        else:
            insert_rows(self.conn, s.order_history, rows)
