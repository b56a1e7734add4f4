"""Keeping PostgreSQL's planner informed while a replay writes years of rows in minutes.

A replay inserts and updates thousands of rows a minute. Autovacuum, when the server runs
it at all, wakes once a minute by default; until it does, the planner keeps the estimates
of empty tables (it took the wrong index for a cycle's fills and sorted the whole ledger
for its totals) and every updated order or position leaves a dead index entry that each
later read walks. Measured on a five-year replay: those reads took 2-6 times as long.
SQLite needs none of this: its plans for these queries do not depend on statistics.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from . import schema as s

log = logging.getLogger(__name__)

# Tables a cycle updates, or reads through a selective index while they grow.
CYCLE_HOT_TABLES = (
    s.orders,
    s.order_history,
    s.trades,
    s.positions,
    s.position_pl,
    s.transactions,
    s.balance_history,
    s.portfolio_status,
    s.performance,
    s.strategy_evaluations,
    s.trading_cycles,
    s.workflow_tracking,
    s.accounts,
)


def refresh_planner_statistics(engine: Engine) -> bool:
    """VACUUM (ANALYZE) the cycle's hot tables on PostgreSQL; False elsewhere or on failure.

    Best effort: it changes no row, takes no lock that blocks reads or writes, and a user
    who does not own the tables only gets the server's warning; an error is logged, not raised.
    """
    if engine.dialect.name != "postgresql":
        return False
    quote = engine.dialect.identifier_preparer.quote
    tables = ", ".join(quote(table.name) for table in CYCLE_HOT_TABLES)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")
    except DBAPIError as exc:
        log.warning("could not refresh the planner's statistics: %s", exc)
        return False
    return True
