"""The lookups every cycle makes are answered from an index on SQLite, not by sorting the history."""

from __future__ import annotations

import pytest

from tradecycle.adapters.store.database import prepare_database
from tradecycle.services.ledger import ENTRIES_FOR, HELD, LAST_BALANCE
from tradecycle.services.portfolio import HELD_POSITIONS, OPEN_PL
from tradecycle.services.risk import HOLDINGS, LAST_CLOSED
from tradecycle.services.trades import BY_ENTRY_ORDER


def _plan(engine, statement, values: dict) -> str:
    expanded = statement.compile(dialect=engine.dialect).construct_expanded_state(values)
    positional = tuple(expanded.parameters[name] for name in expanded.positiontup)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {expanded.statement}", positional).all()
    return " | ".join(row[-1] for row in rows)


@pytest.mark.parametrize(
    ("statement", "values", "index"),
    [
        (LAST_BALANCE, {"account": 1}, "ix_balance_history_account_id_transaction_id"),
        (LAST_CLOSED, {"account": 1, "n": 3}, "ix_trades_account_id_status_closed_at"),
        (OPEN_PL, {}, "ix_position_pl_status"),
        (ENTRIES_FOR, {"account": 1, "symbols": ["AAPL", "MSFT"]}, "ix_transactions_account_id_symbol"),
        (HELD, {"account": 1}, "ix_positions_account_id_held"),
        (HOLDINGS, {"account": 1}, "ix_positions_account_id_held"),
        (HELD_POSITIONS, {"account": 1}, "ix_positions_account_id_held"),
        (BY_ENTRY_ORDER, {"order_id": "cycle_x:AAPL:entry"}, "ix_trades_entry_order_id"),
    ],
    ids=[
        "newest balance",
        "losing streak",
        "open position_pl",
        "ledger lines of some symbols",
        "held quantities",
        "risk holdings",
        "portfolio marks",
        "trade of an entry order",
    ],
)
def test_cycle_lookups_use_their_index(tmp_path, statement, values, index):
    engine = prepare_database(f"sqlite:///{tmp_path / 'plans.db'}")
    plan = _plan(engine, statement, values)
    engine.dispose()
    assert f"INDEX {index}" in plan, plan  # USING INDEX, or USING COVERING INDEX
    assert "SCAN" not in plan, plan
    if statement is not ENTRIES_FOR:  # that one sorts the few lines it found
        assert "TEMP B-TREE" not in plan, plan
