"""The JSON the dashboard draws: one endpoint per page, each a handful of indexed queries.

Numbers are the database's own (no rounding here); the browser formats them. Lists
are paginated like every other list endpoint.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Column, Connection, Select, func, select

from tradecycle.adapters.store import schema as s
from tradecycle.coordinator.clock import WallClock
from tradecycle.core.metrics import drawdown_series
from tradecycle.core.types import CycleStatus, Side, TradeStatus
from tradecycle.errors import NotFoundError
from tradecycle.interfaces.api.deps import Ctx
from tradecycle.interfaces.api.encoding import FastJSONResponse
from tradecycle.interfaces.api.pagination import Page, Paging, paginate
from tradecycle.interfaces.dashboard.data import (
    CSV_COLUMNS,
    bundled_info,
    decode_metadata,
    symbol_bars,
    trade_query,
)
from tradecycle.services import reporting

router = APIRouter(prefix="/dashboard", tags=["dashboard"])

SymbolPath = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9.\-]+$")]
CycleIdPath = Annotated[str, Path(min_length=1, max_length=64)]


def _rows(conn: Connection, query: Select) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(query).mappings()]


def _newest_for_symbol(
    conn: Connection, symbol: str, columns: list[Column], *, by: Column, limit: int
) -> list[dict[str, Any]]:
    """`columns` of one symbol's `limit` newest rows (newest first by `by`), for the symbol page."""
    table = by.table
    newest_first = (by.desc(), table.c.id.desc())  # a cycle's rows share `by`: the id decides
    return _rows(conn, select(*columns).where(table.c.symbol == symbol).order_by(*newest_first).limit(limit))


def _cycle_time():
    return func.coalesce(s.trading_cycles.c.as_of, s.trading_cycles.c.start_time)


def _cycle_summary(conn: Connection, cycle_id: str | None) -> dict[str, Any] | None:
    if cycle_id is None:
        return None
    c = s.trading_cycles
    row = conn.execute(
        select(
            c.c.cycle_id, c.c.status, c.c.as_of, c.c.start_time, c.c.end_time, c.c.mode, c.c.error_message
        ).where(c.c.cycle_id == cycle_id)
    ).first()
    return dict(row._mapping) if row else None


@router.get("/overview")
def overview(
    ctx: Ctx, account_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
) -> FastJSONResponse:
    """Equity, cash, today's and total P&L, drawdown, open positions, the running and last cycle."""
    with ctx.engine.connect() as conn:
        account_id = account_id if account_id is not None else reporting.default_account(conn)
        curve = reporting.load_equity_curve(conn, account_id)
        summary = reporting.daily_summary(conn, account_id, history_days=0, curve=curve)
        p, sym, t = s.positions, s.symbols, s.trades
        positions = _rows(
            conn,
            select(
                p.c.symbol,
                sym.c.sector,
                p.c.quantity,
                p.c.average_cost,
                p.c.current_price,
                p.c.market_value,
                p.c.unrealized_pnl,
                p.c.opened_at,
                p.c.last_updated,
            )
            .select_from(p.outerjoin(sym, sym.c.symbol == p.c.symbol))
            .where(p.c.quantity > 0, *([p.c.account_id == account_id] if account_id else []))
            .order_by(p.c.symbol),
        )
        stops = {
            r.symbol: (r.stop_loss, r.target_price)
            for r in conn.execute(
                select(t.c.symbol, t.c.stop_loss, t.c.target_price)
                .where(
                    t.c.status == TradeStatus.OPEN.value,
                    *([t.c.account_id == account_id] if account_id else []),
                )
                .order_by(t.c.id)  # the newest open trade of a symbol wins
            )
        }
        c = s.trading_cycles
        running = conn.execute(
            select(c.c.cycle_id)
            .where(c.c.status == CycleStatus.RUNNING.value)
            .order_by(c.c.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        last = conn.execute(
            select(c.c.cycle_id).order_by(_cycle_time().desc(), c.c.id.desc()).limit(1)
        ).scalar_one_or_none()
        running_cycle, last_cycle = _cycle_summary(conn, running), _cycle_summary(conn, last)
        recent_trades = _rows(
            conn,
            select(
                t.c.id, t.c.symbol, t.c.signal_type, t.c.status, t.c.quantity, t.c.entry_price, t.c.exit_price,
                t.c.profit_loss, t.c.entry_time, t.c.closed_at, t.c.exit_reason,
            )
            .where(*([t.c.account_id == account_id] if account_id else []))
            .order_by(t.c.id.desc())
            .limit(12),
        )  # fmt: skip
    for row in positions:
        cost = (row["average_cost"] or 0) * row["quantity"]
        row["unrealized_pct"] = (
            row["unrealized_pnl"] / cost if cost and row["unrealized_pnl"] is not None else None
        )
        row["stop_loss"], row["target_price"] = stops.get(row["symbol"], (None, None))
    equity = curve.equity
    bench = curve.benchmark
    return FastJSONResponse(
        {
            "account_id": account_id,
            "date": summary.date,
            "equity": summary.equity,
            "cash": summary.cash,
            "positions_value": summary.positions_value,
            "daily_pnl": summary.daily_pnl,
            "daily_return": summary.daily_return,
            "total_pnl": summary.total_pnl,
            "total_return": float(equity[-1] / equity[0] - 1) if equity.size > 1 else None,
            "benchmark_return": float(bench[-1] / bench[0] - 1)
            if bench.size > 1 and np.isfinite(bench[[0, -1]]).all() and bench[0] > 0
            else None,
            "drawdown": float(drawdown_series(equity)[-1]) if equity.size else None,
            "realized_today": summary.realized_pnl,
            "trades_closed_today": summary.trades_closed,
            "positions": positions,
            "recent_trades": recent_trades,
            "running_cycle": running_cycle,
            "last_cycle": last_cycle,
            "refresh_seconds": ctx.settings.api.dashboard_refresh_seconds,
        }
    )


@router.get("/equity")
def equity(ctx: Ctx, account_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> FastJSONResponse:
    """One point per session: equity, cash, benchmark (raw and rebased to the first equity), drawdown."""
    with ctx.engine.connect() as conn:
        account_id = account_id if account_id is not None else reporting.default_account(conn)
        curve = reporting.load_equity_curve(conn, account_id)
    bench = curve.benchmark
    rebased = (
        bench / bench[0] * curve.equity[0] if bench.size and np.isfinite(bench[0]) and bench[0] > 0 else bench
    )
    drawdown = drawdown_series(curve.equity)
    columns = {
        "date": curve.dates,
        "equity": curve.equity.tolist(),
        "cash": curve.cash.tolist(),
        "positions_value": curve.positions_value.tolist(),
        "benchmark": bench.tolist(),
        "benchmark_rebased": rebased.tolist(),
        "drawdown": drawdown.tolist(),
    }
    points = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    return FastJSONResponse({"account_id": account_id, "points": points})


@router.get("/cycles", response_model=Page)
def cycles(
    ctx: Ctx,
    page: Paging,
    status: Annotated[CycleStatus | None, Query(description="only cycles in this status")] = None,
    mode: Annotated[str | None, Query(max_length=16, description="replay | live")] = None,
) -> FastJSONResponse:
    """Cycles newest first, each with its phases' status and duration (the timeline)."""
    c, m, w = s.trading_cycles, s.workflow_metrics, s.workflow_tracking
    query = (
        select(
            c.c.cycle_id,
            c.c.status,
            c.c.as_of,
            c.c.start_time,
            c.c.end_time,
            c.c.mode,
            c.c.securities_scanned,
            c.c.patterns_found,
            c.c.trades_executed,
            c.c.error_count,
            c.c.error_message,
            m.c.total_duration_seconds,
            m.c.signals_generated,
        )
        .select_from(c.outerjoin(m, m.c.cycle_id == c.c.cycle_id))
        .order_by(_cycle_time().desc(), c.c.id.desc())
    )
    if status is not None:
        query = query.where(c.c.status == status.value)
    if mode is not None:
        query = query.where(c.c.mode == mode)
    with ctx.engine.connect() as conn:
        result = paginate(conn, query, page)
        ids = [row["cycle_id"] for row in result.items]
        phases: dict[str, list] = {cid: [] for cid in ids}
        if ids:
            for row in conn.execute(
                select(w.c.cycle_id, w.c.phase, w.c.status, w.c.duration_seconds, w.c.items_processed)
                .where(w.c.cycle_id.in_(ids))
                .order_by(w.c.start_time, w.c.id)
            ).mappings():
                phases[row["cycle_id"]].append(
                    {k: row[k] for k in ("phase", "status", "duration_seconds", "items_processed")}
                )
    for row in result.items:
        row["phases"] = phases.get(row["cycle_id"], [])
    return FastJSONResponse(result.model_dump())


@router.get("/cycles/{cycle_id}")
def cycle_detail(ctx: Ctx, cycle_id: CycleIdPath) -> FastJSONResponse:
    """Everything one cycle did: phases, events, candidates, patterns, signals, risk decisions, orders."""
    by_cycle = {
        "candidates": (s.scanning_results, s.scanning_results.c.change_percent.desc()),
        "patterns": (s.pattern_analysis, s.pattern_analysis.c.confidence.desc()),
        "predictions": (s.ml_predictions, s.ml_predictions.c.symbol),
        "sentiment": (s.news_sentiment, s.news_sentiment.c.symbol),
        "signals": (s.strategy_evaluations, s.strategy_evaluations.c.score.desc()),
        "risk_decisions": (s.risk_metrics, s.risk_metrics.c.id),
        "orders": (s.orders, s.orders.c.id),
        "phases": (s.workflow_tracking, s.workflow_tracking.c.start_time),
        "events": (s.workflow_events, s.workflow_events.c.id),
    }
    with ctx.engine.connect() as conn:
        cycle = (
            conn.execute(select(s.trading_cycles).where(s.trading_cycles.c.cycle_id == cycle_id))
            .mappings()
            .first()
        )
        if cycle is None:
            raise NotFoundError(f"cycle {cycle_id!r} not found")
        detail: dict[str, Any] = {"cycle": decode_metadata(dict(cycle))}
        for key, (table, order) in by_cycle.items():
            columns = [col for col in table.c if col.name not in ("model_data", "created_at")]
            detail[key] = [
                decode_metadata(r)
                for r in _rows(
                    conn, select(*columns).where(table.c.cycle_id == cycle_id).order_by(order, table.c.id)
                )
            ]
        t = s.trades
        detail["trades"] = _rows(
            conn,
            select(t)
            .where((t.c.cycle_id == cycle_id) | (t.c.exit_order_id.like(f"{cycle_id}:%")))
            .order_by(t.c.id),
        )
        metrics = (
            conn.execute(select(s.workflow_metrics).where(s.workflow_metrics.c.cycle_id == cycle_id))
            .mappings()
            .first()
        )
        detail["metrics"] = dict(metrics) if metrics else None
    return FastJSONResponse(detail)


@router.get("/symbols/{symbol}")
def symbol_detail(
    ctx: Ctx,
    symbol: SymbolPath,
    sessions: Annotated[int, Query(ge=10, le=5000, description="bars to return, newest last")] = 250,
) -> FastJSONResponse:
    """Bars (candlesticks), patterns, indicators, trades and news of one symbol."""
    symbol = symbol.upper()
    with ctx.engine.connect() as conn:
        info = conn.execute(
            select(s.symbols).where(s.symbols.c.symbol == symbol)
        ).mappings().first() or bundled_info(symbol)
        last_mark = conn.execute(select(func.max(s.portfolio_status.c.timestamp))).scalar_one_or_none()
        bars = symbol_bars(conn, ctx, symbol, sessions, last_mark)
        if info is None and not bars:
            raise NotFoundError(f"symbol {symbol!r} not found")
        p, ti, t, n, ml = (
            s.pattern_analysis,
            s.technical_indicators,
            s.trades,
            s.news_sentiment,
            s.ml_predictions,
        )
        since = bars[0]["time"] if bars else None
        patterns = _newest_for_symbol(
            conn,
            symbol,
            [
                p.c.pattern_type,
                p.c.pattern_name,
                p.c.direction,
                p.c.confidence,
                p.c.entry_price,
                p.c.stop_loss,
                p.c.target_price,
                p.c.detection_timestamp,
                p.c.cycle_id,
            ],
            by=p.c.detection_timestamp,
            limit=500,
        )
        latest = (
            select(ti.c.indicator_name, func.max(ti.c.id).label("id"))
            .where(ti.c.symbol == symbol)
            .group_by(ti.c.indicator_name)
            .subquery()
        )
        indicators = _rows(
            conn,
            select(
                ti.c.indicator_name,
                ti.c.indicator_value,
                ti.c.signal,
                ti.c.calculation_timestamp,
                ti.c.cycle_id,
            )
            .join(latest, latest.c.id == ti.c.id)
            .order_by(ti.c.indicator_name),
        )
        trades = _rows(conn, select(t).where(t.c.symbol == symbol).order_by(t.c.id.desc()).limit(200))
        news = _newest_for_symbol(
            conn,
            symbol,
            [
                n.c.headline,
                n.c.source,
                n.c.article_date,
                n.c.sentiment_score,
                n.c.sentiment_label,
                n.c.relevance_score,
                n.c.cycle_id,
            ],
            by=n.c.article_date,
            limit=50,
        )
        predictions = _newest_for_symbol(
            conn,
            symbol,
            [
                ml.c.model_name,
                ml.c.prediction_type,
                ml.c.prediction_value,
                ml.c.confidence,
                ml.c.prediction_timestamp,
            ],
            by=ml.c.prediction_timestamp,
            limit=20,
        )
        position = (
            conn.execute(
                select(s.positions)
                .where(s.positions.c.symbol == symbol, s.positions.c.quantity > 0)
                .order_by(s.positions.c.account_id)
            )
            .mappings()
            .first()
        )
    return FastJSONResponse(
        {
            "symbol": symbol,
            "name": info["name"] if info else None,
            "sector": info["sector"] if info else None,
            "sub_industry": info["sub_industry"] if info else None,
            "since": since,
            "bars": bars,
            "patterns": patterns,
            "indicators": indicators,
            "trades": trades,
            "news": news,
            "predictions": predictions,
            "position": dict(position) if position else None,
        }
    )


def trade_filters(
    symbol: str | None = Query(None, max_length=16, description="symbol"),
    status: TradeStatus | None = Query(None, description="pending | open | closed | cancelled"),
    side: Side | None = Query(None, description="BUY | SELL"),
    strategy: str | None = Query(None, max_length=64),
    start: date | None = Query(None, description="entered on or after this date"),
    end: date | None = Query(None, description="entered on or before this date"),
) -> Select:
    """The trades query with the filters /dashboard/trades and /dashboard/trades.csv share."""
    return trade_query(symbol, status, side, strategy, start, end)


TradeQuery = Annotated[Select, Depends(trade_filters)]


@router.get("/trades", response_model=Page)
def trades(ctx: Ctx, query: TradeQuery, page: Paging) -> FastJSONResponse:
    """Trades newest first, filterable by symbol, status, side, strategy and entry date."""
    with ctx.engine.connect() as conn:
        result = paginate(conn, query, page)
    return FastJSONResponse(result.model_dump())


@router.get("/trades.csv", response_class=StreamingResponse)
def trades_csv(ctx: Ctx, query: TradeQuery) -> StreamingResponse:
    """The same filters as /dashboard/trades, every matching row, as CSV."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                "" if row[c] is None else (row[c].isoformat() if isinstance(row[c], datetime) else row[c])
                for c in CSV_COLUMNS
            ]
        )
    return StreamingResponse(
        iter([buffer.getvalue()]),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="trades.csv"'},
    )


@router.get("/system")
def system(ctx: Ctx) -> dict[str, Any]:
    """Services and heartbeats, health problems, the stored schedule and the next run."""
    from tradecycle.coordinator.schedule import SCHEDULE_ROW_ID, next_run_time
    from tradecycle.errors import TradecycleError

    now = WallClock().now()
    with ctx.engine.connect() as conn:
        health = reporting.system_health(conn, ctx.settings, now)
        raw = conn.execute(
            select(s.trading_schedule_config.c.config).where(
                s.trading_schedule_config.c.id == SCHEDULE_ROW_ID
            )
        ).scalar_one_or_none()
    try:
        stored = json.loads(raw) if raw else None
    except ValueError:
        stored = None
    try:
        next_run = next_run_time(now, ctx.settings.data.timeframe, ctx.settings.schedule.interval_minutes)
    except (TradecycleError, ValueError):
        next_run = None
    return {
        "health": health,
        "schedule": {
            "stored": stored,
            "timeframe": ctx.settings.data.timeframe,
            "interval_minutes": ctx.settings.schedule.interval_minutes,
            "market_hours_only": ctx.settings.schedule.market_hours_only,
            "next_run": next_run,
        },
        "token_configured": ctx.settings.api.token is not None,
        "now": now,
    }
