"""Execution, ledger, risk and exits phases on real SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tradecycle.adapters.brokers.base import OrderRequest
from tradecycle.adapters.brokers.paper import PaperBroker
from tradecycle.adapters.marketdata.symbols import ensure_symbols
from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import SettingsModel
from tradecycle.core.types import Side, Signal
from tradecycle.services import execution, exits, portfolio, risk

from .helpers import as_of, buy_signal, context, make_panel, with_bar

PHASES_AFTER_STRATEGY = (exits.run_phase, risk.run_phase, execution.run_phase, portfolio.run_phase)


@pytest.fixture
def db(db_url):
    engine = prepare_database(db_url)
    yield engine
    engine.dispose()


def run_cycle(engine, ctx):
    """The H4 phases of one cycle, each in its own transaction as the coordinator runs them."""
    with engine.begin() as conn:
        execution.run_fills_phase(conn, ctx)
    for phase in PHASES_AFTER_STRATEGY:
        with engine.begin() as conn:
            phase(conn, ctx)
    return ctx


def count(conn, table, *where):
    return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def open_account(engine, settings=None, at=None):
    with engine.begin() as conn:
        return portfolio.ensure_account(conn, settings or SettingsModel(), at=at)


def test_entry_fills_next_bar_and_ledger_reconciles(db):
    panel = make_panel()
    account = open_account(db, at=as_of(panel, 0))
    with db.begin() as conn:
        assert portfolio.ensure_account(conn, SettingsModel()) == account  # once only
    ctx = run_cycle(db, context(panel, 20, account, signals=[buy_signal(panel, "AAA", 20)]))
    assert len(ctx.approved) == 1 and ctx.approved[0].quantity == 90  # 10% of 100k at ~110.49
    with db.connect() as conn:
        order = conn.execute(select(s.orders)).one()
        assert order.status == "submitted" and order.client_order_id == f"{ctx.cycle_id}:AAA:entry"
        assert count(conn, s.transactions) == 1  # only the deposit so far
        assert (
            conn.execute(select(s.risk_metrics.c.reason).where(s.risk_metrics.c.symbol == "AAA")).scalar()
            == "approved"
        )

    ctx2 = run_cycle(db, context(panel, 21, account))
    with db.connect() as conn:
        order = conn.execute(select(s.orders)).one()
        assert order.status == "filled" and order.filled_quantity == 90
        open_21 = panel.open[0, 21]
        assert order.average_fill_price == pytest.approx(round(open_21 * 1.0005, 4))
        assert panel.low[0, 21] <= order.average_fill_price <= panel.high[0, 21]
        history = [r.to_status for r in conn.execute(select(s.order_history).order_by(s.order_history.c.id))]
        assert history == ["pending", "submitted", "filled"]
        trade = conn.execute(select(s.trades)).one()
        assert trade.alpaca_order_id == f"paper:{order.client_order_id}"  # the seed's broker order id column
        assert (
            trade.status == "open"
            and trade.quantity == 90
            and trade.stop_loss == pytest.approx(panel.close[0, 20] * 0.98)
        )
        assert portfolio.held_symbols(conn, account) == {"AAA"}
        assert portfolio.reconcile(conn, account) == []
        status = conn.execute(
            select(s.portfolio_status).where(s.portfolio_status.c.cycle_id == ctx2.cycle_id)
        ).one()
        assert status.open_positions == 1
        assert status.total_value == pytest.approx(status.cash_balance + status.positions_value)
        assert status.positions_value == pytest.approx(90 * panel.close[0, 21], abs=0.01)


def test_retried_cycle_never_doubles_an_order_or_a_fill(db):
    panel = make_panel()
    account = open_account(db)
    signals = [buy_signal(panel, "AAA", 20), buy_signal(panel, "CCC", 20)]
    run_cycle(db, context(panel, 20, account, signals=signals))
    run_cycle(db, context(panel, 20, account, signals=signals))  # crashed and re-run
    with db.connect() as conn:
        assert count(conn, s.orders) == 2
    run_cycle(db, context(panel, 21, account))
    run_cycle(db, context(panel, 21, account))
    with db.connect() as conn:
        assert count(conn, s.orders) == 2
        assert count(conn, s.transactions) == 1 + 2 * 2  # deposit + (fill + commission) per order
        assert count(conn, s.trades) == 2
        assert count(conn, s.balance_history) == count(conn, s.transactions)
        assert portfolio.reconcile(conn, account) == []


def test_bracket_stop_gap_fills_at_open_and_closes_the_trade(db):
    panel = make_panel()
    account = open_account(db)
    run_cycle(db, context(panel, 20, account, signals=[buy_signal(panel, "AAA", 20)]))
    run_cycle(db, context(panel, 21, account))
    with db.connect() as conn:
        stop = conn.execute(select(s.trades.c.stop_loss)).scalar_one()
    gap_open = stop * 0.97
    crashed = with_bar(
        panel, "AAA", 22, open=gap_open, high=gap_open * 1.01, low=gap_open * 0.99, close=gap_open
    )
    run_cycle(db, context(crashed, 22, account))
    with db.connect() as conn:
        trade = conn.execute(select(s.trades)).one()
        assert trade.status == "closed" and trade.exit_reason == "stop_loss"
        assert trade.exit_price == pytest.approx(round(gap_open * 0.9995, 4))
        assert trade.profit_loss < 0
        sells = conn.execute(select(s.orders).where(s.orders.c.side == "SELL")).one()
        assert sells.order_type == "STOP" and sells.intent == "bracket" and sells.status == "filled"
        assert portfolio.held_symbols(conn, account) == set()
        assert portfolio.reconcile(conn, account) == []
        ledger_pnl = (
            int(conn.execute(select(func.sum(s.transactions.c.amount_cents))).scalar_one()) / 100 - 100_000
        )
        assert trade.profit_loss == pytest.approx(ledger_pnl, abs=0.005)


def test_time_stop_and_opposite_signal_exit_next_bar(db):
    panel = make_panel()
    settings = SettingsModel()
    settings.exits.time_stop_sessions = 2
    settings.exits.time_stop_flat_pct = 5.0
    account = open_account(db, settings)
    signals = [buy_signal(panel, "AAA", 20, reward=5.0), buy_signal(panel, "CCC", 20, reward=5.0)]
    run_cycle(db, context(panel, 20, account, settings, signals))
    run_cycle(db, context(panel, 21, account, settings))
    sell_ccc = Signal("CCC", Side.SELL, 20.0, 0.7, 1.0, 2.0, 0.5, "composite")
    ctx = run_cycle(db, context(panel, 22, account, settings, [sell_ccc]))
    assert {o.symbol for o in ctx.orders} == {"CCC"}
    ctx = run_cycle(db, context(panel, 23, account, settings))
    assert {o.symbol for o in ctx.orders} == {"AAA"}  # held 2 sessions, within 5%: time stop
    again = run_cycle(db, context(panel, 23, account, settings))  # the same cycle retried
    assert [o.client_order_id for o in again.orders] == [o.client_order_id for o in ctx.orders]
    run_cycle(db, context(panel, 24, account, settings))
    with db.connect() as conn:
        reasons = dict(conn.execute(select(s.trades.c.symbol, s.trades.c.exit_reason)).all())
        assert reasons == {"CCC": "opposite_signal", "AAA": "time_stop"}
        assert portfolio.held_symbols(conn, account) == set()
        assert portfolio.reconcile(conn, account) == []
        # a SELL signal for a symbol not held is a short entry: denied with its reason
        denied = conn.execute(
            select(s.risk_metrics.c.reason).where(s.risk_metrics.c.decision == "deny")
        ).scalars()
        assert set(denied) <= {"already_held", "short_not_allowed"}


def test_partial_fill_by_volume_and_day_expiry(db):
    panel = make_panel()
    thin = with_bar(panel, "AAA", 21, volume=500.0)  # 10% -> at most 50 shares
    account = open_account(db)
    run_cycle(db, context(thin, 20, account, signals=[buy_signal(thin, "AAA", 20)]))
    run_cycle(db, context(thin, 21, account))
    with db.connect() as conn:
        order = conn.execute(select(s.orders)).one()
        assert order.filled_quantity == 50 and order.status == "cancelled"
        history = [r.to_status for r in conn.execute(select(s.order_history).order_by(s.order_history.c.id))]
        assert history == ["pending", "submitted", "partial", "cancelled"]
        assert conn.execute(select(s.trades.c.quantity)).scalar_one() == 50
        assert portfolio.reconcile(conn, account) == []


def test_reconcile_reports_tampering(db):
    panel = make_panel()
    account = open_account(db)
    run_cycle(db, context(panel, 20, account, signals=[buy_signal(panel, "AAA", 20)]))
    run_cycle(db, context(panel, 21, account))
    with db.begin() as conn:
        conn.execute(s.positions.update().values(quantity=1))
    with db.connect() as conn:
        problems = portfolio.reconcile(conn, account)
    assert any("position AAA: ledger says 90 shares, stored 1" in p for p in problems)


def test_circuit_breaker_from_the_trades_table(db):
    panel = make_panel()
    account = open_account(db)
    with db.begin() as conn:
        for i in range(3):
            conn.execute(
                s.trades.insert().values(
                    symbol="BBB",
                    signal_type="BUY",
                    quantity=1,
                    entry_price=10.0,
                    exit_price=9.0,
                    status="closed",
                    profit_loss=-1.0,
                    account_id=account,
                    closed_at=as_of(panel, 18 + i),
                )
            )
    ctx = run_cycle(db, context(panel, 20, account, signals=[buy_signal(panel, "AAA", 20)]))
    assert ctx.approved == []
    assert ctx.cache["risk_decisions"][0].reason.value == "circuit_breaker"
    ctx = run_cycle(db, context(panel, 22, account, signals=[buy_signal(panel, "AAA", 22)]))
    assert len(ctx.approved) == 1  # cooled down after 2 sessions


def test_resumed_cycle_decides_and_reports_like_the_first_attempt(db):
    panel = make_panel()
    account = open_account(db)
    signals = [buy_signal(panel, "AAA", 20), buy_signal(panel, "CCC", 20)]
    first = run_cycle(db, context(panel, 20, account, signals=signals))
    again = run_cycle(db, context(panel, 20, account, signals=signals))  # crashed after execution, re-run
    assert [(d.symbol, d.reason, d.quantity) for d in again.cache["risk_decisions"]] == [
        (d.symbol, d.reason, d.quantity) for d in first.cache["risk_decisions"]
    ]
    filled = run_cycle(db, context(panel, 21, account))
    refilled = run_cycle(db, context(panel, 21, account))
    assert len(filled.fills) == 2 and refilled.fills == filled.fills


def test_daily_loss_limit_from_the_previous_snapshot(db):
    panel = make_panel()
    account = open_account(db)
    with db.begin() as conn:
        conn.execute(
            s.portfolio_status.insert().values(
                timestamp=as_of(panel, 19),
                total_value=110_000.0,
                cash_balance=110_000.0,
                positions_value=0.0,
                account_id=account,
                cycle_id="yesterday",
            )
        )
    ctx = run_cycle(db, context(panel, 20, account, signals=[buy_signal(panel, "AAA", 20)]))
    [decision] = ctx.cache["risk_decisions"]
    assert decision.reason.value == "daily_loss_limit" and ctx.approved == []
    with db.connect() as conn:
        row = conn.execute(select(s.risk_metrics).where(s.risk_metrics.c.symbol == "AAA")).one()
        assert row.decision == "deny" and row.current_daily_loss == pytest.approx(100 / 11, abs=1e-3)


def test_limit_entries_fill_at_the_limit_or_better(db):
    panel = make_panel()
    cfg = SettingsModel()
    cfg.broker.entry_order_type = "LIMIT"
    account = open_account(db, cfg)
    run_cycle(db, context(panel, 20, account, cfg, [buy_signal(panel, "AAA", 20)]))
    run_cycle(db, context(panel, 21, account, cfg))
    with db.connect() as conn:
        order = conn.execute(select(s.orders)).one()
        assert order.order_type == "LIMIT" and order.status == "filled"
        assert order.average_fill_price <= order.price


def test_performance_has_one_row_per_session(db):
    panel = make_panel()
    account = open_account(db)
    run_cycle(db, context(panel, 20, account, signals=[buy_signal(panel, "AAA", 20)]))
    run_cycle(db, context(panel, 21, account))
    run_cycle(db, context(panel, 21, account))  # re-run: same day, still one row
    with db.connect() as conn:
        rows = conn.execute(select(s.performance).order_by(s.performance.c.date)).all()
        status = (
            conn.execute(select(s.portfolio_status.c.total_value).order_by(s.portfolio_status.c.timestamp))
            .scalars()
            .all()
        )
    assert [r.date for r in rows] == [str(panel.sessions[20]), str(panel.sessions[21])]
    assert [r.equity for r in rows] == status
    assert rows[0].daily_return is None and rows[1].daily_return == pytest.approx(status[1] / status[0] - 1)
    assert rows[1].trades == 1 and rows[1].drawdown <= 0


def test_online_broker_fills_are_booked_once_each(db, monkeypatch):
    """A broker that fills by itself (Alpaca) reports partial fills; each is booked exactly once."""
    from datetime import timedelta

    from tradecycle.adapters.brokers.paper import PaperBroker

    reported = []

    def fake_fills(conn, ctx):
        broker = PaperBroker(conn, ctx.account_id, ctx.now, ctx.cycle_id)
        rows = {r.client_order_id: r for r in broker.open_order_rows()}
        return broker, [(rows[cid], qty, price) for cid, qty, price in reported if cid in rows]

    monkeypatch.setitem(
        execution.BROKERS,
        "alpaca",
        lambda conn, ctx: PaperBroker(conn, ctx.account_id, ctx.now, ctx.cycle_id),
    )
    monkeypatch.setitem(execution.FILL_SOURCES, "alpaca", fake_fills)
    cfg = SettingsModel()
    cfg.broker.kind = "alpaca"
    panel = make_panel()
    account = open_account(db, cfg)
    first = run_cycle(db, context(panel, 20, account, cfg, [buy_signal(panel, "AAA", 20)]))
    cid = first.orders[0].client_order_id
    reported[:] = [(cid, 40, 101.0)]
    ctx = context(panel, 21, account, cfg)
    run_cycle(db, ctx)
    ctx.now += timedelta(hours=1)
    reported[:] = [(cid, 50, 102.0)]
    run_cycle(db, ctx)
    with db.connect() as conn:
        order = conn.execute(select(s.orders)).one()
        assert order.filled_quantity == 90 and order.status == "filled"
        assert order.average_fill_price == pytest.approx((40 * 101 + 50 * 102) / 90)
        assert portfolio.reconcile(conn, account) == []
        assert conn.execute(select(s.positions.c.quantity)).scalar_one() == 90


def test_position_pl_rows_follow_the_trades_order_not_the_servers_scan(db):
    panel = make_panel()
    account = open_account(db, at=as_of(panel, 0))
    now = as_of(panel, 5)
    with db.begin() as conn:
        for symbol in ("AAA", "BBB", "CCC"):
            conn.execute(
                s.trades.insert().values(
                    symbol=symbol,
                    signal_type="BUY",
                    quantity=10,
                    entry_price=100.0,
                    status="open",
                    account_id=account,
                    entry_time=now,
                )
            )
        # an updated row moves to the end of PostgreSQL's heap, so a plain scan returns it last
        conn.execute(s.trades.update().where(s.trades.c.symbol == "AAA").values(stop_loss=95.0))
    with db.begin() as conn:
        if conn.dialect.name == "postgresql":  # as on a long replay, where the server scans the heap
            conn.exec_driver_sql("SET LOCAL enable_indexscan TO off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan TO off")
        portfolio.sync_position_pl(conn, account, {"AAA": 101.0, "BBB": 102.0, "CCC": 103.0}, now)
        written = conn.execute(select(s.position_pl.c.symbol).order_by(s.position_pl.c.id)).scalars().all()
    assert written == ["AAA", "BBB", "CCC"]


def test_deferred_order_updates_are_applied_in_order_and_seen_by_the_brokers_reads(db):
    panel = make_panel()
    account = open_account(db, at=as_of(panel, 0))
    with db.begin() as conn:
        broker = PaperBroker(conn, account, as_of(panel, 1), "cycle_t")
        for symbol in ("AAA", "BBB"):
            broker.place(
                OrderRequest(client_order_id=f"t:{symbol}", symbol=symbol, side=Side.BUY, quantity=100)
            )
        broker.defer_history()
        first, second = broker.open_order_rows()
        broker.record_fill(first, 40, 100.0, 1.0, "2015-01-06", "fill")
        broker.expire_known(first.order_id, "partial", 40, "day order expired")  # the same order again
        broker.record_fill(second, 100, 50.0, 1.0, "2015-01-06", "fill")
        assert conn.execute(select(func.count()).where(s.orders.c.status == "submitted")).scalar_one() == 2
        assert broker.find("t:BBB").status == "filled"  # the broker's own read applies what it holds
        broker.flush_history()
        stored = dict(conn.execute(select(s.orders.c.symbol, s.orders.c.status)).all())
        history = (
            conn.execute(select(s.order_history.c.to_status).order_by(s.order_history.c.id)).scalars().all()
        )
    assert stored == {"AAA": "cancelled", "BBB": "filled"}
    assert history[-3:] == ["partial", "cancelled", "filled"]


def test_realized_pnl_is_summed_in_whole_cents_over_every_position(db):
    panel = make_panel()
    account = open_account(db, at=as_of(panel, 0))
    with db.begin() as conn:
        assert portfolio.realized_cents(conn, account) == 0
        ensure_symbols(conn, ["AAA", "BBB", "CCC", "DDD"])
        for symbol, quantity, realized in (
            ("AAA", 0, 0.1),
            ("BBB", 0, 0.2),
            ("CCC", 5, -0.07),
            ("DDD", 0, 1e6 + 0.01),
        ):
            conn.execute(
                s.positions.insert().values(
                    symbol=symbol,
                    quantity=quantity,
                    average_cost=10.0,
                    realized_pnl=realized,
                    account_id=account,
                )
            )
        assert portfolio.realized_cents(conn, account) == 100_000_024  # 0.1 + 0.2 - 0.07 + 1,000,000.01


def _booked(engine):
    with engine.connect() as conn:
        orders = conn.execute(
            select(s.orders.c.client_order_id, s.orders.c.status, s.orders.c.average_fill_price).order_by(
                s.orders.c.client_order_id
            )
        ).all()
        trades_ = conn.execute(
            select(s.trades.c.symbol, s.trades.c.exit_price, s.trades.c.closed_at, s.trades.c.stop_loss)
        ).all()
        ledger = conn.execute(
            select(s.transactions.c.external_id).order_by(s.transactions.c.external_id)
        ).all()
    return orders, trades_, ledger


def test_a_cycle_retried_after_its_exits_phase_decides_as_its_first_attempt(tmp_path):
    """The first attempt trailed a stop (and committed) before dying; the retry's fills must
    still run the bracket the cycle started with, as an uninterrupted run does."""
    panel = make_panel()
    entry = float(panel.close[0, 20])
    panel = with_bar(panel, "AAA", 24, high=entry * 1.05, low=entry * 1.01, close=entry * 1.04)
    results = []
    for retried in (False, True):
        engine = prepare_database(f"sqlite:///{tmp_path / f'retried_{retried}.db'}")
        account = open_account(engine, at=as_of(panel, 0))
        run_cycle(engine, context(panel, 20, account, signals=[buy_signal(panel, "AAA", 20)]))
        for session in range(21, 27):
            if retried and session == 24:
                first = context(panel, session, account)
                with engine.begin() as conn:
                    execution.run_fills_phase(conn, first)
                with engine.begin() as conn:
                    exits.run_phase(conn, first)  # committed; then the process dies
            run_cycle(engine, context(panel, session, account))
        results.append(_booked(engine))
        engine.dispose()
    uninterrupted, retried_run = results
    assert any(t.closed_at is not None for t in uninterrupted[1])  # the trailed stop did fire, later
    assert retried_run == uninterrupted
