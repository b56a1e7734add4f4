import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecycle.core.exits import ExitLimits, average_true_range, plan_exits
from tradecycle.core.risk import (
    AccountState,
    RiskLimits,
    RiskReason,
    evaluate,
    sharpe_ratio,
    value_at_risk_95,
)
from tradecycle.core.types import ExitReason, Side, Signal

LIMITS = RiskLimits()


def sig(symbol="AAA", entry=100.0, stop=98.0, target=106.0, score=80.0, side=Side.BUY):
    return Signal(symbol, side, score, 0.8, entry, stop, target, "composite")


def account(**kw):
    base = dict(equity=100_000.0, cash=100_000.0, held=frozenset(), sector_counts={})
    base.update(kw)
    return AccountState(**base)


def one(signal=None, acct=None, limits=LIMITS, sectors=None):
    [decision] = evaluate([signal or sig()], acct or account(), limits, sectors or {"AAA": "Tech"})
    return decision


def test_stop_based_sizing_passes():
    d = one()
    # 1% of 100k = 1000 risk / 2 per share = 500 shares, but 10% cap = 100 shares
    assert d.approved and d.reason is RiskReason.APPROVED
    assert d.quantity == 100 and d.position_value == 10_000 and d.risk_amount == 200


def test_risk_per_trade_binds_with_a_wide_stop():
    d = one(sig(entry=100.0, stop=80.0, target=160.0))
    assert d.quantity == 50  # 1000 / 20


@pytest.mark.parametrize(
    ("signal", "acct", "reason"),
    [
        (sig(side=Side.SELL, stop=102, target=94), account(), RiskReason.SHORT_NOT_ALLOWED),
        (sig(), account(held=frozenset({"AAA"})), RiskReason.ALREADY_HELD),
        (sig(stop=101.0), account(), RiskReason.INVALID_STOP),
        (sig(target=105.0), account(), RiskReason.REWARD_RISK),
        (sig(), account(held=frozenset(f"S{i}" for i in range(10))), RiskReason.MAX_OPEN_POSITIONS),
        (sig(), account(sector_counts={"Tech": 3}), RiskReason.SECTOR_LIMIT),
        (sig(), account(day_start_equity=110_000.0, equity=104_000.0), RiskReason.DAILY_LOSS_LIMIT),
        (sig(), account(consecutive_losses=3, sessions_since_last_loss=1), RiskReason.CIRCUIT_BREAKER),
        (sig(), account(cash=20_000.0), RiskReason.CASH_RESERVE),
        (sig(entry=20_000.0, stop=19_990.0, target=20_040.0), account(), RiskReason.TOO_SMALL),
    ],
)
def test_each_rule_denies_what_it_must(signal, acct, reason):
    d = one(signal, acct)
    assert not d.approved and d.reason is reason and d.quantity == 0 and d.detail


@pytest.mark.parametrize(
    "acct",
    [
        account(held=frozenset(f"S{i}" for i in range(9))),
        account(sector_counts={"Tech": 2}),
        account(day_start_equity=104_000.0, equity=100_000.0),
        account(consecutive_losses=2, sessions_since_last_loss=0),
        account(consecutive_losses=3, sessions_since_last_loss=2),
        account(cash=30_000.0),
    ],
)
def test_each_rule_passes_what_it_must(acct):
    assert one(sig(), acct).approved


def test_cash_reserve_caps_size():
    d = one(sig(), account(cash=25_000.0))  # 5000 spendable above a 20k reserve
    assert d.approved and d.quantity == 50


def test_approvals_consume_capacity_best_score_first():
    signals = [sig("B", score=70), sig("A", score=90), sig("C", score=80)]
    limits = RiskLimits(max_positions_per_sector=2)
    decisions = evaluate(signals, account(), limits, dict.fromkeys("ABC", "Tech"))
    assert [(d.symbol, d.reason) for d in decisions] == [
        ("A", RiskReason.APPROVED),
        ("C", RiskReason.APPROVED),
        ("B", RiskReason.SECTOR_LIMIT),
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(5, 500), st.floats(0.001, 0.2), st.floats(0, 100)),
        min_size=1,
        max_size=25,
        unique_by=lambda t: t[2],
    ),
    st.floats(1_000, 1e7),
    st.floats(0, 1),
)
def test_approved_orders_never_break_the_limits(specs, equity, cash_share):
    signals = [sig(f"S{i}", e, e * (1 - r), e * (1 + 3 * r), score) for i, (e, r, score) in enumerate(specs)]
    acct = account(equity=equity, cash=equity * cash_share)
    approved = [d for d in evaluate(signals, acct, LIMITS, {}) if d.approved]
    spent = sum(d.position_value for d in approved)
    assert spent <= max(0.0, acct.cash - 0.2 * equity) + 1e-6
    assert len(approved) <= min(LIMITS.max_open_positions, LIMITS.max_positions_per_sector)
    for d in approved:
        assert d.position_value <= 0.1 * equity + 1e-6
        assert d.risk_amount <= 0.01 * equity + 1e-6


def test_var_and_sharpe():
    assert value_at_risk_95(np.linspace(100, 110, 10)) is None
    rng = np.random.default_rng(1)
    curve = 1e5 * np.cumprod(1 + rng.normal(0.001, 0.01, 300))
    var = value_at_risk_95(curve)
    assert var is not None and 0 < var < 0.05 * curve[-1]
    returns = curve[1:] / curve[:-1] - 1
    assert sharpe_ratio(curve) == pytest.approx(returns.mean() / returns.std(ddof=1) * np.sqrt(252))


def test_atr_and_exit_plan():
    high = np.array([[11.0, 12.0, 13.0], [np.nan, np.nan, np.nan]])
    low = high - 2
    close = high - 1
    atr = average_true_range(high, low, close, window=2)
    assert atr[0] == pytest.approx(2.0) and np.isnan(atr[1])
    limits = ExitLimits()
    # positions: trailing kicks in; stop breached on close; target; opposite; time stop; nothing
    plan = plan_exits(
        entry=np.array([100.0, 100, 100, 100, 100, 100]),
        initial_stop=np.array([98.0, 98, 98, 98, 98, 98]),
        stop=np.array([98.0, 98, 98, 98, 98, 98]),
        target=np.array([120.0, 120, 110, 120, 120, 120]),
        highest=np.array([103.0, 100, 100, 100, 100, 100]),
        bar_high=np.array([105.0, 100, 111, 101, 100.5, 103]),
        close=np.array([104.5, 97.5, 110.5, 100.5, 100.5, 102.5]),
        atr=np.array([1.5, 1, 1, 1, 1, 1]),
        sessions_held=np.array([1, 1, 1, 1, 5, 5]),
        opposite_signal=np.array([False, False, False, True, False, False]),
        limits=limits,
        check_stops_on_close=True,
    )
    assert plan.stop[0] == pytest.approx(103.5) and plan.highest[0] == 105.0
    assert plan.reasons() == [
        None,
        ExitReason.STOP_LOSS,
        ExitReason.TAKE_PROFIT,
        ExitReason.OPPOSITE_SIGNAL,
        ExitReason.TIME_STOP,
        None,
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(50, 150), st.floats(0, 10), st.floats(0.1, 5)), min_size=1, max_size=10))
def test_stops_never_move_down(rows):
    high = np.array([r[0] for r in rows])
    stop = np.full(len(rows), 95.0)
    plan = plan_exits(
        np.full(len(rows), 100.0),
        np.full(len(rows), 95.0),
        stop,
        np.full(len(rows), 200.0),
        high,
        high,
        high - np.array([r[1] for r in rows]),
        np.array([r[2] for r in rows]),
        np.zeros(len(rows)),
        np.zeros(len(rows), dtype=bool),
        ExitLimits(),
        False,
    )
    assert np.all(plan.stop >= stop)
    assert all(r is None for r in plan.reasons())


def test_risk_figures_survive_an_emptied_account():
    curve = np.concatenate([np.linspace(100, 120, 30), [0.0], np.linspace(50, 60, 25)])
    assert value_at_risk_95(curve) is not None
    assert sharpe_ratio(curve) is not None
    assert value_at_risk_95(np.array([100.0, 0.0, 0.0])) is None
