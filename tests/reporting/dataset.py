"""A deterministic, realistic trading database for report, API, browser and benchmark runs.

It writes what a replay writes (accounts, symbols, bars, cycles with their phases,
scan/pattern/indicator/strategy/risk/news rows, orders, trades, positions, portfolio
marks with a benchmark, services) through insert_rows, so reports and the dashboard
can be checked against known rows without running the whole pipeline.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, text

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.adapters.store.engine import normalise_url

POSTGRES_URL = os.environ.get(
    "TRADECYCLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

PHASES = (
    "fills",
    "scan",
    "news",
    "patterns",
    "technicals",
    "ml",
    "strategy",
    "exits",
    "risk",
    "execution",
    "portfolio",
)
TICKERS = ("AAPL", "MSFT", "NVDA", "AMZN", "JPM", "XOM", "UNH", "HD", "KO", "CAT", "NEE", "LIN")
SECTORS = ("Information Technology", "Financials", "Energy", "Health Care", "Industrials", "Utilities")
PATTERNS = (
    ("candlestick", "hammer"),
    ("candlestick", "engulfing"),
    ("chart", "double_bottom"),
    ("volume", "volume_spike"),
)
INITIAL_CASH = 100_000.0
HOLD_SESSIONS = 4


@dataclass(frozen=True)
class Dataset:
    symbols: tuple[str, ...]
    sessions: pd.DatetimeIndex
    cycle_ids: tuple[str, ...]
    failed_cycle_ids: tuple[str, ...]
    account_id: int
    equity: np.ndarray
    benchmark: np.ndarray


def close_utc(day: pd.Timestamp) -> datetime:
    return datetime(day.year, day.month, day.day, 21, 0, tzinfo=UTC)


def build(engine: Engine, n_symbols: int = 8, n_sessions: int = 60, seed: int = 7) -> Dataset:
    """Write the dataset into an already-created schema and describe what was written."""
    rng = np.random.default_rng(seed)
    symbols = (
        tuple(TICKERS[:n_symbols])
        if n_symbols <= len(TICKERS)
        else tuple(f"S{i:03d}" for i in range(n_symbols))
    )
    sessions = pd.bdate_range("2024-01-02", periods=n_sessions)
    closes = 50 * np.exp(np.cumsum(rng.normal(0.0005, 0.015, (n_symbols, n_sessions)), axis=1)) + 20
    equity = INITIAL_CASH * np.cumprod(1 + rng.normal(0.0006, 0.008, n_sessions))
    benchmark = INITIAL_CASH * np.cumprod(1 + rng.normal(0.0004, 0.009, n_sessions))
    cycle_ids = tuple((close_utc(d) + timedelta(minutes=5)).strftime("cycle_%Y%m%d_%H%M%S") for d in sessions)
    failed = tuple(c for i, c in enumerate(cycle_ids) if i % 17 == 16)
    tables: dict = {name: [] for name in s.metadata.tables}
    tables["accounts"].append({"id": 1, "name": "paper", "broker": "paper"})
    tables["symbols"] = [
        {"symbol": sym, "name": f"{sym} Inc.", "sector": SECTORS[i % len(SECTORS)], "sub_industry": "Various"}
        for i, sym in enumerate(symbols)
    ]
    for i, sym in enumerate(symbols):
        c = closes[i]
        o = np.concatenate([[c[0]], c[:-1]]) * (1 + rng.normal(0, 0.003, n_sessions))
        hi, lo = np.maximum(o, c) * 1.01, np.minimum(o, c) * 0.99
        vol = rng.integers(1_000_000, 9_000_000, n_sessions)
        tables["market_data"] += [
            {
                "symbol": sym,
                "timeframe": "1d",
                "session": d.strftime("%Y-%m-%d"),
                "timestamp": close_utc(d),
                "open": float(o[j]),
                "high": float(hi[j]),
                "low": float(lo[j]),
                "close": float(c[j]),
                "volume": int(vol[j]),
                "source": "synthetic",
            }
            for j, d in enumerate(sessions)
        ]
    start = close_utc(sessions[0]) - timedelta(hours=8)
    tables["transactions"].append(
        {
            "account_id": 1,
            "timestamp": start,
            "kind": "deposit",
            "amount_cents": int(INITIAL_CASH * 100),
            "external_id": "deposit:initial",
            "description": "initial deposit",
        }
    )
    open_positions: dict[str, dict] = {}
    for j, (day, cycle_id) in enumerate(zip(sessions, cycle_ids, strict=True)):
        as_of = close_utc(day)
        _cycle_rows(tables, rng, cycle_id, as_of, cycle_id in failed)
        candidates = [symbols[(j + k) % n_symbols] for k in range(min(5, n_symbols))]
        _analysis_rows(tables, rng, cycle_id, as_of, candidates, closes[:, j], symbols)
        _trade_rows(tables, cycle_id, as_of, j, candidates[0], closes[:, j], symbols, open_positions)
        positions_value = sum(
            p["quantity"] * closes[symbols.index(sym), j] for sym, p in open_positions.items()
        )
        tables["portfolio_status"].append(
            {
                "timestamp": as_of,
                "total_value": float(equity[j]),
                "cash_balance": float(equity[j] - positions_value),
                "positions_value": float(positions_value),
                "daily_pnl": float(equity[j] - (equity[j - 1] if j else INITIAL_CASH)),
                "total_pnl": float(equity[j] - INITIAL_CASH),
                "account_id": 1,
                "cycle_id": cycle_id,
                "open_positions": len(open_positions),
                "benchmark_value": float(benchmark[j]),
            }
        )
    last = len(sessions) - 1
    tables["positions"] = [
        {
            "symbol": sym,
            "quantity": p["quantity"],
            "average_cost": p["entry_price"],
            "current_price": float(closes[symbols.index(sym), last]),
            "market_value": float(p["quantity"] * closes[symbols.index(sym), last]),
            "unrealized_pnl": float(p["quantity"] * (closes[symbols.index(sym), last] - p["entry_price"])),
            "realized_pnl": 0.0,
            "last_updated": close_utc(sessions[last]),
            "account_id": 1,
            "opened_at": p["entry_time"],
        }
        for sym, p in open_positions.items()
    ]
    beat = close_utc(sessions[last]) + timedelta(minutes=6)
    tables["service_coordination"] = [
        {
            "service_name": "coordinator",
            "host": "127.0.0.1",
            "port": 8000,
            "status": "running",
            "last_heartbeat": beat,
            "start_time": start,
        },
        {
            "service_name": "scanner",
            "host": "10.0.0.2",
            "port": 8001,
            "status": "running",
            "last_heartbeat": beat - timedelta(minutes=10),
            "start_time": start,
        },
    ]
    with engine.begin() as conn:
        for table in s.metadata.sorted_tables:
            if tables.get(table.name):
                insert_rows(conn, table, tables[table.name])
    return Dataset(symbols, sessions, cycle_ids, failed, 1, equity, benchmark)


def _cycle_rows(tables: dict, rng, cycle_id: str, as_of: datetime, failed: bool) -> None:
    started = as_of + timedelta(minutes=5)
    t = started
    durations = rng.uniform(0.001, 0.02, len(PHASES))
    fail_at = PHASES.index("ml") if failed else None
    for k, phase in enumerate(PHASES):
        if fail_at is not None and k > fail_at:
            break
        end = t + timedelta(seconds=float(durations[k]))
        status = "failed" if k == fail_at else "completed"
        tables["workflow_tracking"].append(
            {
                "cycle_id": cycle_id,
                "phase": phase,
                "status": status,
                "start_time": t,
                "end_time": end,
                "duration_seconds": float(durations[k]),
                "items_processed": 5,
                "items_succeeded": 5 if status == "completed" else 0,
                "items_failed": 0 if status == "completed" else 5,
                "error_message": "model file unreadable" if status == "failed" else None,
            }
        )
        tables["workflow_events"] += [
            {"cycle_id": cycle_id, "phase": phase, "event_type": "start", "timestamp": t},
            {
                "cycle_id": cycle_id,
                "phase": phase,
                "event_type": "error" if status == "failed" else "complete",
                "timestamp": end,
            },
        ]
        t = end
    status = "failed" if failed else "completed"
    tables["trading_cycles"].append(
        {
            "cycle_id": cycle_id,
            "status": status,
            "start_time": started,
            "end_time": t,
            "as_of": as_of,
            "mode": "replay",
            "securities_scanned": 5,
            "patterns_found": 5,
            "trades_executed": 1,
            "error_count": int(failed),
            "error_message": "phase ml failed: model file unreadable" if failed else None,
        }
    )
    tables["workflow_metrics"].append(
        {
            "cycle_id": cycle_id,
            "status": status,
            "start_time": started,
            "end_time": t,
            "total_duration_seconds": (t - started).total_seconds(),
            "securities_scanned": 5,
            "patterns_detected": 5,
            "signals_generated": 2,
            "trades_executed": 1,
            "success_rate": 0.6 if failed else 1.0,
            "error_count": int(failed),
        }
    )


def _analysis_rows(tables, rng, cycle_id, as_of, candidates, prices, symbols) -> None:
    for k, sym in enumerate(candidates):
        price = float(prices[symbols.index(sym)])
        tables["scanning_results"].append(
            {
                "symbol": sym,
                "scan_timestamp": as_of,
                "price": price,
                "volume": 2_000_000 + k,
                "change_percent": 5.5 + k,
                "relative_volume": 1.8,
                "scan_type": "momentum",
                "cycle_id": cycle_id,
            }
        )
        kind, name = PATTERNS[(k + len(cycle_id)) % len(PATTERNS)] if k else PATTERNS[0]
        tables["pattern_analysis"].append(
            {
                "symbol": sym,
                "pattern_type": kind,
                "pattern_name": name,
                "confidence": float(rng.uniform(0.6, 0.95)),
                "entry_price": price,
                "stop_loss": price * 0.98,
                "target_price": price * 1.06,
                "timeframe": "1d",
                "detection_timestamp": as_of,
                "cycle_id": cycle_id,
                "direction": "BUY",
            }
        )
        for ind, value in (
            ("RSI", float(rng.uniform(25, 75))),
            ("MACD", float(rng.normal(0, 1))),
            ("SMA_20", price * 0.99),
        ):
            tables["technical_indicators"].append(
                {
                    "symbol": sym,
                    "indicator_name": ind,
                    "indicator_value": value,
                    "signal": "BUY" if k == 0 else "NEUTRAL",
                    "timeframe": "1d",
                    "calculation_timestamp": as_of,
                    "cycle_id": cycle_id,
                }
            )
        score = 80.0 - 8 * k
        tables["strategy_evaluations"].append(
            {
                "symbol": sym,
                "strategy_name": "composite",
                "entry_signal": "BUY" if score >= 60 else "NEUTRAL",
                "entry_price": price,
                "stop_loss": price * 0.98,
                "target_price": price * 1.06,
                "position_size": 100,
                "risk_reward_ratio": 3.0,
                "expected_return": 6.0,
                "confidence_score": score / 100,
                "evaluation_timestamp": as_of,
                "cycle_id": cycle_id,
                "score": score,
            }
        )
        if score >= 60:
            tables["risk_metrics"].append(
                {
                    "symbol": sym,
                    "portfolio_value": 100_000.0,
                    "position_size": price * 100,
                    "risk_amount": price * 2,
                    "risk_percentage": 1.0,
                    "max_positions": 10,
                    "current_positions": 1,
                    "calculation_timestamp": as_of,
                    "cycle_id": cycle_id,
                    "decision": "approve" if k == 0 else "deny",
                    "reason": "approved" if k == 0 else "sector_limit",
                }
            )
        tables["news_sentiment"].append(
            {
                "symbol": sym,
                "headline": f"{sym} beats estimates as demand grows",
                "source": "bundled",
                "article_date": as_of - timedelta(hours=3),
                "sentiment_score": 0.6,
                "sentiment_label": "positive",
                "relevance_score": 0.9,
                "impact_score": 0.5,
                "analysis_timestamp": as_of,
                "cycle_id": cycle_id,
            }
        )


def _trade_rows(tables, cycle_id, as_of, j, candidate, prices, symbols, open_positions) -> None:
    for sym, pos in list(open_positions.items()):
        if j - pos["session"] >= HOLD_SESSIONS:
            exit_price = float(prices[symbols.index(sym)])
            trade = pos["trade"]
            trade.update(
                status="closed",
                exit_price=exit_price,
                closed_at=as_of,
                profit_loss=round((exit_price - trade["entry_price"]) * trade["quantity"] - 2.0, 2),
                exit_reason="time_stop",
                exit_order_id=f"{cycle_id}:{sym}:exit",
            )
            tables["orders"].append(
                _order(
                    f"{cycle_id}:{sym}:exit",
                    sym,
                    "SELL",
                    trade["quantity"],
                    exit_price,
                    as_of,
                    cycle_id,
                    "exit",
                )
            )
            del open_positions[sym]
    if j % 3 == 0 and candidate not in open_positions:
        price = float(prices[symbols.index(candidate)])
        order_id = f"{cycle_id}:{candidate}:entry"
        tables["orders"].append(_order(order_id, candidate, "BUY", 100, price, as_of, cycle_id, "entry"))
        trade = {
            "symbol": candidate,
            "signal_type": "BUY",
            "quantity": 100,
            "entry_price": price,
            "confidence": 0.8,
            "trade_reason": "composite score 80",
            "status": "open",
            "created_at": as_of,
            "entry_time": as_of,
            "account_id": 1,
            "cycle_id": cycle_id,
            "strategy_name": "composite",
            "entry_order_id": order_id,
            "stop_loss": price * 0.98,
            "target_price": price * 1.06,
            "commission": 1.0,
        }
        tables["trades"].append(trade)
        open_positions[candidate] = {
            "session": j,
            "quantity": 100,
            "entry_price": price,
            "entry_time": as_of,
            "trade": trade,
        }


def _order(order_id, sym, side, qty, price, ts, cycle_id, intent) -> dict:
    return {
        "order_id": order_id,
        "client_order_id": order_id,
        "symbol": sym,
        "order_type": "MARKET",
        "side": side,
        "quantity": qty,
        "status": "filled",
        "filled_quantity": qty,
        "average_fill_price": price,
        "commission": 1.0,
        "strategy_name": "composite",
        "created_timestamp": ts,
        "updated_timestamp": ts,
        "account_id": 1,
        "cycle_id": cycle_id,
        "intent": intent,
    }


@contextmanager
def populated_database(kind: str, folder: Path):
    """(engine, Dataset) on a fresh SQLite file in `folder` or a fresh PostgreSQL schema (dropped after).

    Module-scoped fixtures use this so read-only tests share one database per engine.
    """
    from tradecycle.adapters.store.engine import make_engine

    if kind == "sqlite":
        url, schema_name = f"sqlite:///{folder / 'trading_system.db'}", None
    else:
        schema_name = f"tc_{uuid.uuid4().hex[:12]}"
        admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
        admin.dispose()
        sep = "&" if "?" in POSTGRES_URL else "?"
        url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema_name}"
    engine = make_engine(url)
    try:
        s.metadata.create_all(engine)
        yield engine, build(engine), url
    finally:
        engine.dispose()
        if schema_name is not None:
            admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE'))
            admin.dispose()
