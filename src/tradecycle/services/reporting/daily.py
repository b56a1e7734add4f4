"""The daily summary: what happened on one session, and realized P&L of the days before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, and_, case, func, select

from tradecycle.adapters.store import schema as s
from tradecycle.core.types import CycleStatus, TradeStatus
from tradecycle.errors import DataError

from .curve import EquityCurve, count_rows, day_bounds_utc, default_account, load_equity_curve, market_day

# Days a report can be asked for: wide enough for any market history, narrow enough that a
# day's bounds and its look-back stay inside Python's dates.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)

# ---------------------------------------------------------------- daily summary


@dataclass(frozen=True)
class DayPnl:
    date: date
    trades_closed: int
    realized_pnl: float
    wins: int


@dataclass(frozen=True)
class DailySummary:
    account_id: int | None
    date: date | None
    equity: float | None
    cash: float | None
    positions_value: float | None
    daily_pnl: float | None
    daily_return: float | None
    total_pnl: float | None
    open_positions: int
    trades_opened: int
    trades_closed: int
    realized_pnl: float
    wins: int
    losses: int
    orders_submitted: int
    orders_filled: int
    cycles_completed: int
    cycles_failed: int
    history: tuple[DayPnl, ...]


def daily_summary(
    conn: Connection,
    account_id: int | None = None,
    day: date | None = None,
    history_days: int = 30,
    curve: EquityCurve | None = None,
) -> DailySummary:
    """What happened on `day` (default: the last marked session) and realized P&L of the days before.

    `curve` is the account's equity curve when the caller has already loaded it;
    `history_days=0` skips the per-day history.
    """
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise DataError(f"date {day.isoformat()}: reports cover {EARLIEST_DAY} to {LATEST_DAY}")
    account_id = account_id if account_id is not None else default_account(conn)
    if curve is None:
        curve = load_equity_curve(conn, account_id)
    if day is None:
        day = curve.dates[-1] if len(curve) else None
    equity = cash = positions_value = daily_pnl = daily_return = total_pnl = None
    if day is not None and day in curve.dates:
        i = curve.dates.index(day)
        equity, cash, positions_value = (
            float(a[i]) for a in (curve.equity, curve.cash, curve.positions_value)
        )
        initial = _initial_equity(conn, account_id, curve)
        base = curve.equity[i - 1] if i > 0 else initial
        daily_pnl = float(equity - base) if base is not None else None
        daily_return = daily_pnl / base if base else None
        total_pnl = equity - initial if initial is not None else None
    t, o, c = s.trades, s.orders, s.trading_cycles
    counts = dict.fromkeys(
        ("opened", "closed", "wins", "losses", "submitted", "filled", "completed", "failed"), 0
    )
    realized = 0.0
    if day is not None:
        lo, hi = day_bounds_utc(day)
        acct_t = [t.c.account_id == account_id] if account_id is not None else []
        acct_o = [o.c.account_id == account_id] if account_id is not None else []
        entry_time = t.c.created_at  # indexed; set when the trade is opened (simulated time in replays)
        counts["opened"] = count_rows(
            conn, select(func.count()).where(entry_time >= lo, entry_time < hi, *acct_t)
        )
        closed = and_(
            t.c.closed_at >= lo, t.c.closed_at < hi, t.c.status == TradeStatus.CLOSED.value, *acct_t
        )
        row = conn.execute(
            select(
                func.count(),
                func.coalesce(func.sum(t.c.profit_loss), 0.0),
                func.coalesce(func.sum(case((t.c.profit_loss > 0, 1), else_=0)), 0),
                func.coalesce(func.sum(case((t.c.profit_loss < 0, 1), else_=0)), 0),
            ).where(closed)
        ).one()
        counts["closed"], realized, counts["wins"], counts["losses"] = (
            int(row[0]),
            float(row[1]),
            int(row[2]),
            int(row[3]),
        )
        in_day = and_(o.c.created_timestamp >= lo, o.c.created_timestamp < hi, *acct_o)
        # One pass over the day's orders (the created_timestamp index); a status filter would
        # lead SQLite to scan every filled order through the status index instead.
        submitted, filled = conn.execute(
            select(
                func.count(), func.coalesce(func.sum(case((o.c.status == "filled", 1), else_=0)), 0)
            ).where(in_day)
        ).one()
        counts["submitted"], counts["filled"] = int(submitted), int(filled)
        cycle_time = func.coalesce(c.c.as_of, c.c.start_time)
        for status in (CycleStatus.COMPLETED, CycleStatus.FAILED):
            counts[status.value] = count_rows(
                conn,
                select(func.count()).where(cycle_time >= lo, cycle_time < hi, c.c.status == status.value),
            )
    return DailySummary(
        account_id=account_id,
        date=day,
        equity=equity,
        cash=cash,
        positions_value=positions_value,
        daily_pnl=daily_pnl,
        daily_return=daily_return,
        total_pnl=total_pnl,
        open_positions=_open_positions(conn, account_id),
        trades_opened=counts["opened"],
        trades_closed=counts["closed"],
        realized_pnl=realized,
        wins=counts["wins"],
        losses=counts["losses"],
        orders_submitted=counts["submitted"],
        orders_filled=counts["filled"],
        cycles_completed=counts["completed"],
        cycles_failed=counts["failed"],
        history=_pnl_history(conn, account_id, day, history_days) if day is not None and history_days else (),
    )


def _initial_equity(conn: Connection, account_id: int | None, curve: EquityCurve) -> float | None:
    """Deposits before the first mark; the first mark itself when no deposit is recorded."""
    tx = s.transactions
    query = select(func.sum(tx.c.amount_cents)).where(tx.c.kind == "deposit")
    if account_id is not None:
        query = query.where(tx.c.account_id == account_id)
    if len(curve):
        query = query.where(tx.c.timestamp < day_bounds_utc(curve.dates[0])[1])
    cents = conn.execute(query).scalar_one_or_none()
    if cents:
        return int(cents) / 100.0
    return float(curve.equity[0]) if len(curve) else None


def _open_positions(conn: Connection, account_id: int | None) -> int:
    p = s.positions
    query = select(func.count()).where(p.c.quantity > 0)
    if account_id is not None:
        query = query.where(p.c.account_id == account_id)
    return count_rows(conn, query)


def _pnl_history(conn: Connection, account_id: int | None, day: date, days: int) -> tuple[DayPnl, ...]:
    """The seed's daily P&L table: closed trades per New York day, newest first."""
    t = s.trades
    lo = day_bounds_utc(day - timedelta(days=min(days, (day - EARLIEST_DAY).days)))[0]
    query = (
        select(t.c.closed_at, t.c.profit_loss)
        .where(
            t.c.status == TradeStatus.CLOSED.value,
            t.c.closed_at >= lo,
            t.c.closed_at < day_bounds_utc(day)[1],
        )
        .order_by(t.c.closed_at, t.c.id)  # float sums in one order on every database
    )
    if account_id is not None:
        query = query.where(t.c.account_id == account_id)
    per_day: dict[date, list[float]] = {}
    for closed_at, pnl in conn.execute(query):
        per_day.setdefault(market_day(closed_at), []).append(pnl or 0.0)
    return tuple(
        DayPnl(d, len(v), float(sum(v)), sum(1 for x in v if x > 0))
        for d, v in sorted(per_day.items(), reverse=True)
    )
