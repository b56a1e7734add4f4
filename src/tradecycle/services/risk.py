"""The risk phase: size and approve or deny every entry signal, and record why.

The account's state comes from the database only (cash from the ledger,
positions, open entry orders, the day's first snapshot, the streak of losing
trades), so a resumed replay decides exactly as an uninterrupted one. Every
decision is a `risk_metrics` row with its typed reason; approved sizes also land
on the cycle's `strategy_evaluations` rows.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection, bindparam, or_, select, update

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.bulk import insert_rows, to_json
from tradecycle.core.orders import OPEN_STATUSES
from tradecycle.core.risk import (
    AccountState,
    RiskDecision,
    RiskLimits,
    evaluate,
    sharpe_ratio,
    value_at_risk_95,
)
from tradecycle.core.types import Side, TradeStatus
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.services.ledger import cash_cents
from tradecycle.services.portfolio import HISTORY_FOR_RISK, cycle_equity_history, latest_closes

_o, _t, _ps, _p = s.orders.c, s.trades.c, s.portfolio_status.c, s.positions.c
OPEN_BUYS = (
    select(_o.symbol, _o.quantity, _o.filled_quantity, _o.price)
    .where(
        _o.account_id == bindparam("account"),
        _o.side == Side.BUY.value,
        _o.status.in_([st.value for st in OPEN_STATUSES]),
        or_(_o.cycle_id.is_(None), _o.cycle_id != bindparam("cycle_id")),
    )
    .order_by(_o.id)
)
LAST_CLOSED = (
    select(_t.profit_loss, _t.closed_at)
    .where(_t.account_id == bindparam("account"), _t.status == TradeStatus.CLOSED.value)
    .order_by(_t.closed_at.desc(), _t.id.desc())
    .limit(bindparam("n"))
)
LAST_BEFORE = (
    select(_ps.total_value)
    .where(_ps.account_id == bindparam("account"), _ps.timestamp < bindparam("before"))
    .order_by(_ps.timestamp.desc(), _ps.id.desc())
    .limit(1)
)
_se = s.strategy_evaluations.c
# Sized by primary key: this cycle's evaluations are found through the cycle_id index (a
# WHERE on cycle_id and symbol lets SQLite pick the symbol index, whose rows grow all replay).
CYCLE_EVALUATIONS = select(_se.id, _se.symbol, _se.strategy_name).where(_se.cycle_id == bindparam("b_cycle"))
SIZE_EVALUATIONS = update(s.strategy_evaluations).where(_se.id == bindparam("b_id"))
# ordered: equity is a float sum over these rows, and PostgreSQL returns updated rows in any order
HOLDINGS = (
    select(_p.symbol, _p.quantity, _p.average_cost, _p.current_price)
    .where(_p.account_id == bindparam("account"), _p.quantity > 0)
    .order_by(_p.symbol)
)


def open_entry_orders(conn: Connection, ctx: CycleContext) -> dict[str, float]:
    """Symbol -> cash still committed by open buy orders of earlier cycles (at their limit, else the last close).

    This cycle's own orders are left out, so a re-run cycle decides exactly as its first attempt did.
    """
    rows = list(conn.execute(OPEN_BUYS, {"account": ctx.account_id, "cycle_id": ctx.cycle_id}))
    closes = latest_closes(ctx, [r.symbol for r in rows])
    return {
        r.symbol: (r.quantity - (r.filled_quantity or 0)) * (r.price or closes.get(r.symbol, 0.0))
        for r in rows
    }


def loss_streak(conn: Connection, account_id: int, limit: int) -> tuple[int, datetime | None]:
    """Consecutive losing closed trades up to the newest (at most `limit`), and when the newest closed."""
    rows = list(conn.execute(LAST_CLOSED, {"account": account_id, "n": limit}))
    streak = 0
    for row in rows:
        if row.profit_loss is None or row.profit_loss >= 0:
            break
        streak += 1
    return streak, (rows[0].closed_at if streak else None)


def sessions_since(ctx: CycleContext, when: datetime | None) -> int | None:
    if when is None:
        return None
    t = np.datetime64(when.astimezone(UTC).replace(tzinfo=None), "ns")
    return int(np.count_nonzero(ctx.panel.closes_utc > t))


def day_start_equity(conn: Connection, ctx: CycleContext) -> float | None:
    """The last snapshot before the cycle's UTC day began (US sessions lie inside one UTC day)."""
    midnight = ctx.now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return conn.execute(LAST_BEFORE, {"account": ctx.account_id, "before": midnight}).scalar()


def account_state(conn: Connection, ctx: CycleContext, limits: RiskLimits) -> AccountState:
    holdings = list(conn.execute(HOLDINGS, {"account": ctx.account_id}))
    closes = latest_closes(ctx, [r.symbol for r in holdings])
    committed = open_entry_orders(conn, ctx)
    cash = cash_cents(conn, ctx.account_id) / 100
    equity = cash + sum(
        r.quantity * closes.get(r.symbol, r.current_price if r.current_price is not None else r.average_cost)
        for r in holdings
    )
    held = frozenset(r.symbol for r in holdings) | frozenset(committed)
    sectors: dict[str, int] = {}
    for symbol in held:
        sector = ctx.sectors.get(symbol, "Unknown")
        sectors[sector] = sectors.get(sector, 0) + 1
    streak, last_loss = loss_streak(conn, ctx.account_id, limits.circuit_breaker_losses)
    return AccountState(
        equity=equity,
        cash=cash - sum(committed.values()),
        held=held,
        sector_counts=sectors,
        day_start_equity=day_start_equity(conn, ctx),
        consecutive_losses=streak,
        sessions_since_last_loss=sessions_since(ctx, last_loss),
    )


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    """Decide every entry signal (BUYs, and SELLs of symbols not held); set ctx.approved."""
    limits = RiskLimits.from_settings(ctx.settings.risk)
    account = account_state(conn, ctx, limits)
    entries = [sig for sig in ctx.signals if sig.side is Side.BUY or sig.symbol not in account.held]
    decisions = evaluate(entries, account, limits, ctx.sectors)
    curve = np.append(cycle_equity_history(conn, ctx), account.equity)[-HISTORY_FOR_RISK:]
    var95 = value_at_risk_95(curve)
    reporting = ctx.settings.reporting
    sharpe = sharpe_ratio(curve, reporting.risk_free_rate, reporting.periods_per_year)
    _record(conn, ctx, account, limits, decisions, var95, sharpe)
    ctx.approved = [d for d in decisions if d.approved]
    ctx.cache["risk_decisions"] = decisions
    return PhaseResult(
        processed=len(decisions),
        succeeded=len(ctx.approved),
        metadata={
            "denied": {d.symbol: d.reason.value for d in decisions if not d.approved},
            "equity": round(account.equity, 2),
            "var_95": var95,
        },
    )


def _record(
    conn: Connection,
    ctx: CycleContext,
    account: AccountState,
    limits: RiskLimits,
    decisions: list[RiskDecision],
    var95: float | None,
    sharpe: float | None,
) -> None:
    common = {
        "portfolio_value": round(account.equity, 2),
        "max_positions": limits.max_open_positions,
        "current_positions": len(account.held),
        "daily_loss_limit": limits.daily_loss_limit_pct,
        "current_daily_loss": round(account.daily_loss_pct, 4),
        "var_95": var95,
        "sharpe_ratio": sharpe,
        "calculation_timestamp": ctx.now,
        "created_at": ctx.now,
        "cycle_id": ctx.cycle_id,
    }
    rows = [
        {
            **common,
            "symbol": None,
            "position_size": None,
            "risk_amount": None,
            "risk_percentage": None,
            "decision": None,
            "reason": "portfolio",
            "metadata": to_json(
                {
                    "cash": round(account.cash, 2),
                    "consecutive_losses": account.consecutive_losses,
                    "sessions_since_last_loss": account.sessions_since_last_loss,
                    "day_start_equity": account.day_start_equity,
                }
            ),
        }
    ]
    for d in decisions:
        rows.append(
            {
                **common,
                "symbol": d.symbol,
                "position_size": round(d.position_value, 2),
                "risk_amount": round(d.risk_amount, 2),
                "risk_percentage": round(d.risk_amount / account.equity * 100, 4)
                if account.equity > 0
                else None,
                "decision": "approve" if d.approved else "deny",
                "reason": d.reason.value,
                "metadata": to_json(
                    {
                        "detail": d.detail,
                        "quantity": d.quantity,
                        "side": d.signal.side.value,
                        "entry": d.signal.entry,
                        "stop": d.signal.stop,
                        "target": d.signal.target,
                        "reward_risk": round(d.signal.reward_risk, 4),
                        "sector": d.sector,
                        "strategy": d.signal.strategy_name,
                    }
                ),
            }
        )
    insert_rows(conn, s.risk_metrics, rows)
    if decisions:
        ids: dict[tuple[str, str], list[int]] = {}
        for row_id, symbol, strategy in conn.execute(CYCLE_EVALUATIONS, {"b_cycle": ctx.cycle_id}):
            ids.setdefault((symbol, strategy), []).append(row_id)
        sized = [
            {"b_id": row_id, "position_size": d.quantity}
            for d in decisions
            for row_id in ids.get((d.symbol, d.signal.strategy_name), ())
        ]
        if sized:
            conn.execute(SIZE_EVALUATIONS, sized)
