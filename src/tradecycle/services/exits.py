"""The exits phase: trail stops and turn exit rules into sell orders for open positions.

Runs after the strategy, so a SELL signal for a held symbol (the opposite signal)
is known. Trailed stops and the highest price since entry are written back to
the trade, where the next bar's bracket (the fills phase) uses them. With the
paper broker the stop and target rest as a bracket and fill inside the bar; with
any other broker they are checked here on the close. Exit orders are market
orders, good till cancelled, filled by the next cycle's fills phase.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from tradecycle.adapters.brokers.base import OrderRequest
from tradecycle.adapters.brokers.paper import row_metadata
from tradecycle.adapters.store.bulk import to_json
from tradecycle.core.exits import ExitLimits, average_true_range, plan_exits
from tradecycle.core.orders import OrderIntent, client_order_id, placed_by
from tradecycle.core.types import OrderType, Side, TimeInForce
from tradecycle.services import trades
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.services.execution import broker_for
from tradecycle.services.ledger import held_quantities

ATR_WINDOW = 14


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    """Exit orders for positions whose stop, target, time or an opposite signal says so."""
    panel = ctx.panel
    quantities = held_quantities(conn, ctx.account_id)
    index = {sym: i for i, sym in enumerate(panel.symbols.tolist())}
    positions = [
        t for t in trades.open_trades(conn, ctx.account_id) if quantities.get(t.symbol) and t.symbol in index
    ]
    if not positions or panel.n_sessions == 0:
        return PhaseResult()
    rows = np.array([index[t.symbol] for t in positions])
    entered = np.array(
        [trades.entry_session(t) or str(panel.sessions[-1]) for t in positions], dtype="datetime64[D]"
    )
    held_for = panel.n_sessions - 1 - np.searchsorted(panel.sessions, entered)
    opposite = {sig.symbol for sig in ctx.signals if sig.side is Side.SELL}
    levels = [trades.levels_at_cycle_start(t, ctx.cycle_id) for t in positions]
    plan = plan_exits(
        entry=np.array([t.entry_price for t in positions]),
        initial_stop=np.array([trades.initial_stop(t) for t in positions]),
        stop=np.array([np.nan if stop is None else stop for stop, _ in levels]),
        target=np.array([np.inf if t.target_price is None else t.target_price for t in positions]),
        highest=np.array([high or t.entry_price for t, (_, high) in zip(positions, levels, strict=True)]),
        bar_high=panel.high[rows, -1],
        close=panel.close[rows, -1],
        atr=average_true_range(panel.high[rows], panel.low[rows], panel.close[rows], ATR_WINDOW),
        sessions_held=held_for,
        opposite_signal=np.array([t.symbol in opposite for t in positions]),
        limits=ExitLimits.from_settings(ctx.settings.exits),
        check_stops_on_close=ctx.settings.broker.kind != "paper",
    )
    _write_trailing(conn, ctx.cycle_id, positions, levels, plan.stop, plan.highest)
    placed: list[tuple[str, str]] = []
    if not np.any(plan.reason >= 0):
        return PhaseResult(processed=len(positions))
    broker = broker_for(conn, ctx)
    # sells of earlier cycles are working; this cycle's own (a retry's first attempt) are found again by id
    pending_sells = {
        o.symbol
        for o in broker.open_orders()
        if o.side is Side.SELL and not placed_by(ctx.cycle_id, o.client_order_id)
    }
    for trade, reason in zip(positions, plan.reasons(), strict=True):
        if reason is None or trade.symbol in pending_sells:
            continue
        order = broker.submit(
            OrderRequest(
                client_order_id=client_order_id(ctx.cycle_id, trade.symbol, OrderIntent.EXIT),
                symbol=trade.symbol,
                side=Side.SELL,
                quantity=quantities[trade.symbol],
                order_type=OrderType.MARKET,
                time_in_force=TimeInForce.GTC,
                intent=OrderIntent.EXIT.value,
                strategy_name=trade.strategy_name,
                reason=reason.value,
            )
        )
        ctx.orders.append(order)
        placed.append((trade.symbol, reason.value))
    return PhaseResult(processed=len(positions), succeeded=len(placed), metadata={"exits": dict(placed)})


def _write_trailing(
    conn: Connection, cycle_id: str, positions: list, levels: list, stop: np.ndarray, highest: np.ndarray
) -> None:
    """Write the trailed stops and highest prices, each with the levels the cycle started from."""
    changes = [
        {
            "b_id": t.id,
            "stop_loss": float(new_stop) if np.isfinite(new_stop) else None,
            "highest_price": float(high),
            "metadata": to_json(
                row_metadata(t)
                | {"trailed_by": {"cycle": cycle_id, "stop_loss": old_stop, "highest_price": old_high}}
            ),
        }
        for t, (old_stop, old_high), new_stop, high in zip(positions, levels, stop, highest, strict=True)
        if np.isfinite(high)
        and (high != t.highest_price or (np.isfinite(new_stop) and new_stop != t.stop_loss))
    ]
    if changes:
        conn.execute(trades.UPDATE_TRADE, changes)
