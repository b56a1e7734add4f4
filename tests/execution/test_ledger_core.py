import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecycle.core.fills import FillCosts, commission_cents, notional_cents
from tradecycle.core.ledger import (
    LedgerEntry,
    LedgerState,
    LedgerViolation,
    apply_entry,
    compare_states,
    equity_cents,
    market_value_cents,
    replay_ledger,
)
from tradecycle.core.types import TransactionKind as K

COSTS = FillCosts()


def test_average_cost_and_realised_pnl():
    entries = [
        LedgerEntry(K.DEPOSIT, 1_000_000),
        LedgerEntry(K.BUY, -notional_cents(10.0, 100), "A", 100),
        LedgerEntry(K.BUY, -notional_cents(12.0, 100), "A", 100),
        LedgerEntry(K.SELL, notional_cents(13.0, 50), "A", 50),
        LedgerEntry(K.COMMISSION, -300),
    ]
    state = replay_ledger(entries)
    pos = state.positions["A"]
    assert pos.quantity == 150
    assert pos.average_cost == 11
    assert pos.realized_cents == 50 * 200
    assert state.cash_cents == 1_000_000 - 100_000 - 120_000 + 65_000 - 300
    assert state.commission_cents == 300
    assert market_value_cents(state, {"A": 14.0}) == 210_000
    assert equity_cents(state, {"A": 14.0}) == state.cash_cents + 210_000


def test_selling_more_than_held_is_refused():
    with pytest.raises(LedgerViolation, match="only 0 held"):
        replay_ledger([LedgerEntry(K.SELL, 100, "A", 1)])


def test_compare_states_names_each_difference():
    state = replay_ledger([LedgerEntry(K.DEPOSIT, 500), LedgerEntry(K.BUY, -100, "A", 1)])
    assert compare_states(state, 400, {"A": 1}) == []
    problems = compare_states(state, 399, {"A": 2, "B": 3})
    assert problems == [
        "cash: ledger says 4.00, stored 3.99",
        "position A: ledger says 1 shares, stored 2",
        "position B: ledger says 0 shares, stored 3",
    ]


operations = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), st.integers(1, 10_000_000)),
        st.tuples(st.just("withdraw"), st.integers(1, 10_000_000)),
        st.tuples(st.just("buy"), st.sampled_from("ABC"), st.integers(1, 500), st.floats(1, 500)),
        st.tuples(st.just("sell"), st.sampled_from("ABC"), st.integers(1, 500), st.floats(1, 500)),
    ),
    max_size=60,
)


def _accept(state: LedgerState, op) -> list[LedgerEntry]:
    """What a broker without margin would book for `op`: never a negative cash balance."""
    kind = op[0]
    if kind == "deposit":
        return [LedgerEntry(K.DEPOSIT, op[1])]
    if kind == "withdraw":
        amount = min(op[1], state.cash_cents)
        return [LedgerEntry(K.WITHDRAWAL, -amount)] if amount > 0 else []
    _, symbol, qty, price = op
    if kind == "sell":
        qty = min(qty, state.positions.get(symbol).quantity if symbol in state.positions else 0)
        if qty <= 0:
            return []
        return [
            LedgerEntry(K.SELL, notional_cents(price, qty), symbol, qty),
            LedgerEntry(K.COMMISSION, -commission_cents(qty, COSTS)),
        ]
    while qty > 0 and notional_cents(price, qty) + commission_cents(qty, COSTS) > state.cash_cents:
        qty -= 1
    if qty <= 0:
        return []
    return [
        LedgerEntry(K.BUY, -notional_cents(price, qty), symbol, qty),
        LedgerEntry(K.COMMISSION, -commission_cents(qty, COSTS)),
    ]


@settings(max_examples=300, deadline=None)
@given(operations, st.floats(1, 500))
def test_any_sequence_of_fills_and_deposits_reconciles(ops, mark):
    live = LedgerState()
    booked: list[LedgerEntry] = []
    for op in ops:
        for entry in _accept(live, op):
            apply_entry(live, entry)
            booked.append(entry)
            assert live.cash_cents >= 0
    replayed = replay_ledger(booked)
    assert compare_states(replayed, live.cash_cents, {s: p.quantity for s, p in live.positions.items()}) == []
    prices = dict.fromkeys("ABC", mark)
    assert equity_cents(replayed, prices) == replayed.cash_cents + market_value_cents(replayed, prices)
    # realised + unrealised + net deposits - commissions = equity
    unrealised = sum(
        round(p.quantity * mark * 100) - p.cost_cents for p in replayed.open_positions().values()
    )
    realised = sum(p.realized_cents for p in replayed.positions.values())
    total = replayed.deposits_cents + realised + unrealised - replayed.commission_cents
    assert abs(total - equity_cents(replayed, prices)) <= len(replayed.positions)
