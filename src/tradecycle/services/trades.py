"""The seed's `trades` table: one row per round trip, opened by entry fills, closed by exit fills.

A trade carries its protective stop and target (the bracket the fills phase
runs), the highest price since entry (for the trailing stop), and running sums
of its fills in metadata, so its profit_loss is exactly the ledger's: exit
proceeds - entry cost - commissions, in cents until the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from tradecycle.adapters.brokers.paper import row_metadata
from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.bulk import insert_rows, to_json
from tradecycle.core.types import Side, TradeStatus
from tradecycle.services.context import CycleContext

TRADE_COLUMNS = (
    s.trades.c.id,
    s.trades.c.symbol,
    s.trades.c.quantity,
    s.trades.c.entry_price,
    s.trades.c.exit_price,
    s.trades.c.stop_loss,
    s.trades.c.target_price,
    s.trades.c.highest_price,
    s.trades.c.entry_time,
    s.trades.c.entry_order_id,
    s.trades.c.strategy_name,
    s.trades.c.status,
    s.trades.c.profit_loss,
    s.trades.c.commission,
    s.trades.c.closed_at,
    s.trades.c.metadata,
)

_t = s.trades.c
OPEN_TRADES = (
    select(*TRADE_COLUMNS)
    .where(_t.account_id == bindparam("account"), _t.status == TradeStatus.OPEN.value)
    .order_by(_t.id)
)
BY_ENTRY_ORDER = select(*TRADE_COLUMNS).where(_t.entry_order_id == bindparam("order_id"))
OPEN_TRADE_OF = (
    select(*TRADE_COLUMNS)
    .where(
        _t.account_id == bindparam("account"),
        _t.symbol == bindparam("symbol"),
        _t.status == TradeStatus.OPEN.value,
    )
    .order_by(_t.id.desc())
    .limit(1)
)
UPDATE_TRADE = update(s.trades).where(_t.id == bindparam("b_id"))


@dataclass(frozen=True, slots=True)
class Fill:
    order_id: str
    symbol: str
    side: Side
    quantity: int
    price: float
    notional_cents: int
    commission_cents: int


def initial_stop(trade: Any) -> float:
    value = row_metadata(trade).get("initial_stop")
    return float(value) if value is not None else float(trade.stop_loss or 0.0)


def entry_session(trade: Any) -> str | None:
    return row_metadata(trade).get("entry_session")


def levels_at_cycle_start(trade: Any, cycle_id: str) -> tuple[float | None, float | None]:
    """The trade's stop and highest price as cycle `cycle_id` found them.

    The exits phase trails them and records what they were (`trailed_by`). If the cycle dies
    after that and runs again, its phases must decide from the levels its first attempt saw,
    or a retried cycle's bracket would already run the stop its first attempt set for the
    next bar.
    """
    before = row_metadata(trade).get("trailed_by")
    if before is not None and before.get("cycle") == cycle_id:
        return before["stop_loss"], before["highest_price"]
    return trade.stop_loss, trade.highest_price


def open_trades(conn: Connection, account_id: int) -> list[Any]:
    return list(conn.execute(OPEN_TRADES, {"account": account_id}))


def book_entry(conn: Connection, ctx: CycleContext, order: Any, fill: Fill, session: str) -> None:
    """Open the order's trade on its first fill; grow it on later partial fills."""
    first_fill = not order.filled_quantity
    trade = None if first_fill else conn.execute(BY_ENTRY_ORDER, {"order_id": order.order_id}).first()
    if trade is None:
        meta = row_metadata(order)
        stop = meta.get("stop_loss")
        insert_rows(
            conn,
            s.trades,
            [
                {
                    "symbol": fill.symbol,
                    "signal_type": Side.BUY.value,
                    "quantity": fill.quantity,
                    "entry_price": fill.price,
                    "confidence": meta.get("confidence"),
                    "trade_reason": order.entry_reason,
                    "alpaca_order_id": order.broker_order_id,
                    "status": TradeStatus.OPEN.value,
                    "created_at": ctx.now,
                    "account_id": ctx.account_id,
                    "cycle_id": ctx.cycle_id,
                    "strategy_name": order.strategy_name,
                    "entry_order_id": order.order_id,
                    "stop_loss": stop,
                    "target_price": meta.get("take_profit"),
                    "highest_price": fill.price,
                    "entry_time": ctx.now,
                    "commission": fill.commission_cents / 100,
                    "metadata": to_json(
                        {
                            "entry_session": session,
                            "initial_stop": stop,
                            "entry_cents": fill.notional_cents,
                            "exit_cents": 0,
                            "exit_quantity": 0,
                            "commission_cents": fill.commission_cents,
                        }
                    ),
                }
            ],
        )
        return
    meta = row_metadata(trade)
    meta["entry_cents"] += fill.notional_cents
    meta["commission_cents"] += fill.commission_cents
    quantity = trade.quantity + fill.quantity
    conn.execute(
        UPDATE_TRADE,
        {
            "b_id": trade.id,
            "quantity": quantity,
            "entry_price": round(meta["entry_cents"] / quantity / 100, 6),
            "commission": meta["commission_cents"] / 100,
            "metadata": to_json(meta),
        },
    )


def book_exit(
    conn: Connection, ctx: CycleContext, order: Any, fill: Fill, remaining: int, trade: Any = None
) -> None:
    """Add an exit fill to the symbol's open trade (read unless given); close it when no shares remain."""
    if trade is None:
        trade = conn.execute(OPEN_TRADE_OF, {"account": ctx.account_id, "symbol": fill.symbol}).first()
    if trade is None:
        return
    meta = row_metadata(trade)
    meta["exit_cents"] += fill.notional_cents
    meta["exit_quantity"] += fill.quantity
    meta["commission_cents"] += fill.commission_cents
    values: dict[str, Any] = {
        "commission": meta["commission_cents"] / 100,
        "exit_order_id": order.order_id,
        "exit_reason": order.exit_reason,
        "exit_price": round(meta["exit_cents"] / meta["exit_quantity"] / 100, 6),
    }
    if remaining <= 0:
        pnl_cents = meta["exit_cents"] - meta["entry_cents"] - meta["commission_cents"]
        values |= {"status": TradeStatus.CLOSED.value, "closed_at": ctx.now, "profit_loss": pnl_cents / 100}
    values["metadata"] = to_json(meta)
    conn.execute(UPDATE_TRADE, {"b_id": trade.id, **values})
