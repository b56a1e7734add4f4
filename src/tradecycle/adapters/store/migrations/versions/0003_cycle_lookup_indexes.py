"""Four indexes for lookups every cycle makes, which had grown with the history.

ix_balance_history_account_id_transaction_id: the cash balance is the newest balance row
(ORDER BY transaction_id DESC LIMIT 1); with only (account_id, timestamp) to go on, SQLite
sorted every balance row of the account on each call (2.3 ms a call after five years).
ix_trades_account_id_status_closed_at: the risk phase's losing streak reads the newest
closed trades. ix_position_pl_status: the portfolio phase's open position_pl rows.
ix_transactions_account_id_symbol: rebuilding the positions a fill touched reads those
symbols' ledger lines (it walked the whole account's ledger).

Revision ID: 0003_cycle_lookup_indexes
Revises: 0002_transactions_indexes
"""

from __future__ import annotations

from alembic import op

revision = "0003_cycle_lookup_indexes"
down_revision = "0002_transactions_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_balance_history_account_id_transaction_id", "balance_history", ["account_id", "transaction_id"]
    )
    op.create_index("ix_trades_account_id_status_closed_at", "trades", ["account_id", "status", "closed_at"])
    op.create_index("ix_position_pl_status", "position_pl", ["status"])
    op.create_index("ix_transactions_account_id_symbol", "transactions", ["account_id", "symbol"])


def downgrade() -> None:
    op.drop_index("ix_transactions_account_id_symbol", table_name="transactions")
    op.drop_index("ix_position_pl_status", table_name="position_pl")
    op.drop_index("ix_trades_account_id_status_closed_at", table_name="trades")
    op.drop_index("ix_balance_history_account_id_transaction_id", table_name="balance_history")
