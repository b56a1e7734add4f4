"""Property: any sequence of deposits, withdrawals, buys and sells through the paper broker and the
fills phase keeps the ledger consistent (SQLite, in memory; the same code runs on PostgreSQL in
test_cycle_db)."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.pool import StaticPool

from tradecycle.adapters.brokers.base import OrderRequest
from tradecycle.adapters.brokers.paper import PaperBroker
from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.engine import make_engine
from tradecycle.config import SettingsModel
from tradecycle.core.types import OrderType, Side
from tradecycle.errors import DataError
from tradecycle.services import execution, ledger, portfolio

from .helpers import SYMBOLS, context, make_panel

steps = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "withdraw", "buy", "sell", "none"]),
        st.sampled_from(SYMBOLS.tolist()),
        st.integers(1, 3000),
        st.sampled_from([OrderType.MARKET, OrderType.LIMIT, OrderType.STOP]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.integers(0, 2**31 - 1))
def test_ledger_stays_consistent_through_any_sequence(ops, seed):
    engine = make_engine("sqlite://", poolclass=StaticPool)
    s.metadata.create_all(engine)
    cfg = SettingsModel()
    rng = np.random.default_rng(seed)
    panel = make_panel(len(ops) + 25)
    noise = rng.normal(1.0, 0.03, panel.close.shape)
    for name in ("open", "high", "low", "close"):
        getattr(panel, name)[:] *= noise
    panel.high[:] = np.maximum.reduce([panel.high, panel.open, panel.close])
    panel.low[:] = np.minimum.reduce([panel.low, panel.open, panel.close])
    panel.volume[:] = rng.integers(1_000, 100_000, panel.volume.shape)
    with engine.begin() as conn:
        account = portfolio.ensure_account(conn, cfg)
    for step, (kind, symbol, amount, order_type) in enumerate(ops, start=20):
        ctx = context(panel, step, account, cfg)
        with engine.begin() as conn:
            execution.run_fills_phase(conn, ctx)
        with engine.begin() as conn:
            broker = PaperBroker(conn, account, ctx.now, ctx.cycle_id)
            close = float(panel.close[panel.row(symbol), step])
            if kind in ("deposit", "withdraw"):
                with contextlib.suppress(DataError):  # a withdrawal beyond cash is refused, as it must be
                    ledger.deposit(
                        conn, account, Decimal(amount if kind == "deposit" else -amount * 50), ctx.now
                    )
            elif kind in ("buy", "sell"):
                price = round(close * (0.99 if kind == "buy" else 1.01), 2)
                broker.submit(
                    OrderRequest(
                        f"{ctx.cycle_id}:{symbol}:{'entry' if kind == 'buy' else 'exit'}",
                        symbol,
                        Side.BUY if kind == "buy" else Side.SELL,
                        amount,
                        order_type,
                        limit_price=price if order_type is OrderType.LIMIT else None,
                        stop_price=price if order_type is OrderType.STOP else None,
                        intent="entry" if kind == "buy" else "exit",
                    )
                )
        with engine.begin() as conn:
            portfolio.run_phase(conn, ctx)
        with engine.connect() as conn:
            assert portfolio.reconcile(conn, account) == []
            assert ledger.cash_cents(conn, account) >= 0
            snap = conn.execute(
                select(s.portfolio_status).where(s.portfolio_status.c.cycle_id == ctx.cycle_id)
            ).one()
            assert abs(snap.total_value - snap.cash_balance - snap.positions_value) <= 0.011
            held = ledger.held_quantities(conn, account)
            marked = sum(q * float(panel.close[panel.row(sym), step]) for sym, q in held.items())
            assert abs(snap.positions_value - marked) <= 0.01 * max(1, len(held))
            for fill in ctx.fills:
                row = panel.row(fill["symbol"])
                assert panel.low[row, step] - 1e-9 <= fill["price"] <= panel.high[row, step] + 1e-9
    engine.dispose()
