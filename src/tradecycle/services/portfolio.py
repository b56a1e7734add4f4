"""The account, the per-cycle mark of its positions, and the views the CLI and API show.

The ledger itself (transactions, balance history, positions derived from fills,
reconcile) is tradecycle.services.ledger; this module re-exports what the
coordinator calls. The portfolio phase marks positions at the newest close and
writes one `portfolio_status` snapshot per cycle, with VaR95 and Sharpe over the
recent snapshots.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, bindparam, delete, func, or_, select, update

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.bulk import insert_rows, to_json
from tradecycle.config import SettingsModel
from tradecycle.core.risk import sharpe_ratio, value_at_risk_95
from tradecycle.core.types import TradeStatus, TransactionKind
from tradecycle.errors import NotFoundError
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.services.ledger import (
    Transaction,
    held_symbols,
    ledger_totals,
    reconcile,
    record_transactions,
)

__all__ = ["ensure_account", "find_account", "held_symbols", "reconcile", "run_phase"]

ACCOUNT_OPENED = datetime(1970, 1, 1, tzinfo=UTC)
HISTORY_FOR_RISK = 252


# ---------------------------------------------------------------- accounts


def account_name(settings: SettingsModel) -> str:
    return f"{settings.broker.kind}-default"


def ensure_account(conn: Connection, settings: SettingsModel, at: datetime | None = None) -> int:
    """The account's id, creating it with its initial deposit once (dated `at`, else the epoch)."""
    name = account_name(settings)
    found = conn.execute(select(s.accounts.c.id).where(s.accounts.c.name == name)).scalar()
    if found is not None:
        return int(found)
    opened = at or ACCOUNT_OPENED
    account_id = conn.execute(
        s.accounts.insert()
        .values(name=name, broker=settings.broker.kind, created_at=opened)
        .returning(s.accounts.c.id)
    ).scalar_one()
    deposit = Decimal(str(settings.broker.initial_cash))
    record_transactions(
        conn,
        account_id,
        [
            Transaction(
                external_id=f"{name}:initial-deposit",
                kind=TransactionKind.DEPOSIT,
                amount_cents=int(deposit * 100),
                timestamp=opened,
                description="initial deposit (broker.initial_cash)",
            )
        ],
    )
    return int(account_id)


def find_account(conn: Connection, settings: SettingsModel) -> int:
    found = conn.execute(select(s.accounts.c.id).where(s.accounts.c.name == account_name(settings))).scalar()
    if found is None:
        raise NotFoundError(
            f"no account {account_name(settings)!r} yet; run a cycle or `tradecycle portfolio deposit`"
        )
    return int(found)


# ---------------------------------------------------------------- the portfolio phase


def latest_closes(ctx: CycleContext, symbols: Iterable[str]) -> dict[str, float]:
    """Newest finite close of each symbol in the as-of panel."""
    panel = ctx.panel
    wanted = [sym for sym in symbols]
    if not wanted or panel.n_sessions == 0:
        return {}
    index = {sym: i for i, sym in enumerate(panel.symbols.tolist())}
    rows = [index[sym] for sym in wanted if sym in index]
    closes = panel.close[rows]
    finite = np.isfinite(closes)
    last = np.where(finite.any(axis=1), closes.shape[1] - 1 - np.argmax(finite[:, ::-1], axis=1), -1)
    return {panel.symbols[r]: float(closes[k, last[k]]) for k, r in enumerate(rows) if last[k] >= 0}


_p, _ps, _tr, _pl = s.positions.c, s.portfolio_status.c, s.trades.c, s.position_pl.c
# ordered: the snapshot's totals are float sums over these rows (same result on every engine)
HELD_POSITIONS = (
    select(_p.symbol, _p.quantity, _p.average_cost)
    .where(_p.account_id == bindparam("account"), _p.quantity > 0)
    .order_by(_p.symbol)
)
# realised P&L of every position the account ever held, summed in whole cents (exact, any order)
REALIZED_CENTS = select(func.coalesce(func.sum(func.round(_p.realized_pnl * 100)), 0)).where(
    _p.account_id == bindparam("account")
)
MARK_POSITION = update(s.positions).where(
    _p.account_id == bindparam("b_account"), _p.symbol == bindparam("b_symbol")
)
DROP_SNAPSHOT = delete(s.portfolio_status).where(
    _ps.account_id == bindparam("account"), _ps.cycle_id == bindparam("cycle_id")
)
HISTORY = (
    select(_ps.total_value)
    .where(_ps.account_id == bindparam("account"), _ps.timestamp < bindparam("before"))
    .order_by(_ps.timestamp.desc(), _ps.id.desc())
    .limit(bindparam("n"))
)
LIVE_TRADES = (
    select(
        _tr.symbol,
        _tr.entry_price,
        _tr.exit_price,
        _tr.quantity,
        _tr.status,
        _tr.profit_loss,
        _tr.commission,
        _tr.entry_time,
        _tr.closed_at,
    )
    .where(
        _tr.account_id == bindparam("account"),
        or_(
            _tr.status == TradeStatus.OPEN.value,
            and_(_tr.status == TradeStatus.CLOSED.value, _tr.closed_at == bindparam("now")),
        ),
    )
    .order_by(_tr.id)
)  # new position_pl rows in trade order, whatever order the server scans in
_pf, _tx = s.performance.c, s.transactions.c
PREVIOUS_DAY = select(
    select(_pf.equity)
    .where(_pf.account_id == bindparam("account"), _pf.date < bindparam("date"))
    .order_by(_pf.date.desc())
    .limit(1)
    .scalar_subquery(),
    select(func.max(_pf.equity))
    .where(_pf.account_id == bindparam("account"), _pf.date < bindparam("date"))
    .scalar_subquery(),
    select(func.count())
    .where(
        _tx.account_id == bindparam("account"),
        _tx.kind.in_([TransactionKind.BUY.value, TransactionKind.SELL.value]),
        _tx.timestamp >= bindparam("start"),
        _tx.timestamp < bindparam("end"),
    )
    .scalar_subquery(),
)  # the previous day's equity, the peak before the day, and the day's fills: one round trip
DROP_DAY = delete(s.performance).where(_pf.account_id == bindparam("account"), _pf.date == bindparam("date"))
OPEN_PL = select(_pl.id, _pl.symbol, _pl.opened_at).where(_pl.status == "open").order_by(_pl.id)
UPDATE_PL = update(s.position_pl).where(_pl.id == bindparam("b_id"))


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    """Mark every position at its newest close and write this cycle's portfolio_status."""
    account_id = ctx.account_id
    rows = list(conn.execute(HELD_POSITIONS, {"account": account_id}))
    prices = latest_closes(ctx, [r.symbol for r in rows])
    marks = []
    for r in rows:
        price = prices.get(r.symbol, r.average_cost)
        market_value = round(price * r.quantity, 2)
        marks.append(
            {
                "b_account": account_id,
                "b_symbol": r.symbol,
                "current_price": price,
                "market_value": market_value,
                "unrealized_pnl": round(market_value - r.average_cost * r.quantity, 2),
                "last_updated": ctx.now,
            }
        )
    if marks:
        conn.execute(MARK_POSITION, marks)
    totals = ledger_totals(conn, account_id)
    realized = realized_cents(conn, account_id) / 100
    positions_value = round(sum(m["market_value"] for m in marks), 2)
    cash = totals.cash_cents / 100
    equity = round(cash + positions_value, 2)
    history = cycle_equity_history(conn, ctx)
    curve = np.append(history, equity)[-HISTORY_FOR_RISK:]
    reporting = ctx.settings.reporting
    var95 = value_at_risk_95(curve)
    sharpe = sharpe_ratio(curve, reporting.risk_free_rate, reporting.periods_per_year)
    conn.execute(DROP_SNAPSHOT, {"account": account_id, "cycle_id": ctx.cycle_id})
    insert_rows(
        conn,
        s.portfolio_status,
        [
            {
                "timestamp": ctx.now,
                "total_value": equity,
                "cash_balance": cash,
                "positions_value": positions_value,
                "daily_pnl": round(equity - history[-1], 2) if history.size else 0.0,
                "total_pnl": round(equity - totals.deposits_cents / 100, 2),
                "margin_used": 0.0,
                "buying_power": cash,
                "account_id": account_id,
                "cycle_id": ctx.cycle_id,
                "open_positions": len(marks),
                "benchmark_value": ctx.cache.get("benchmark_value"),
                "metadata": to_json(
                    {
                        "var_95": var95,
                        "sharpe_ratio": sharpe,
                        "realized_pnl": realized,
                        "unrealized_pnl": round(sum(m["unrealized_pnl"] for m in marks), 2),
                        "commission_paid": totals.commission_cents / 100,
                        "net_deposits": totals.deposits_cents / 100,
                    }
                ),
            }
        ],
    )
    sync_position_pl(conn, account_id, prices, ctx.now)
    record_performance(conn, ctx, equity, cash, totals.deposits_cents / 100)
    ctx.cache["equity"] = equity
    return PhaseResult(
        processed=len(rows),
        succeeded=len(marks),
        metadata={"equity": equity, "cash": cash, "positions": len(marks), "var_95": var95, "sharpe": sharpe},
    )


def record_performance(
    conn: Connection, ctx: CycleContext, equity: float, cash: float, deposits: float
) -> None:
    """The day's row in `performance` (the last cycle of a day wins): return, drawdown, fills that day."""
    day = str(ctx.panel.sessions[-1]) if ctx.panel.n_sessions else ctx.now.astimezone(UTC).date().isoformat()
    midnight = ctx.now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    previous, peak, fills = conn.execute(
        PREVIOUS_DAY,
        {"account": ctx.account_id, "date": day, "start": midnight, "end": midnight + timedelta(days=1)},
    ).one()
    peak = max(equity, peak or 0.0)
    conn.execute(DROP_DAY, {"account": ctx.account_id, "date": day})
    insert_rows(
        conn,
        s.performance,
        [
            {
                "account_id": ctx.account_id,
                "date": day,
                "equity": equity,
                "cash": cash,
                "daily_return": round(equity / previous - 1.0, 8) if previous and previous > 0 else None,
                "cumulative_return": round(equity / deposits - 1.0, 8) if deposits > 0 else None,
                "drawdown": round(equity / peak - 1.0, 8) if peak > 0 else 0.0,
                "benchmark_equity": ctx.cache.get("benchmark_value"),
                "trades": int(fills),
                "created_at": ctx.now,
            }
        ],
    )


def realized_cents(conn: Connection, account_id: int) -> int:
    return int(conn.execute(REALIZED_CENTS, {"account": account_id}).scalar_one())


def equity_history(
    conn: Connection, account_id: int, before: datetime, limit: int = HISTORY_FOR_RISK
) -> np.ndarray:
    """Total value of the last `limit` snapshots strictly before `before`, oldest first."""
    values = conn.execute(HISTORY, {"account": account_id, "before": before, "n": limit}).scalars()
    return np.array(list(values)[::-1], dtype=np.float64)


def cycle_equity_history(conn: Connection, ctx: CycleContext) -> np.ndarray:
    """The snapshots before the cycle's time, read once a cycle: no phase writes one dated
    before `now` (this cycle's own snapshot is dated `now`)."""
    if ctx.equity_history is None:
        ctx.equity_history = equity_history(conn, ctx.account_id, before=ctx.now)
    return ctx.equity_history


def sync_position_pl(conn: Connection, account_id: int, prices: Mapping[str, float], now: datetime) -> None:
    """Keep the legacy `position_pl` table in step with the account's trades (one row per trade)."""
    live = list(conn.execute(LIVE_TRADES, {"account": account_id, "now": now}))
    open_rows = {(r.symbol, r.opened_at): r.id for r in conn.execute(OPEN_PL)}
    inserts, updates = [], []
    for trade in live:
        is_open = trade.status == TradeStatus.OPEN.value
        price = prices.get(trade.symbol, trade.entry_price) if is_open else trade.exit_price
        values = {
            "current_price": price,
            "unrealized_pl": round((price - trade.entry_price) * trade.quantity, 2) if is_open else 0.0,
            "realized_pl": 0.0 if is_open else trade.profit_loss,
            "commission": trade.commission or 0.0,
            "status": "open" if is_open else "closed",
            "closed_at": None if is_open else trade.closed_at,
        }
        key = (trade.symbol, trade.entry_time)
        if key in open_rows:
            updates.append({"b_id": open_rows[key], **values})
        elif is_open:
            inserts.append(
                {
                    "symbol": trade.symbol,
                    "entry_price": trade.entry_price,
                    "quantity": trade.quantity,
                    "side": "long",
                    "opened_at": trade.entry_time,
                    "created_at": now,
                    **values,
                }
            )
    insert_rows(conn, s.position_pl, inserts)
    if updates:
        conn.execute(UPDATE_PL, updates)


def positions_table(conn: Connection, account_id: int, include_closed: bool = False) -> list[dict[str, Any]]:
    """Open positions (and closed ones' rows when asked) as dicts for the CLI and API."""
    p = s.positions.c
    rows = conn.execute(
        select(
            p.symbol,
            p.quantity,
            p.average_cost,
            p.current_price,
            p.market_value,
            p.unrealized_pnl,
            p.realized_pnl,
            p.opened_at,
            p.last_updated,
        )
        .where(p.account_id == account_id, p.quantity >= (0 if include_closed else 1))
        .order_by(p.symbol)
    )
    return [dict(r._mapping) for r in rows]


def account_summary(conn: Connection, account_id: int) -> dict[str, Any]:
    """Cash, equity and the newest snapshot's figures."""
    ps = s.portfolio_status.c
    latest = conn.execute(
        select(
            ps.timestamp,
            ps.total_value,
            ps.daily_pnl,
            ps.total_pnl,
            ps.open_positions,
            ps.metadata,
            ps.cycle_id,
        )
        .where(ps.account_id == account_id)
        .order_by(ps.timestamp.desc(), ps.id.desc())
        .limit(1)
    ).first()
    totals = ledger_totals(conn, account_id)
    positions = positions_table(conn, account_id)
    positions_value = sum(r["market_value"] or 0.0 for r in positions)
    account = conn.execute(
        select(s.accounts.c.name, s.accounts.c.broker, s.accounts.c.currency).where(
            s.accounts.c.id == account_id
        )
    ).one()
    return {
        "account_id": account_id,
        "name": account.name,
        "broker": account.broker,
        "currency": account.currency,
        "cash": totals.cash_cents / 100,
        "positions_value": round(positions_value, 2),
        "equity": round(totals.cash_cents / 100 + positions_value, 2),
        "net_deposits": totals.deposits_cents / 100,
        "realized_pnl": realized_cents(conn, account_id) / 100,
        "commission_paid": totals.commission_cents / 100,
        "open_positions": len(positions),
        "as_of": latest.timestamp if latest else None,
        "last_cycle_id": latest.cycle_id if latest else None,
        "daily_pnl": latest.daily_pnl if latest else None,
        "total_pnl": latest.total_pnl if latest else None,
        "risk": json.loads(latest.metadata) if latest and latest.metadata else {},
    }
