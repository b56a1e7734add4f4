"""Trading performance: return, risk and trade statistics, against the benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Connection, select

from tradecycle.adapters.store import schema as s
from tradecycle.config import SettingsModel
from tradecycle.core import metrics
from tradecycle.core.types import TradeStatus

from .curve import day_bounds_utc, default_account, load_equity_curve

# ---------------------------------------------------------------- performance


@dataclass(frozen=True)
class PerformanceReport:
    account_id: int | None
    start: date | None
    end: date | None
    sessions: int
    initial_equity: float | None
    final_equity: float | None
    risk_free_rate: float
    periods_per_year: int
    returns: metrics.ReturnStats
    trades: metrics.TradeStats
    exposure: float
    benchmark: metrics.RelativeStats | None


def closed_trade_pnl(
    conn: Connection, account_id: int | None, start: date | None, end: date | None
) -> np.ndarray:
    t = s.trades
    query = select(t.c.profit_loss).where(
        t.c.status == TradeStatus.CLOSED.value, t.c.profit_loss.is_not(None)
    )
    if account_id is not None:
        query = query.where(t.c.account_id == account_id)
    if start is not None:
        query = query.where(t.c.closed_at >= day_bounds_utc(start)[0])
    if end is not None:
        query = query.where(t.c.closed_at < day_bounds_utc(end)[1])
    query = query.order_by(t.c.closed_at, t.c.id)  # float sums in one order on every database
    return np.array(conn.execute(query).scalars().all(), dtype=np.float64)


def trading_performance(
    conn: Connection, settings: SettingsModel, account_id: int | None = None, sessions: int | None = None
) -> PerformanceReport:
    """Return, risk and trade statistics over the last `sessions` sessions (default: all)."""
    account_id = account_id if account_id is not None else default_account(conn)
    curve = load_equity_curve(conn, account_id)
    if sessions is not None:
        curve = curve.tail(sessions + 1)
    rf, ppy = settings.reporting.risk_free_rate, settings.reporting.periods_per_year
    start = curve.dates[0] if len(curve) else None
    end = curve.dates[-1] if len(curve) else None
    pnl = closed_trade_pnl(conn, account_id, start if sessions is not None else None, end)
    bench = None
    if len(curve) >= 2 and np.all(np.isfinite(curve.benchmark)) and np.all(curve.benchmark > 0):
        bench = metrics.relative_stats(curve.equity, curve.benchmark, rf, ppy)
    return PerformanceReport(
        account_id=account_id,
        start=start,
        end=end,
        sessions=len(curve),
        initial_equity=float(curve.equity[0]) if len(curve) else None,
        final_equity=float(curve.equity[-1]) if len(curve) else None,
        risk_free_rate=rf,
        periods_per_year=ppy,
        returns=metrics.return_stats(curve.equity, rf, ppy),
        trades=metrics.trade_stats(pnl),
        exposure=metrics.exposure(np.nan_to_num(curve.positions_value) > 0),
        benchmark=bench,
    )
