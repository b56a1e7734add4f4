"""Reference data, orders and trades, and the portfolio tables (seed section 6)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from tradecycle.core import types as t

from .tables_base import created_at, id_pk, metadata, one_of, positive_or_null, unit_or_null
from .types import UTCDateTime

# ---------------------------------------------------------------- reference data

accounts = Table(
    "accounts",
    metadata,
    id_pk(),
    Column("name", String(64), nullable=False, unique=True),
    Column("broker", String(32), nullable=False, server_default="paper"),
    Column("currency", String(3), nullable=False, server_default="USD"),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("metadata", Text),
    created_at(),
    CheckConstraint("status IN ('active', 'closed')", name="status"),
)

symbols = Table(
    "symbols",
    metadata,
    Column("symbol", String(16), primary_key=True),
    Column("name", Text),
    Column("sector", String(64), nullable=False, server_default="Unknown"),
    Column("sub_industry", String(128), nullable=False, server_default="Unknown"),
    Column("exchange", String(16)),
    Column("active", Integer, nullable=False, server_default="1"),
    Column("metadata", Text),
    created_at(),
    CheckConstraint("symbol = upper(symbol)", name="symbol_upper"),
)

watchlist = Table(
    "watchlist",
    metadata,
    id_pk(),
    Column("name", String(64), nullable=False),
    Column("symbol", String(16), ForeignKey("symbols.symbol"), nullable=False),
    created_at(),
    UniqueConstraint("name", "symbol"),
)

market_data = Table(
    "market_data",
    metadata,
    id_pk(),
    Column("symbol", String(16), ForeignKey("symbols.symbol"), nullable=False),
    Column("timeframe", String(8), nullable=False, server_default="1d"),
    Column("session", String(10), nullable=False),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("open", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("low", Float, nullable=False),
    Column("close", Float, nullable=False),
    Column("volume", BigInteger, nullable=False),
    Column("source", String(32)),
    created_at(),
    UniqueConstraint("symbol", "timeframe", "timestamp"),
    CheckConstraint("open > 0 AND high > 0 AND low > 0 AND close > 0", name="prices_positive"),
    CheckConstraint("high >= low", name="high_low"),
    CheckConstraint("volume >= 0", name="volume"),
    Index("ix_market_data_timeframe_timestamp", "timeframe", "timestamp"),
)

# ---------------------------------------------------------------- core trading (seed)

trades = Table(
    "trades",
    metadata,
    id_pk(),
    Column("symbol", String(10), nullable=False),
    Column("signal_type", String(10), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("entry_price", Float, nullable=False),
    Column("exit_price", Float),
    Column("confidence", Float),
    Column("trade_reason", Text),
    Column("alpaca_order_id", String(100)),
    Column("status", String(20), server_default=t.TradeStatus.PENDING.value),
    Column("profit_loss", Float),
    created_at(),
    Column("closed_at", UTCDateTime),
    Column("account_id", Integer, ForeignKey("accounts.id")),
    Column("cycle_id", String(64)),
    Column("strategy_name", String(64)),
    Column("entry_order_id", String(128)),
    Column("exit_order_id", String(128)),
    Column("stop_loss", Float),
    Column("target_price", Float),
    Column("highest_price", Float),
    Column("entry_time", UTCDateTime),
    Column("exit_reason", String(32)),
    Column("commission", Float),
    Column("metadata", Text),
    CheckConstraint("signal_type IN ('BUY', 'SELL')", name="signal_type"),
    CheckConstraint("quantity > 0", name="quantity"),
    CheckConstraint("entry_price > 0", name="entry_price"),
    CheckConstraint(positive_or_null("exit_price"), name="exit_price"),
    CheckConstraint(unit_or_null("confidence"), name="confidence"),
    CheckConstraint(one_of("status", t.TradeStatus), name="status"),
    Index("idx_trades_symbol", "symbol"),
    Index("idx_trades_status", "status"),
    Index("idx_trades_created", "created_at"),
    Index("ix_trades_closed_at", "closed_at"),
    Index("ix_trades_cycle_id", "cycle_id"),
    Index("ix_trades_account_id_status_closed_at", "account_id", "status", "closed_at"),  # losing streak
    Index("ix_trades_entry_order_id", "entry_order_id"),  # a partial fill grows its entry's trade
)

orders = Table(
    "orders",
    metadata,
    id_pk(),
    Column("order_id", Text, nullable=False, unique=True),
    Column("symbol", Text, nullable=False),
    Column("order_type", Text, nullable=False),
    Column("side", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price", Float),
    Column("stop_price", Float),
    Column("status", Text, nullable=False),
    Column("filled_quantity", Integer, server_default="0"),
    Column("average_fill_price", Float),
    Column("commission", Float),
    Column("strategy_name", Text),
    Column("entry_reason", Text),
    Column("exit_reason", Text),
    Column("created_timestamp", UTCDateTime, nullable=False),
    Column("updated_timestamp", UTCDateTime),
    Column("metadata", Text),
    created_at(),
    Column("client_order_id", String(128), unique=True),
    Column("broker_order_id", String(128)),
    Column("account_id", Integer, ForeignKey("accounts.id")),
    Column("cycle_id", String(64)),
    Column("time_in_force", String(8), server_default=t.TimeInForce.DAY.value),
    Column("intent", String(16)),
    Column("parent_order_id", Text),
    CheckConstraint(one_of("order_type", t.OrderType), name="order_type"),
    CheckConstraint(one_of("side", t.Side), name="side"),
    CheckConstraint(one_of("status", t.OrderStatus), name="status"),
    CheckConstraint("quantity > 0", name="quantity"),
    CheckConstraint(
        "filled_quantity IS NULL OR (filled_quantity >= 0 AND filled_quantity <= quantity)", name="filled"
    ),
    CheckConstraint(positive_or_null("price"), name="price"),
    CheckConstraint(positive_or_null("stop_price"), name="stop_price"),
    CheckConstraint(one_of("time_in_force", t.TimeInForce), name="tif"),
    Index("idx_orders_symbol", "symbol"),
    Index("idx_orders_status", "status"),
    Index("idx_orders_order_id", "order_id"),
    Index("ix_orders_cycle_id", "cycle_id"),
    Index("ix_orders_created_timestamp", "created_timestamp"),
)

order_history = Table(
    "order_history",
    metadata,
    id_pk(),
    Column("order_id", Text, ForeignKey("orders.order_id"), nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("filled_quantity", Integer, nullable=False, server_default="0"),
    Column("fill_price", Float),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("reason", Text),
    Column("metadata", Text),
    created_at(),
    CheckConstraint(one_of("to_status", t.OrderStatus), name="to_status"),
    Index("ix_order_history_order_id", "order_id"),
)

# ---------------------------------------------------------------- portfolio (seed section 6)

positions = Table(
    "positions",
    metadata,
    id_pk(),
    Column("symbol", String(16), ForeignKey("symbols.symbol"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("average_cost", Float, nullable=False),
    Column("current_price", Float),
    Column("market_value", Float),
    Column("unrealized_pnl", Float),
    Column("realized_pnl", Float, server_default="0"),
    Column("last_updated", UTCDateTime),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("opened_at", UTCDateTime),
    UniqueConstraint("account_id", "symbol"),
    CheckConstraint("quantity >= 0", name="quantity"),
    CheckConstraint("average_cost >= 0", name="average_cost"),
    # the held positions, read several times a cycle; closed rows stay (realised P&L) and outnumber them
    Index(
        "ix_positions_account_id_held",
        "account_id",
        "symbol",
        "quantity",
        sqlite_where=text("quantity > 0"),
        postgresql_where=text("quantity > 0"),
    ),
)

portfolio_status = Table(
    "portfolio_status",
    metadata,
    id_pk(),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("total_value", Float, nullable=False),
    Column("cash_balance", Float, nullable=False),
    Column("positions_value", Float, nullable=False),
    Column("daily_pnl", Float),
    Column("total_pnl", Float),
    Column("margin_used", Float, server_default="0"),
    Column("buying_power", Float),
    Column("account_id", Integer, ForeignKey("accounts.id")),
    Column("cycle_id", String(64)),
    Column("open_positions", Integer),
    Column("benchmark_value", Float),
    Column("metadata", Text),
    Index("ix_portfolio_status_account_id_timestamp", "account_id", "timestamp"),
)

transactions = Table(
    "transactions",
    metadata,
    id_pk(),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("symbol", String(16)),
    Column("quantity", Integer),
    Column("price", Float),
    Column("amount_cents", BigInteger, nullable=False),
    Column("order_id", Text, ForeignKey("orders.order_id")),
    Column("external_id", String(160), nullable=False, unique=True),
    Column("cycle_id", String(64)),
    Column("description", Text),
    Column("metadata", Text),
    created_at(),
    CheckConstraint(one_of("kind", t.TransactionKind), name="kind"),
    CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity"),
    CheckConstraint(positive_or_null("price"), name="price"),
    Index("ix_transactions_account_id_timestamp", "account_id", "timestamp"),
    Index("ix_transactions_symbol", "symbol"),
    Index("ix_transactions_cycle_id", "cycle_id"),
    Index("ix_transactions_account_id_kind", "account_id", "kind", "amount_cents"),  # covers the sums
    Index("ix_transactions_account_id_symbol", "account_id", "symbol"),  # one symbol's ledger lines
)

balance_history = Table(
    "balance_history",
    metadata,
    id_pk(),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("transaction_id", Integer, ForeignKey("transactions.id"), nullable=False, unique=True),
    Column("change_cents", BigInteger, nullable=False),
    Column("balance_cents", BigInteger, nullable=False),
    Column("reason", Text),
    created_at(),
    Index("ix_balance_history_account_id_timestamp", "account_id", "timestamp"),
    Index("ix_balance_history_account_id_transaction_id", "account_id", "transaction_id"),  # newest balance
)

performance = Table(
    "performance",
    metadata,
    id_pk(),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("date", String(10), nullable=False),
    Column("equity", Float, nullable=False),
    Column("cash", Float, nullable=False),
    Column("daily_return", Float),
    Column("cumulative_return", Float),
    Column("drawdown", Float),
    Column("benchmark_equity", Float),
    Column("trades", Integer, server_default="0"),
    Column("metadata", Text),
    created_at(),
    UniqueConstraint("account_id", "date"),
)
