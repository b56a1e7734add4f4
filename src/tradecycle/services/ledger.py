"""The append-only ledger in the database: transactions, balance history, derived positions.

Cash and positions are never edited by hand: `record_transactions` appends to
`transactions` (unique external_id, so re-applying a fill is a no-op) and to
`balance_history`, then rebuilds the touched `positions` rows by folding their
ledger lines (tradecycle.core.ledger). `reconcile` re-derives everything from
the transactions alone and reports every difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from tradecycle.adapters.marketdata.symbols import ensure_symbols
from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.core.ledger import LedgerEntry, LedgerState, PositionState, compare_states, replay_ledger
from tradecycle.core.types import TransactionKind
from tradecycle.errors import DataError

_t, _b, _p = s.transactions.c, s.balance_history.c, s.positions.c
# Statements built once (building a select costs more than running it on SQLite).
KNOWN_IDS = select(_t.external_id, _t.id).where(_t.external_id.in_(bindparam("ids", expanding=True)))
PRESENT_SYMBOLS = select(s.symbols.c.symbol).where(
    s.symbols.c.symbol.in_(bindparam("symbols", expanding=True))
)
LAST_BALANCE = (
    select(_b.balance_cents)
    .where(_b.account_id == bindparam("account"))
    .order_by(_b.transaction_id.desc())
    .limit(1)
)
ENTRIES = select(_t.kind, _t.amount_cents, _t.symbol, _t.quantity).where(
    _t.account_id == bindparam("account")
)
ENTRIES_FOR = ENTRIES.where(_t.symbol.in_(bindparam("symbols", expanding=True))).order_by(_t.id)
ENTRIES = ENTRIES.order_by(_t.id)
TOTALS = (
    select(_t.kind, func.sum(_t.amount_cents)).where(_t.account_id == bindparam("account")).group_by(_t.kind)
)
POSITION_ROWS = select(_p.symbol, _p.quantity, _p.current_price, _p.opened_at).where(
    _p.account_id == bindparam("account"), _p.symbol.in_(bindparam("symbols", expanding=True))
)
UPDATE_POSITION = update(s.positions).where(
    _p.account_id == bindparam("b_account"), _p.symbol == bindparam("b_symbol")
)
HELD = select(_p.symbol, _p.quantity).where(_p.account_id == bindparam("account"), _p.quantity > 0)


@dataclass(frozen=True, slots=True)
class Transaction:
    """One ledger line to append. `amount_cents` is the signed change of cash."""

    external_id: str
    kind: TransactionKind
    amount_cents: int
    timestamp: datetime
    symbol: str | None = None
    quantity: int | None = None
    price: float | None = None
    order_id: str | None = None
    cycle_id: str | None = None
    description: str | None = None


def record_transactions(
    conn: Connection, account_id: int, transactions: Iterable[Transaction], balance_cents: int | None = None
) -> int:
    """Append the transactions whose external_id is new; rebuild positions of touched symbols.

    `balance_cents` is the account's balance before them when the caller read it in this
    transaction (else it is read). Returns how many were appended (0 when all were already booked).
    """
    wanted = list(transactions)
    if not wanted:
        return 0
    known = {r.external_id for r in conn.execute(KNOWN_IDS, {"ids": [x.external_id for x in wanted]})}
    fresh = [x for x in wanted if x.external_id not in known]
    if not fresh:
        return 0
    symbols = sorted({x.symbol for x in fresh if x.symbol})
    if symbols and len(conn.execute(PRESENT_SYMBOLS, {"symbols": symbols}).all()) < len(symbols):
        ensure_symbols(conn, symbols)
    insert_rows(
        conn,
        s.transactions,
        [
            {
                "account_id": account_id,
                "timestamp": x.timestamp,
                "kind": TransactionKind(x.kind).value,
                "symbol": x.symbol,
                "quantity": x.quantity,
                "price": x.price,
                "amount_cents": x.amount_cents,
                "order_id": x.order_id,
                "external_id": x.external_id,
                "cycle_id": x.cycle_id,
                "description": x.description,
                "created_at": x.timestamp,
            }
            for x in fresh
        ],
    )
    _append_balance_history(conn, account_id, fresh, balance_cents)
    rebuild_positions(conn, account_id, symbols, fresh[-1].timestamp)
    return len(fresh)


def _append_balance_history(
    conn: Connection, account_id: int, fresh: list[Transaction], balance: int | None
) -> None:
    ids = dict(conn.execute(KNOWN_IDS, {"ids": [x.external_id for x in fresh]}).all())
    if balance is None:
        balance = cash_cents(conn, account_id)
    rows = []
    for x in sorted(fresh, key=lambda x: ids[x.external_id]):
        balance += x.amount_cents
        rows.append(
            {
                "account_id": account_id,
                "timestamp": x.timestamp,
                "transaction_id": ids[x.external_id],
                "change_cents": x.amount_cents,
                "balance_cents": balance,
                "reason": x.description or TransactionKind(x.kind).value,
                "created_at": x.timestamp,
            }
        )
    insert_rows(conn, s.balance_history, rows)


def ledger_entries(conn: Connection, account_id: int, symbols: list[str] | None = None) -> list[LedgerEntry]:
    if symbols is None:
        rows = conn.execute(ENTRIES, {"account": account_id})
    else:
        rows = conn.execute(ENTRIES_FOR, {"account": account_id, "symbols": symbols})
    return [LedgerEntry(TransactionKind(r.kind), int(r.amount_cents), r.symbol, r.quantity) for r in rows]


def ledger_state(conn: Connection, account_id: int, symbols: list[str] | None = None) -> LedgerState:
    return replay_ledger(ledger_entries(conn, account_id, symbols))


def cash_cents(conn: Connection, account_id: int) -> int:
    """The running balance after the newest ledger line: an index lookup, not a sum over the ledger.

    balance_history is appended in the same transaction as the lines it follows, so it always
    equals the sum of the transactions; `reconcile` checks exactly that.
    """
    return int(conn.execute(LAST_BALANCE, {"account": account_id}).scalar() or 0)


def rebuild_positions(conn: Connection, account_id: int, symbols: list[str], at: datetime) -> None:
    """Positions rows of `symbols` from their ledger lines (quantity 0 rows stay, with realised P&L)."""
    if not symbols:
        return
    state = ledger_state(conn, account_id, symbols)
    existing = {r.symbol: r for r in conn.execute(POSITION_ROWS, {"account": account_id, "symbols": symbols})}
    inserts, updates = [], []
    for symbol in symbols:
        pos = state.positions.get(symbol, PositionState())
        row = existing.get(symbol)
        price = row.current_price if row is not None and row.current_price is not None else None
        values = _position_values(pos, price)
        opened = (
            at if pos.quantity > 0 and (row is None or not row.quantity) else (row.opened_at if row else None)
        )
        values |= {"last_updated": at, "opened_at": opened}
        if row is None:
            inserts.append({"account_id": account_id, "symbol": symbol, **values})
        else:
            updates.append({"b_account": account_id, "b_symbol": symbol, **values})
    insert_rows(conn, s.positions, inserts)
    if updates:
        conn.execute(UPDATE_POSITION, updates)


def _position_values(pos: PositionState, price: float | None) -> dict[str, Any]:
    average = float(pos.average_cost)
    mark = price if price is not None else average
    market_value = round(mark * pos.quantity, 2)
    return {
        "quantity": pos.quantity,
        "average_cost": round(average, 6),
        "current_price": mark if pos.quantity else price,
        "market_value": market_value,
        "unrealized_pnl": round(market_value - pos.cost_cents / 100, 2),
        "realized_pnl": pos.realized_cents / 100,
    }


def held_symbols(conn: Connection, account_id: int) -> set[str]:
    return set(held_quantities(conn, account_id))


def held_quantities(conn: Connection, account_id: int) -> dict[str, int]:
    return dict(conn.execute(HELD, {"account": account_id}).all())


def reconcile(conn: Connection, account_id: int) -> list[str]:
    """Every difference between the stored cash/positions and the ledger; empty means they agree."""
    state = ledger_state(conn, account_id)
    b, p = s.balance_history.c, s.positions.c
    rows = list(
        conn.execute(
            select(p.symbol, p.quantity, p.average_cost, p.realized_pnl)
            .where(p.account_id == account_id)
            .order_by(p.symbol)
        )
    )
    problems = compare_states(state, cash_cents(conn, account_id), {r.symbol: r.quantity for r in rows})
    n_tx = conn.execute(select(func.count()).where(s.transactions.c.account_id == account_id)).scalar_one()
    n_bh = conn.execute(select(func.count()).where(b.account_id == account_id)).scalar_one()
    if n_tx != n_bh:
        problems.append(f"balance history: {n_bh} rows for {n_tx} transactions")
    for r in rows:
        pos = state.positions.get(r.symbol, PositionState())
        if pos.quantity and abs(float(pos.average_cost) - r.average_cost) > 1e-4:
            problems.append(
                f"position {r.symbol}: ledger average cost {pos.average_cost:.4f}, stored {r.average_cost:.4f}"
            )
        if abs(pos.realized_cents / 100 - (r.realized_pnl or 0.0)) > 0.005:
            problems.append(
                f"position {r.symbol}: ledger realised {pos.realized_cents / 100:.2f}, stored {r.realized_pnl:.2f}"
            )
    if state.cash_cents < 0:
        problems.append(f"cash is negative: {state.cash_cents / 100:.2f}")
    return problems


def deposit(
    conn: Connection, account_id: int, amount: Decimal, at: datetime, external_id: str | None = None
) -> int:
    """Book a deposit (positive) or withdrawal (negative) of `amount` dollars; returns rows appended."""
    cents = int((amount * 100).to_integral_value())
    if cents == 0:
        raise DataError("deposit amount must not be zero")
    if cents < 0 and cash_cents(conn, account_id) + cents < 0:
        raise DataError(
            f"cannot withdraw {-cents / 100:.2f}: only {cash_cents(conn, account_id) / 100:.2f} cash"
        )
    kind = TransactionKind.DEPOSIT if cents > 0 else TransactionKind.WITHDRAWAL
    ext = external_id or f"{kind.value}:{at.isoformat()}:{cents}"
    return record_transactions(conn, account_id, [Transaction(ext, kind, cents, at, description=kind.value)])


@dataclass(frozen=True, slots=True)
class LedgerTotals:
    cash_cents: int
    deposits_cents: int
    commission_cents: int


def ledger_totals(conn: Connection, account_id: int) -> LedgerTotals:
    """Cash, net deposits and commissions paid, summed by the database (no replay)."""
    sums = dict(conn.execute(TOTALS, {"account": account_id}).all())
    sums = {k: int(v or 0) for k, v in sums.items()}
    return LedgerTotals(
        cash_cents=sum(sums.values()),
        deposits_cents=sums.get("deposit", 0) + sums.get("withdrawal", 0),
        commission_cents=-sums.get("commission", 0),
    )
