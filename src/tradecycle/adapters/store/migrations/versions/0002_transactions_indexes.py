"""Two transactions indexes for queries every cycle runs, which had to read the whole ledger.

ix_transactions_cycle_id: each cycle reads back its own fills. ix_transactions_account_id_kind
covers the per-kind sums of the portfolio snapshot (net deposits, commissions), which the
database then answers from the index alone.

Revision ID: 0002_transactions_indexes
Revises: 0001_initial
"""

from __future__ import annotations

from alembic import op

revision = "0002_transactions_indexes"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_transactions_cycle_id", "transactions", ["cycle_id"])
    op.create_index("ix_transactions_account_id_kind", "transactions", ["account_id", "kind", "amount_cents"])


def downgrade() -> None:
    op.drop_index("ix_transactions_account_id_kind", table_name="transactions")
    op.drop_index("ix_transactions_cycle_id", table_name="transactions")
