"""Index transactions by cycle_id: each cycle reads back its own fills, which scanned the whole ledger.

Revision ID: 0002_transactions_cycle_id
Revises: 0001_initial
"""

from __future__ import annotations

from alembic import op

revision = "0002_transactions_cycle_id"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_transactions_cycle_id", "transactions", ["cycle_id"])


def downgrade() -> None:
    op.drop_index("ix_transactions_cycle_id", table_name="transactions")
