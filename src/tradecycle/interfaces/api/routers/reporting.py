"""The seed's reporting_service endpoints, read-only, computed by services.reporting."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from tradecycle.coordinator.clock import WallClock
from tradecycle.interfaces.api.deps import Ctx
from tradecycle.interfaces.api.pagination import Page, Paging
from tradecycle.interfaces.dashboard.tearsheet import render_tearsheet
from tradecycle.services import reporting

router = APIRouter(tags=["reporting"])

AccountQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="account id (default: the oldest active)")
]


@router.get("/daily_summary", response_model=reporting.DailySummary)
def daily_summary(
    ctx: Ctx,
    account_id: AccountQuery = None,
    day: Annotated[
        date | None, Query(alias="date", description="New York date (default: last marked session)")
    ] = None,
    history_days: Annotated[int, Query(ge=1, le=3660)] = 30,
) -> reporting.DailySummary:
    """One session's P&L, trades, orders and cycles, and realized P&L of the days before."""
    with ctx.engine.connect() as conn:
        return reporting.daily_summary(conn, account_id, day, history_days)


@router.get("/trading_performance", response_model=reporting.PerformanceReport)
def trading_performance(
    ctx: Ctx,
    account_id: AccountQuery = None,
    sessions: Annotated[
        int | None, Query(ge=1, le=100_000, description="last N sessions (default: all)")
    ] = None,
) -> reporting.PerformanceReport:
    """Total return, CAGR, Sharpe, Sortino, Calmar, drawdown, trade statistics, exposure, benchmark."""
    with ctx.engine.connect() as conn:
        return reporting.trading_performance(conn, ctx.settings, account_id, sessions)


@router.get("/pattern_effectiveness", response_model=Page)
def pattern_effectiveness(
    ctx: Ctx,
    page: Paging,
    account_id: AccountQuery = None,
    pattern_type: Annotated[
        str | None, Query(max_length=32, description="candlestick | chart | volume")
    ] = None,
    min_trades: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page:
    """Per pattern: hits, symbols, trades entered on it, win rate, average return."""
    with ctx.engine.connect() as conn:
        rows = reporting.pattern_effectiveness(conn, account_id)
    rows = [
        r for r in rows if (pattern_type is None or r.pattern_type == pattern_type) and r.trades >= min_trades
    ]
    items = [vars(r) for r in rows[page.offset : page.offset + page.limit]]
    return Page(items=items, total=len(rows), limit=page.limit, offset=page.offset)


@router.get("/cycle_analysis", response_model=reporting.CycleAnalysis)
def cycle_analysis(
    ctx: Ctx,
    last: Annotated[
        int | None, Query(ge=1, le=100_000, description="cycles to analyse (default reporting.recent_cycles)")
    ] = None,
) -> reporting.CycleAnalysis:
    """Status counts, durations and per-phase failure rates of the most recent cycles."""
    with ctx.engine.connect() as conn:
        return reporting.cycle_analysis(conn, ctx.settings, last)


@router.get("/system_health", response_model=reporting.SystemHealth)
def system_health(ctx: Ctx) -> reporting.SystemHealth:
    """Services and heartbeats, the last cycle, and what looks wrong."""
    with ctx.engine.connect() as conn:
        return reporting.system_health(conn, ctx.settings, WallClock().now())


@router.get("/tearsheet", response_class=HTMLResponse)
def tearsheet(ctx: Ctx, account_id: AccountQuery = None) -> HTMLResponse:
    """The self-contained HTML tearsheet (what `tradecycle report tearsheet` writes)."""
    with ctx.engine.connect() as conn:
        report = reporting.trading_performance(conn, ctx.settings, account_id)
        curve = reporting.load_equity_curve(conn, report.account_id)
    return HTMLResponse(render_tearsheet(report, curve, WallClock().now()))
