"""Cash and positions derived from the append-only ledger, in integer cents.

The ledger is the list of transactions (deposits, withdrawals, buys, sells,
commissions). Nothing else is authoritative: positions, cash and realised P&L
are folds over it, so `replay_ledger` is both how the system builds its state
and how reconcile proves the stored state right. Positions use average cost; a
sell realises (proceeds - average cost of the shares sold).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from tradecycle.core.types import TransactionKind

K = TransactionKind


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One transaction. `amount_cents` is the signed change of cash (buys and fees negative)."""

    kind: TransactionKind
    amount_cents: int
    symbol: str | None = None
    quantity: int | None = None


@dataclass(slots=True)
class PositionState:
    quantity: int = 0
    cost_cents: int = 0  # total average cost of the shares held
    realized_cents: int = 0

    @property
    def average_cost(self) -> Decimal:
        if self.quantity == 0:
            return Decimal(0)
        return Decimal(self.cost_cents) / Decimal(100 * self.quantity)


@dataclass(slots=True)
class LedgerState:
    cash_cents: int = 0
    deposits_cents: int = 0  # net of withdrawals
    commission_cents: int = 0
    positions: dict[str, PositionState] = field(default_factory=dict)

    def open_positions(self) -> dict[str, PositionState]:
        return {s: p for s, p in self.positions.items() if p.quantity > 0}


class LedgerViolation(ValueError):
    """A transaction the ledger cannot accept (selling shares not held, unknown kind)."""


def cost_of_shares_sold(position: PositionState, quantity: int) -> int:
    """Average-cost basis of `quantity` of the position's shares, in cents (half-even)."""
    if quantity == position.quantity:
        return position.cost_cents
    share = Decimal(position.cost_cents) * quantity / position.quantity
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def apply_entry(state: LedgerState, entry: LedgerEntry) -> LedgerState:
    """Fold one transaction into `state` (mutated and returned)."""
    kind = TransactionKind(entry.kind)
    state.cash_cents += entry.amount_cents
    if kind in (K.DEPOSIT, K.WITHDRAWAL):
        state.deposits_cents += entry.amount_cents
        return state
    if kind is K.COMMISSION:
        state.commission_cents -= entry.amount_cents
        return state
    if not entry.symbol or not entry.quantity or entry.quantity <= 0:
        raise LedgerViolation(f"{kind.value} transaction needs a symbol and a positive quantity")
    position = state.positions.setdefault(entry.symbol, PositionState())
    if kind is K.BUY:
        position.quantity += entry.quantity
        position.cost_cents += -entry.amount_cents
        return state
    if entry.quantity > position.quantity:
        raise LedgerViolation(f"sell of {entry.quantity} {entry.symbol} but only {position.quantity} held")
    basis = cost_of_shares_sold(position, entry.quantity)
    position.realized_cents += entry.amount_cents - basis
    position.cost_cents -= basis
    position.quantity -= entry.quantity
    return state


def replay_ledger(entries: Iterable[LedgerEntry]) -> LedgerState:
    state = LedgerState()
    for entry in entries:
        apply_entry(state, entry)
    return state


def market_value_cents(state: LedgerState, prices: Mapping[str, float]) -> int:
    """Held shares marked at `prices` (dollars); a missing price marks at average cost."""
    total = 0
    for symbol, position in state.open_positions().items():
        price = prices.get(symbol)
        if price is None:
            total += position.cost_cents
        else:
            total += int(
                (Decimal(str(price)) * position.quantity * 100).quantize(Decimal(1), ROUND_HALF_EVEN)
            )
    return total


def equity_cents(state: LedgerState, prices: Mapping[str, float]) -> int:
    return state.cash_cents + market_value_cents(state, prices)


def compare_states(
    expected: LedgerState, stored_cash_cents: int, stored_positions: Mapping[str, int]
) -> list[str]:
    """Differences between the ledger-derived state and stored cash/positions, one line each."""
    problems = []
    if expected.cash_cents != stored_cash_cents:
        problems.append(
            f"cash: ledger says {expected.cash_cents / 100:.2f}, stored {stored_cash_cents / 100:.2f}"
        )
    derived = {s: p.quantity for s, p in expected.open_positions().items()}
    for symbol in sorted(set(derived) | {s for s, q in stored_positions.items() if q}):
        want, have = derived.get(symbol, 0), stored_positions.get(symbol, 0)
        if want != have:
            problems.append(f"position {symbol}: ledger says {want} shares, stored {have}")
    return problems
