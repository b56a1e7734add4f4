"""Small real panels and fake phases for coordinator tests (no analysis services needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from tradecycle.core.panel import BarPanel
from tradecycle.services.context import PhaseResult


def tiny_panel(n_symbols: int = 3, n_sessions: int = 30) -> BarPanel:
    """Business days from 2015-01-05 with 21:00 UTC closes and a gentle uptrend."""
    days = np.arange(np.datetime64("2015-01-05"), np.datetime64("2015-01-05") + n_sessions * 2)
    days = days[np.is_busday(days)][:n_sessions]
    closes = days.astype("datetime64[ns]") + np.timedelta64(21, "h")
    base = 50.0 + np.arange(n_symbols)[:, None] * 10 + np.arange(n_sessions)[None, :] * 0.5
    return BarPanel(
        symbols=np.array([f"S{i}" for i in range(n_symbols)]),
        sessions=days,
        closes_utc=closes,
        open=base,
        high=base * 1.01,
        low=base * 0.99,
        close=base,
        volume=np.full_like(base, 2e6),
    )


def as_of(panel: BarPanel, index: int) -> datetime:
    from tradecycle.coordinator.replay import session_as_of

    return session_as_of(panel, index)


def scan_writer(conn, ctx) -> PhaseResult:
    """A phase that writes one derived row per symbol, like the scanner does."""
    from tradecycle.adapters.store import schema as s
    from tradecycle.adapters.store.bulk import insert_rows

    rows = [
        {
            "symbol": str(sym),
            "scan_timestamp": ctx.now,
            "price": float(ctx.panel.close[i, -1]),
            "cycle_id": ctx.cycle_id,
        }
        for i, sym in enumerate(ctx.panel.symbols)
    ]
    insert_rows(conn, s.scanning_results, rows)
    return PhaseResult(processed=len(rows), succeeded=len(rows))


def failing(conn, ctx) -> PhaseResult:
    raise RuntimeError("boom: the broker is down")


def no_holdings(conn, account_id: int) -> set[str]:
    return set()


def fixed_wall() -> object:
    from tradecycle.coordinator.clock import FixedClock

    return FixedClock(datetime(2026, 1, 1, tzinfo=UTC))


def decision_state(url: str) -> dict[str, list[tuple]]:
    """What a replay decided and booked, sorted, without ids or wall-clock columns."""
    from sqlalchemy import select

    from tradecycle.adapters.store import schema as s
    from tradecycle.adapters.store.database import prepare_database

    engine = prepare_database(url)
    picks = {
        "orders": (
            s.orders,
            (
                "client_order_id",
                "symbol",
                "side",
                "order_type",
                "quantity",
                "status",
                "filled_quantity",
                "average_fill_price",
                "price",
                "stop_price",
            ),
        ),
        "trades": (
            s.trades,
            ("symbol", "signal_type", "quantity", "entry_price", "exit_price", "profit_loss", "status"),
        ),
        "transactions": (s.transactions, ("external_id", "kind", "symbol", "quantity", "amount_cents")),
        "positions": (s.positions, ("symbol", "quantity")),
        "cycles": (s.trading_cycles, ("cycle_id", "status")),
        # float sums over many rows: equal only if every engine and every resume adds them in one order
        "risk": (
            s.risk_metrics,
            (
                "cycle_id",
                "symbol",
                "decision",
                "reason",
                "portfolio_value",
                "position_size",
                "var_95",
                "sharpe_ratio",
            ),
        ),
        "snapshots": (
            s.portfolio_status,
            ("cycle_id", "total_value", "cash_balance", "positions_value", "daily_pnl", "total_pnl"),
        ),
        # the analysis behind every decision, with its metadata
        "evaluations": (
            s.strategy_evaluations,
            (
                "cycle_id",
                "symbol",
                "strategy_name",
                "entry_signal",
                "score",
                "confidence_score",
                "position_size",
                "metadata",
            ),
        ),
        "patterns": (s.pattern_analysis, ("cycle_id", "symbol", "pattern_name", "confidence", "metadata")),
        "predictions": (
            s.ml_predictions,
            ("cycle_id", "symbol", "model_version", "prediction_value", "confidence"),
        ),
        "scans": (s.scanning_results, ("cycle_id", "symbol", "scan_type", "metadata")),
        "news": (s.news_sentiment, ("cycle_id", "symbol", "headline", "sentiment_score", "relevance_score")),
    }
    state = {}
    with engine.connect() as conn:
        for name, (table, columns) in picks.items():
            rows = conn.execute(select(*(table.c[c] for c in columns))).all()
            state[name] = sorted((tuple(row) for row in rows), key=repr)  # rows may hold None
    engine.dispose()
    return state
