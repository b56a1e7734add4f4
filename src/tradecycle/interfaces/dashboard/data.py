"""Queries and small transforms behind the dashboard's JSON (routers/dashboard_data.py)."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Select, select

from tradecycle.adapters.store import schema as s


def decode_metadata(row: dict[str, Any]) -> dict[str, Any]:
    """Metadata columns hold JSON text; hand the browser the object."""
    for key in ("metadata", "event_data"):
        if isinstance(row.get(key), str):
            with contextlib.suppress(ValueError):
                row[key] = json.loads(row[key])
    return row


def bundled_info(symbol: str) -> dict[str, Any] | None:
    """Name and sector from the bundled universe when the database has no symbols row."""
    from tradecycle.adapters.marketdata.symbols import bundled_symbols

    found = bundled_symbols()
    found = found[found["symbol"] == symbol]
    return found.iloc[0].to_dict() if len(found) else None


def symbol_bars(
    conn: Connection, ctx, symbol: str, sessions: int, until: datetime | None
) -> list[dict[str, Any]]:
    """Recorded daily bars, or the configured provider's when none are recorded, up to the last mark."""
    md = s.market_data
    query = select(md.c.session, md.c.open, md.c.high, md.c.low, md.c.close, md.c.volume).where(
        md.c.symbol == symbol, md.c.timeframe == "1d"
    )
    if until is not None:
        query = query.where(md.c.timestamp <= until)
    rows = conn.execute(query.order_by(md.c.timestamp.desc()).limit(sessions)).all()
    if rows:
        return [
            {
                "time": r.session,
                "open": r.open,
                "high": r.high,
                "low": r.low,
                "close": r.close,
                "volume": r.volume,
            }
            for r in reversed(rows)
        ]
    return _provider_bars(ctx, symbol, sessions, until)


def _provider_bars(ctx, symbol: str, sessions: int, until: datetime | None) -> list[dict[str, Any]]:
    from tradecycle.coordinator.replay import load_source_panel
    from tradecycle.errors import TradecycleError

    try:
        panel = load_source_panel(
            ctx.engine, ctx.settings, end=until.date() if until else None, symbols=[symbol]
        )
    except TradecycleError:
        return []
    if until is not None:
        panel = panel.asof(until)
    row = panel.row(symbol)
    keep = np.nonzero(np.isfinite(panel.close[row]))[0][-sessions:]
    return [
        {
            "time": str(panel.sessions[i]),
            "open": float(panel.open[row, i]),
            "high": float(panel.high[row, i]),
            "low": float(panel.low[row, i]),
            "close": float(panel.close[row, i]),
            "volume": int(panel.volume[row, i]),
        }
        for i in keep
    ]


def trade_query(symbol, status, side, strategy, start, end) -> Select:
    t = s.trades
    query = select(t).order_by(t.c.created_at.desc(), t.c.id.desc())
    if symbol:
        query = query.where(t.c.symbol == symbol.upper())
    if status is not None:
        query = query.where(t.c.status == status.value)
    if side is not None:
        query = query.where(t.c.signal_type == side.value)
    if strategy:
        query = query.where(t.c.strategy_name == strategy)
    if start is not None:
        query = query.where(t.c.created_at >= datetime.combine(start, datetime.min.time()))
    if end is not None:
        query = query.where(t.c.created_at <= datetime.combine(end, datetime.max.time()))
    return query


CSV_COLUMNS = (
    "id",
    "symbol",
    "signal_type",
    "quantity",
    "entry_price",
    "exit_price",
    "status",
    "profit_loss",
    "entry_time",
    "closed_at",
    "exit_reason",
    "stop_loss",
    "target_price",
    "strategy_name",
    "cycle_id",
    "commission",
    "confidence",
)
