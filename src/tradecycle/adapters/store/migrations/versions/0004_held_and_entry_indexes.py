"""Two indexes for reads a cycle makes.

ix_positions_account_id_held (partial, quantity > 0): the held positions are read several
times a cycle (fills, holdings, risk, portfolio), and the rows of positions closed long ago
stay for their realised P&L: after five years they were 466 of an account's rows for ~10
held, and every read walked them all. ix_trades_entry_order_id: a later partial fill of an
entry order finds its trade by the order id (the table was scanned).

Revision ID: 0004_held_and_entry_indexes
Revises: 0003_cycle_lookup_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_held_and_entry_indexes"
down_revision = "0003_cycle_lookup_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_positions_account_id_held",
        "positions",
        ["account_id", "symbol", "quantity"],
        sqlite_where=sa.text("quantity > 0"),
        postgresql_where=sa.text("quantity > 0"),
    )
    op.create_index("ix_trades_entry_order_id", "trades", ["entry_order_id"])


def downgrade() -> None:
    op.drop_index("ix_trades_entry_order_id", table_name="trades")
    op.drop_index("ix_positions_account_id_held", table_name="positions")
