"""Execution: submit approved entries, and fill open orders against the next bar.

Two phases of the cycle live here. `run_phase` (after risk) submits each approved
entry to the broker with a deterministic client order id, so a re-run cycle finds
its order instead of placing another. `run_fills_phase` (first phase of the NEXT
cycle) offers every open order the newest bar through the paper fill model,
books each fill in the ledger and the trades table, expires unfilled day orders,
then runs the resting bracket (stop + target) of every open position against the
same bar. An order is only offered a bar that opened after the order was placed,
and each bar at most once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, select

from tradecycle.adapters.brokers.base import Broker, BrokerOrder, OrderRequest
from tradecycle.adapters.brokers.paper import PaperBroker, row_metadata
from tradecycle.adapters.store import schema as s
from tradecycle.config import BrokerSettings, SettingsModel
from tradecycle.core.fills import (
    BarFills,
    FillCosts,
    bracket_exits,
    commission_cents,
    fill_orders,
    notional_cents,
    side_sign,
    type_codes,
)
from tradecycle.core.orders import OrderIntent, client_order_id, placed_by
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import (
    ExitReason,
    OrderStatus,
    OrderType,
    Side,
    Signal,
    TimeInForce,
    TransactionKind,
)
from tradecycle.errors import ConfigError
from tradecycle.services import portfolio, risk, trades
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.services.ledger import Transaction, cash_cents, held_quantities, record_transactions

# A daily bar opens at least 6.5 hours before it closes (half days open earlier than that
# estimate, which only delays a fill), so an order placed after this instant waits a bar.
SESSION_LENGTH = timedelta(hours=6, minutes=30)

BrokerFactory = Callable[[Connection, CycleContext], Broker]
# An online broker's fills: the broker that keeps our orders table, and (order row, new shares, price).
FillSource = Callable[[Connection, CycleContext], tuple[PaperBroker, list[tuple[Any, int, float]]]]


def _alpaca_broker(conn: Connection, ctx: CycleContext) -> PaperBroker:
    from tradecycle.adapters.brokers.alpaca import AlpacaExecutionBroker

    return AlpacaExecutionBroker(conn, ctx.account_id, ctx.now, ctx.cycle_id, ctx.settings.broker)


def _alpaca_fills(conn: Connection, ctx: CycleContext) -> tuple[PaperBroker, list[tuple[Any, int, float]]]:
    from tradecycle.adapters.brokers.alpaca import alpaca_fills

    broker = _alpaca_broker(conn, ctx)
    return broker, alpaca_fills(broker)


BROKERS: dict[str, BrokerFactory] = {
    "paper": lambda conn, ctx: PaperBroker(conn, ctx.account_id, ctx.now, ctx.cycle_id),
    "alpaca": _alpaca_broker,
}
FILL_SOURCES: dict[str, FillSource] = {"alpaca": _alpaca_fills}


def register_broker(kind: str, factory: BrokerFactory, fills: FillSource | None = None) -> None:
    """Let another broker take the cycle's orders; `fills` reports what it filled (else nothing fills)."""
    BROKERS[kind] = factory
    if fills is not None:
        FILL_SOURCES[kind] = fills


def broker_for(conn: Connection, ctx: CycleContext) -> Broker:
    kind = ctx.settings.broker.kind
    if kind not in BROKERS:
        raise ConfigError(
            f"broker.kind = {kind!r} has no registered broker (known: {', '.join(sorted(BROKERS))})"
        )
    return BROKERS[kind](conn, ctx)


def fill_costs(broker: BrokerSettings) -> FillCosts:
    return FillCosts(
        slippage_bps=broker.slippage_bps,
        commission_per_share=broker.commission_per_share,
        min_commission=broker.min_commission,
        max_volume_fraction=broker.max_volume_fraction,
    )


# ---------------------------------------------------------------- execution phase


def entry_request(ctx: CycleContext, decision: Any) -> OrderRequest:
    """The order for one approved risk decision (tradecycle.core.risk.RiskDecision)."""
    signal = decision.signal
    limit = ctx.settings.broker.entry_order_type == "LIMIT"
    return OrderRequest(
        client_order_id=client_order_id(ctx.cycle_id, signal.symbol, OrderIntent.ENTRY),
        symbol=signal.symbol,
        side=Side(signal.side),
        quantity=int(decision.quantity),
        order_type=OrderType.LIMIT if limit else OrderType.MARKET,
        time_in_force=TimeInForce.DAY,
        limit_price=round(signal.entry, 4) if limit else None,
        stop_loss=signal.stop,
        take_profit=signal.target,
        intent=OrderIntent.ENTRY.value,
        strategy_name=signal.strategy_name,
        reason="; ".join(signal.reasons) or f"score {signal.score:.1f}",
        confidence=min(1.0, max(0.0, signal.confidence)),
    )


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    """Submit every approved entry in ctx.approved; they fill in a later cycle's fills phase."""
    broker = broker_for(conn, ctx)
    placed = 0
    for decision in ctx.approved:
        order = broker.submit(entry_request(ctx, decision))
        ctx.orders.append(order)
        placed += order.status not in (OrderStatus.REJECTED, OrderStatus.CANCELLED)
    return PhaseResult(processed=len(ctx.approved), succeeded=placed, failed=len(ctx.approved) - placed)


# ---------------------------------------------------------------- fills phase


def bar_open_estimate(ctx: CycleContext, index: int) -> datetime:
    close = ctx.panel.closes_utc[index].astype("datetime64[us]").item().replace(tzinfo=UTC)
    return close - SESSION_LENGTH


def run_fills_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    """Fill open orders placed before the newest bar opened, then the open positions' brackets."""
    panel = ctx.panel
    if ctx.settings.broker.kind != "paper":
        return book_broker_fills(conn, ctx)
    if panel.n_sessions == 0:
        return PhaseResult()
    bar = panel.n_sessions - 1
    session = str(panel.sessions[bar])
    opened = bar_open_estimate(ctx, bar)
    broker = PaperBroker(conn, ctx.account_id, ctx.now, ctx.cycle_id)
    broker.defer_history()
    costs = fill_costs(ctx.settings.broker)
    open_rows = broker.open_order_rows()
    rows = [
        r
        for r in open_rows
        if r.created_timestamp <= opened and row_metadata(r).get("filled_through", "") < session
    ]
    rows.sort(key=lambda r: (r.side != Side.SELL.value, r.id))  # sells free cash for buys
    book = FillBook(conn, ctx, broker, costs, session)
    # an exit already working; one this cycle placed was placed after this bar (a retried cycle)
    book.sold.update(
        r.symbol
        for r in open_rows
        if r.side == Side.SELL.value and not placed_by(ctx.cycle_id, r.client_order_id)
    )
    for row, qty, price in zip(rows, *_offer(ctx, rows, costs, bar), strict=True):
        book.fill_order(row, int(qty), float(price))
    brackets = book.fill_brackets(bar)
    book.flush()
    ctx.fills = cycle_fills(conn, ctx)
    return PhaseResult(
        processed=len(rows) + brackets,
        succeeded=book.fills,
        metadata={
            "session": session,
            "fills": book.fills,
            "expired": book.expired,
            "brackets": brackets,
        },
    )


def book_broker_fills(conn: Connection, ctx: CycleContext) -> PhaseResult:
    """Book the fills an online broker reports (its own model filled them, not ours)."""
    source = FILL_SOURCES.get(ctx.settings.broker.kind)
    if source is None:
        return PhaseResult(metadata={"skipped": f"broker.kind={ctx.settings.broker.kind} reports no fills"})
    broker, fills = source(conn, ctx)
    session = (
        str(ctx.panel.sessions[-1]) if ctx.panel.n_sessions else ctx.now.astimezone(UTC).date().isoformat()
    )
    broker.defer_history()
    book = FillBook(conn, ctx, broker, fill_costs(ctx.settings.broker), session)
    for row, quantity, price in fills:
        if row.side == Side.SELL.value:
            quantity = min(quantity, book.held.get(row.symbol, 0))
        if quantity > 0:
            book.book(row, quantity, price, f"{broker.name} fill")
    book.flush()
    ctx.fills = cycle_fills(conn, ctx)
    return PhaseResult(processed=len(fills), succeeded=book.fills, metadata={"broker": broker.name})


CYCLE_FILLS = (
    select(
        s.transactions.c.order_id,
        s.transactions.c.symbol,
        s.transactions.c.kind,
        s.transactions.c.quantity,
        s.transactions.c.price,
    )
    .where(
        s.transactions.c.account_id == bindparam("account"),
        s.transactions.c.cycle_id == bindparam("cycle_id"),
        s.transactions.c.kind.in_([TransactionKind.BUY.value, TransactionKind.SELL.value]),
    )
    .order_by(s.transactions.c.id)
)


def cycle_fills(conn: Connection, ctx: CycleContext) -> list[dict[str, Any]]:
    """Every fill booked by this cycle, read back from the ledger (a re-run cycle reports the same fills)."""
    return [
        {
            "order_id": r.order_id,
            "symbol": r.symbol,
            "side": r.kind.upper(),
            "quantity": r.quantity,
            "price": r.price,
        }
        for r in conn.execute(CYCLE_FILLS, {"account": ctx.account_id, "cycle_id": ctx.cycle_id})
    ]


def _offer(ctx: CycleContext, rows: list[Any], costs: FillCosts, bar: int) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised fill model over the open orders; symbols missing from the panel get a NaN bar."""
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    panel = ctx.panel
    index = {sym: i for i, sym in enumerate(panel.symbols.tolist())}
    at = np.array([index.get(r.symbol, -1) for r in rows])
    known = at >= 0

    def field(values: np.ndarray) -> np.ndarray:
        return np.where(known, values[np.maximum(at, 0), bar], np.nan)

    result: BarFills = fill_orders(
        side_sign([r.side for r in rows]),
        type_codes([r.order_type for r in rows]),
        np.array([r.quantity - (r.filled_quantity or 0) for r in rows]),
        np.array([np.nan if r.price is None else r.price for r in rows]),
        np.array([np.nan if r.stop_price is None else r.stop_price for r in rows]),
        field(panel.open),
        field(panel.high),
        field(panel.low),
        field(panel.volume),
        costs,
    )
    return result.quantity, result.price


class FillBook:
    """Books fills of one bar: order status, ledger lines, trades; tracks cash and holdings as it goes."""

    def __init__(
        self, conn: Connection, ctx: CycleContext, broker: PaperBroker, costs: FillCosts, session: str
    ):
        self.conn, self.ctx, self.broker, self.costs, self.session = conn, ctx, broker, costs, session
        self.cash = cash_cents(conn, ctx.account_id)
        self.booked_cash = self.cash  # the balance the unflushed ledger lines follow
        self.held = held_quantities(conn, ctx.account_id)
        self.fills = 0
        self.ledger: list[Transaction] = []
        self.expired = 0
        self.sold: set[str] = set()  # symbols with an exit this bar or in progress: no bracket for them
        self.trades = {t.symbol: t for t in trades.open_trades(conn, ctx.account_id)}

    def flush(self) -> None:
        """Append this bar's ledger lines in one batch (positions are rebuilt from them once)."""
        record_transactions(self.conn, self.ctx.account_id, self.ledger, self.booked_cash)
        self.ledger, self.booked_cash = [], self.cash
        self.broker.flush_history()

    def affordable(self, quantity: int, price: float) -> int:
        """Shares of `quantity` the cash pays for, commission included (no margin)."""
        quantity = min(quantity, max(0, math.floor(self.cash / (price * 100))))
        while (
            quantity > 0
            and notional_cents(price, quantity) + commission_cents(quantity, self.costs) > self.cash
        ):
            quantity -= 1
        return quantity

    def fill_order(self, row: Any, quantity: int, price: float) -> None:
        if row.side == Side.SELL.value:
            quantity = min(quantity, self.held.get(row.symbol, 0))
            if self.held.get(row.symbol, 0) == 0:
                reason = "cancelled: no shares left to sell"
                self.broker.expire_known(row.order_id, row.status, row.filled_quantity or 0, reason)
                self.expired += 1
                return
        elif quantity > 0:
            quantity = self.affordable(quantity, price)
        status, filled = OrderStatus(row.status), row.filled_quantity or 0
        if quantity > 0:
            status = self.book(row, quantity, price, row.exit_reason or row.entry_reason or "fill")
            filled += quantity
        else:
            self.broker.mark_seen(row, self.session)
        if row.time_in_force == TimeInForce.DAY.value and status in (
            OrderStatus.SUBMITTED,
            OrderStatus.PARTIAL,
        ):
            unfilled = row.quantity - filled
            reason = f"day order expired with {unfilled} shares unfilled"
            self.broker.expire_known(row.order_id, status.value, filled, reason)
            self.expired += 1

    def book(self, row: Any, quantity: int, price: float, reason: str) -> OrderStatus:
        """Record one fill everywhere it belongs (ledger lines wait for `flush`); returns the order's status."""
        ctx = self.ctx
        commission = commission_cents(quantity, self.costs)
        status = self.broker.record_fill(row, quantity, price, commission / 100, self.session, reason)
        buy = row.side == Side.BUY.value
        notional = notional_cents(price, quantity)
        fill_id = f"{row.order_id}@{self.session}#{(row.filled_quantity or 0) + quantity}"
        self.ledger.extend(
            [
                Transaction(
                    fill_id,
                    TransactionKind.BUY if buy else TransactionKind.SELL,
                    -notional if buy else notional,
                    ctx.now,
                    row.symbol,
                    quantity,
                    price,
                    row.order_id,
                    ctx.cycle_id,
                    f"{row.side} {quantity} {row.symbol} @ {price:.4f}",
                ),
                Transaction(
                    f"{fill_id}:commission",
                    TransactionKind.COMMISSION,
                    -commission,
                    ctx.now,
                    row.symbol,
                    None,
                    None,
                    row.order_id,
                    ctx.cycle_id,
                    f"commission on {row.order_id}",
                ),
            ]
        )
        self.cash += (-notional if buy else notional) - commission
        self.held[row.symbol] = self.held.get(row.symbol, 0) + (quantity if buy else -quantity)
        fill = trades.Fill(row.order_id, row.symbol, Side(row.side), quantity, price, notional, commission)
        if buy:
            trades.book_entry(self.conn, ctx, row, fill, self.session)
        else:
            self.sold.add(row.symbol)
            trade = self.trades.pop(row.symbol, None)  # used once: its sums change with this fill
            trades.book_exit(self.conn, ctx, row, fill, remaining=self.held[row.symbol], trade=trade)
        self.fills += 1
        return status

    def fill_brackets(self, bar: int) -> int:
        """Resting stop/target of open positions against the bar (one-cancels-other); returns checks made."""
        positions = [
            t
            for t in trades.open_trades(self.conn, self.ctx.account_id)
            if self.held.get(t.symbol, 0) > 0 and t.symbol not in self.sold
        ]
        panel = self.ctx.panel
        index = {sym: i for i, sym in enumerate(panel.symbols.tolist())}
        positions = [t for t in positions if t.symbol in index]
        if not positions:
            return 0
        rows = np.array([index[t.symbol] for t in positions])
        stops = [trades.levels_at_cycle_start(t, self.ctx.cycle_id)[0] for t in positions]
        stop = np.array([np.nan if level is None else level for level in stops])
        target = np.array([np.inf if t.target_price is None else t.target_price for t in positions])
        stop_hit, target_hit, price = bracket_exits(
            stop,
            target,
            panel.open[rows, bar],
            panel.high[rows, bar],
            panel.low[rows, bar],
            self.costs.slippage_bps,
        )
        cap = np.floor(np.nan_to_num(panel.volume[rows, bar]) * self.costs.max_volume_fraction).astype(
            np.int64
        )
        for k in np.flatnonzero(stop_hit | target_hit):
            trade = positions[k]
            reason = ExitReason.TAKE_PROFIT
            if stop_hit[k]:
                trailed = stops[k] > trades.initial_stop(trade)
                reason = ExitReason.TRAILING_STOP if trailed else ExitReason.STOP_LOSS
            held = self.held[trade.symbol]
            row = self.broker.place(
                OrderRequest(
                    client_order_id=client_order_id(self.ctx.cycle_id, trade.symbol, OrderIntent.BRACKET),
                    symbol=trade.symbol,
                    side=Side.SELL,
                    quantity=held,
                    order_type=OrderType.STOP if stop_hit[k] else OrderType.LIMIT,
                    time_in_force=TimeInForce.GTC,
                    stop_price=stops[k] if stop_hit[k] else None,
                    limit_price=None if stop_hit[k] else trade.target_price,
                    intent=OrderIntent.BRACKET.value,
                    strategy_name=trade.strategy_name,
                    reason=reason.value,
                )
            )
            if row_metadata(row).get("filled_through", "") >= self.session or row.status != "submitted":
                continue
            quantity = min(held, int(cap[k]))
            if quantity > 0:
                self.book(row, quantity, float(price[k]), reason.value)
            else:
                self.broker.mark_seen(row, self.session)
        return len(positions)


# ---------------------------------------------------------------- outside a cycle (API)


def empty_panel() -> BarPanel:
    """A panel with no bars: prices then come from the positions' last marks."""
    empty = np.zeros((0, 0))
    return BarPanel(
        symbols=np.array([], dtype=str),
        sessions=np.array([], dtype="datetime64[D]"),
        closes_utc=np.array([], dtype="datetime64[ns]"),
        open=empty,
        high=empty,
        low=empty,
        close=empty,
        volume=empty,
    )


def execute_signals(
    conn: Connection, settings: SettingsModel, signals: list[Signal], now: datetime
) -> tuple[list[Any], list[BrokerOrder]]:
    """Risk-check and submit `signals` now, as the seed's /execute_trades does; fills come next cycle.

    Equity is valued at the positions' last marks; the circuit breaker's cooldown, counted in
    sessions of a panel, stays on until a cycle has run.
    """
    account_id = portfolio.ensure_account(conn, settings, at=now)
    wanted = sorted({sig.symbol for sig in signals})
    sectors = dict(
        conn.execute(
            select(s.symbols.c.symbol, s.symbols.c.sector).where(s.symbols.c.symbol.in_(wanted))
        ).all()
    )
    ctx = CycleContext(
        cycle_id=f"api_{now.astimezone(UTC):%Y%m%d_%H%M%S}",
        now=now,
        settings=settings,
        panel=empty_panel(),
        account_id=account_id,
        sectors=sectors,
        signals=list(signals),
    )
    risk.run_phase(conn, ctx)
    run_phase(conn, ctx)
    return ctx.cache["risk_decisions"], ctx.orders
