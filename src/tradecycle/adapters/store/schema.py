"""The database schema: SQLAlchemy Core metadata, the single source.

Every seed table keeps every seed column, name and meaning (SCHEMA.md); columns we
add come after them. Statuses are CHECKed against the enums of tradecycle.core.types.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tradecycle.core import types as t

from .types import UTCDateTime, utc_now

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def _in(column: str, enum) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum)
    return f"{column} IN ({values})"


def _unit(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 0 AND {column} <= 1)"


def _positive(column: str) -> str:
    return f"{column} IS NULL OR {column} > 0"


def _created_at() -> Column:
    return Column("created_at", UTCDateTime, server_default=utc_now())


def _pk() -> Column:
    return Column("id", Integer, primary_key=True, autoincrement=True)


# ---------------------------------------------------------------- reference data

accounts = Table(
    "accounts",
    metadata,
    _pk(),
    Column("name", String(64), nullable=False, unique=True),
    Column("broker", String(32), nullable=False, server_default="paper"),
    Column("currency", String(3), nullable=False, server_default="USD"),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("metadata", Text),
    _created_at(),
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
    _created_at(),
    CheckConstraint("symbol = upper(symbol)", name="symbol_upper"),
)

watchlist = Table(
    "watchlist",
    metadata,
    _pk(),
    Column("name", String(64), nullable=False),
    Column("symbol", String(16), ForeignKey("symbols.symbol"), nullable=False),
    _created_at(),
    UniqueConstraint("name", "symbol"),
)

market_data = Table(
    "market_data",
    metadata,
    _pk(),
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
    _created_at(),
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
    _pk(),
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
    _created_at(),
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
    CheckConstraint(_positive("exit_price"), name="exit_price"),
    CheckConstraint(_unit("confidence"), name="confidence"),
    CheckConstraint(_in("status", t.TradeStatus), name="status"),
    Index("idx_trades_symbol", "symbol"),
    Index("idx_trades_status", "status"),
    Index("idx_trades_created", "created_at"),
    Index("ix_trades_closed_at", "closed_at"),
    Index("ix_trades_cycle_id", "cycle_id"),
)

orders = Table(
    "orders",
    metadata,
    _pk(),
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
    _created_at(),
    Column("client_order_id", String(128), unique=True),
    Column("broker_order_id", String(128)),
    Column("account_id", Integer, ForeignKey("accounts.id")),
    Column("cycle_id", String(64)),
    Column("time_in_force", String(8), server_default=t.TimeInForce.DAY.value),
    Column("intent", String(16)),
    Column("parent_order_id", Text),
    CheckConstraint(_in("order_type", t.OrderType), name="order_type"),
    CheckConstraint(_in("side", t.Side), name="side"),
    CheckConstraint(_in("status", t.OrderStatus), name="status"),
    CheckConstraint("quantity > 0", name="quantity"),
    CheckConstraint(
        "filled_quantity IS NULL OR (filled_quantity >= 0 AND filled_quantity <= quantity)", name="filled"
    ),
    CheckConstraint(_positive("price"), name="price"),
    CheckConstraint(_positive("stop_price"), name="stop_price"),
    CheckConstraint(_in("time_in_force", t.TimeInForce), name="tif"),
    Index("idx_orders_symbol", "symbol"),
    Index("idx_orders_status", "status"),
    Index("idx_orders_order_id", "order_id"),
    Index("ix_orders_cycle_id", "cycle_id"),
    Index("ix_orders_created_timestamp", "created_timestamp"),
)

order_history = Table(
    "order_history",
    metadata,
    _pk(),
    Column("order_id", Text, ForeignKey("orders.order_id"), nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("filled_quantity", Integer, nullable=False, server_default="0"),
    Column("fill_price", Float),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("reason", Text),
    Column("metadata", Text),
    _created_at(),
    CheckConstraint(_in("to_status", t.OrderStatus), name="to_status"),
    Index("ix_order_history_order_id", "order_id"),
)

# ---------------------------------------------------------------- portfolio (seed section 6)

positions = Table(
    "positions",
    metadata,
    _pk(),
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
)

portfolio_status = Table(
    "portfolio_status",
    metadata,
    _pk(),
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
    _pk(),
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
    _created_at(),
    CheckConstraint(_in("kind", t.TransactionKind), name="kind"),
    CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity"),
    CheckConstraint(_positive("price"), name="price"),
    Index("ix_transactions_account_id_timestamp", "account_id", "timestamp"),
    Index("ix_transactions_symbol", "symbol"),
)

balance_history = Table(
    "balance_history",
    metadata,
    _pk(),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("transaction_id", Integer, ForeignKey("transactions.id"), nullable=False, unique=True),
    Column("change_cents", BigInteger, nullable=False),
    Column("balance_cents", BigInteger, nullable=False),
    Column("reason", Text),
    _created_at(),
    Index("ix_balance_history_account_id_timestamp", "account_id", "timestamp"),
)

performance = Table(
    "performance",
    metadata,
    _pk(),
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
    _created_at(),
    UniqueConstraint("account_id", "date"),
)

# ---------------------------------------------------------------- analysis (seed)

scanning_results = Table(
    "scanning_results",
    metadata,
    _pk(),
    Column("symbol", Text, nullable=False),
    Column("scan_timestamp", UTCDateTime, nullable=False),
    Column("price", Float),
    Column("volume", Integer),
    Column("change_percent", Float),
    Column("relative_volume", Float),
    Column("market_cap", Float),
    Column("scan_type", Text),
    Column("metadata", Text),
    _created_at(),
    Column("cycle_id", String(64)),
    CheckConstraint(_positive("price"), name="price"),
    CheckConstraint("volume IS NULL OR volume >= 0", name="volume"),
    Index("idx_scanning_symbol", "symbol"),
    Index("idx_scanning_timestamp", "scan_timestamp"),
    Index("ix_scanning_results_cycle_id", "cycle_id"),
)

pattern_analysis = Table(
    "pattern_analysis",
    metadata,
    _pk(),
    Column("symbol", Text, nullable=False),
    Column("pattern_type", Text, nullable=False),
    Column("pattern_name", Text, nullable=False),
    Column("confidence", Float),
    Column("entry_price", Float),
    Column("stop_loss", Float),
    Column("target_price", Float),
    Column("timeframe", Text),
    Column("detection_timestamp", UTCDateTime, nullable=False),
    Column("metadata", Text),
    _created_at(),
    Column("cycle_id", String(64)),
    Column("direction", String(8)),
    CheckConstraint(_in("pattern_type", t.PatternType), name="pattern_type"),
    CheckConstraint(_unit("confidence"), name="confidence"),
    CheckConstraint(_positive("entry_price"), name="entry_price"),
    CheckConstraint(_positive("stop_loss"), name="stop_loss"),
    CheckConstraint(_positive("target_price"), name="target_price"),
    CheckConstraint(f"direction IS NULL OR {_in('direction', t.SignalLabel)}", name="direction"),
    Index("idx_pattern_symbol", "symbol"),
    Index("idx_pattern_timestamp", "detection_timestamp"),
    Index("ix_pattern_analysis_cycle_id", "cycle_id"),
    Index("ix_pattern_analysis_pattern_name", "pattern_name"),
)

technical_indicators = Table(
    "technical_indicators",
    metadata,
    _pk(),
    Column("symbol", Text, nullable=False),
    Column("indicator_name", Text, nullable=False),
    Column("indicator_value", Float),
    Column("signal", Text),
    Column("timeframe", Text),
    Column("calculation_timestamp", UTCDateTime, nullable=False),
    Column("metadata", Text),
    _created_at(),
    Column("cycle_id", String(64)),
    CheckConstraint(f"signal IS NULL OR {_in('signal', t.SignalLabel)}", name="signal"),
    Index("idx_technical_symbol", "symbol"),
    Index("idx_technical_indicator", "indicator_name"),
    Index("ix_technical_indicators_cycle_id", "cycle_id"),
)

news_sentiment = Table(
    "news_sentiment",
    metadata,
    _pk(),
    Column("symbol", Text, nullable=False),
    Column("headline", Text, nullable=False),
    Column("source", Text),
    Column("article_date", UTCDateTime, nullable=False),
    Column("sentiment_score", Float),
    Column("sentiment_label", Text),
    Column("relevance_score", Float),
    Column("impact_score", Float),
    Column("analysis_timestamp", UTCDateTime, nullable=False),
    Column("metadata", Text),
    _created_at(),
    Column("cycle_id", String(64)),
    CheckConstraint(
        "sentiment_score IS NULL OR (sentiment_score >= -1 AND sentiment_score <= 1)", name="score"
    ),
    CheckConstraint(f"sentiment_label IS NULL OR {_in('sentiment_label', t.SentimentLabel)}", name="label"),
    CheckConstraint(_unit("relevance_score"), name="relevance"),
    CheckConstraint(_unit("impact_score"), name="impact"),
    Index("idx_news_symbol", "symbol"),
    Index("idx_news_date", "article_date"),
    Index("ix_news_sentiment_cycle_id", "cycle_id"),
)

# ---------------------------------------------------------------- machine learning (seed)

ml_predictions = Table(
    "ml_predictions",
    metadata,
    _pk(),
    Column("symbol", Text, nullable=False),
    Column("model_name", Text, nullable=False),
    Column("model_version", Text),
    Column("prediction_type", Text, nullable=False),
    Column("prediction_value", Float),
    Column("confidence", Float),
    Column("features_used", Text),
    Column("prediction_timestamp", UTCDateTime, nullable=False),
    Column("metadata", Text),
    _created_at(),
    Column("cycle_id", String(64)),
    CheckConstraint(_in("prediction_type", t.PredictionType), name="prediction_type"),
    CheckConstraint(_unit("confidence"), name="confidence"),
    Index("idx_ml_symbol", "symbol"),
    Index("idx_ml_model", "model_name"),
    Index("ix_ml_predictions_cycle_id", "cycle_id"),
)

ml_models = Table(
    "ml_models",
    metadata,
    _pk(),
    Column("model_name", Text, nullable=False),
    Column("model_data", LargeBinary),
    _created_at(),
    Column("model_version", String(64)),
    Column("model_type", String(64)),
    Column("trained_from", UTCDateTime),
    Column("trained_to", UTCDateTime),
    Column("features", Text),
    Column("metrics", Text),
    Column("checksum", String(64)),
    Column("metadata", Text),
    UniqueConstraint("model_name", "model_version"),
)

# ---------------------------------------------------------------- risk and strategy (seed)

strategy_evaluations = Table(
    "strategy_evaluations",
    metadata,
    _pk(),
    Column("symbol", Text, nullable=False),
    Column("strategy_name", Text, nullable=False),
    Column("entry_signal", Text),
    Column("entry_price", Float),
    Column("stop_loss", Float),
    Column("target_price", Float),
    Column("position_size", Integer),
    Column("risk_reward_ratio", Float),
    Column("expected_return", Float),
    Column("confidence_score", Float),
    Column("evaluation_timestamp", UTCDateTime, nullable=False),
    Column("metadata", Text),
    _created_at(),
    Column("cycle_id", String(64)),
    Column("score", Float),
    CheckConstraint(_unit("confidence_score"), name="confidence"),
    CheckConstraint("position_size IS NULL OR position_size >= 0", name="position_size"),
    Index("idx_strategy_symbol", "symbol"),
    Index("idx_strategy_name", "strategy_name"),
    Index("ix_strategy_evaluations_cycle_id", "cycle_id"),
)

risk_metrics = Table(
    "risk_metrics",
    metadata,
    _pk(),
    Column("symbol", Text),
    Column("portfolio_value", Float),
    Column("position_size", Float),
    Column("risk_amount", Float),
    Column("risk_percentage", Float),
    Column("max_positions", Integer),
    Column("current_positions", Integer),
    Column("daily_loss_limit", Float),
    Column("current_daily_loss", Float),
    Column("var_95", Float),
    Column("sharpe_ratio", Float),
    Column("calculation_timestamp", UTCDateTime, nullable=False),
    Column("metadata", Text),
    _created_at(),
    Column("cycle_id", String(64)),
    Column("decision", String(8)),
    Column("reason", String(64)),
    CheckConstraint("decision IS NULL OR decision IN ('approve', 'deny')", name="decision"),
    Index("idx_risk_timestamp", "calculation_timestamp"),
    Index("ix_risk_metrics_cycle_id", "cycle_id"),
)

# ---------------------------------------------------------------- system management (seed)

service_coordination = Table(
    "service_coordination",
    metadata,
    Column("service_name", Text, primary_key=True),
    Column("host", Text, nullable=False),
    Column("port", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("last_heartbeat", UTCDateTime),
    Column("start_time", UTCDateTime),
    Column("metadata", Text),
    CheckConstraint(_in("status", t.ServiceStatus), name="status"),
    CheckConstraint("port >= 0 AND port <= 65535", name="port"),
)

trading_cycles = Table(
    "trading_cycles",
    metadata,
    _pk(),
    Column("cycle_id", Text, nullable=False, unique=True),
    Column("status", Text, nullable=False),
    Column("start_time", UTCDateTime),
    Column("end_time", UTCDateTime),
    Column("securities_scanned", Integer, server_default="0"),
    Column("patterns_found", Integer, server_default="0"),
    Column("trades_executed", Integer, server_default="0"),
    Column("error_count", Integer, server_default="0"),
    _created_at(),
    Column("as_of", UTCDateTime),
    Column("mode", String(16)),
    Column("error_message", Text),
    Column("metadata", Text),
    CheckConstraint(_in("status", t.CycleStatus), name="status"),
    Index("ix_trading_cycles_status", "status"),
    Index("ix_trading_cycles_as_of", "as_of"),
)

workflow_tracking = Table(
    "workflow_tracking",
    metadata,
    _pk(),
    Column("cycle_id", Text, ForeignKey("trading_cycles.cycle_id"), nullable=False),
    Column("phase", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("start_time", UTCDateTime),
    Column("end_time", UTCDateTime),
    Column("duration_seconds", Float),
    Column("items_processed", Integer, server_default="0"),
    Column("items_succeeded", Integer, server_default="0"),
    Column("items_failed", Integer, server_default="0"),
    Column("error_message", Text),
    Column("retry_count", Integer, server_default="0"),
    Column("metadata", Text),
    _created_at(),
    UniqueConstraint("cycle_id", "phase"),
    CheckConstraint(_in("status", t.PhaseStatus), name="status"),
    Index("idx_workflow_cycle", "cycle_id"),
    Index("idx_workflow_phase", "phase"),
)

workflow_events = Table(
    "workflow_events",
    metadata,
    _pk(),
    Column("cycle_id", Text, ForeignKey("trading_cycles.cycle_id"), nullable=False),
    Column("phase", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("event_data", Text),
    Column("timestamp", UTCDateTime, server_default=utc_now()),
    Index("idx_events_cycle", "cycle_id"),
)

workflow_metrics = Table(
    "workflow_metrics",
    metadata,
    _pk(),
    Column("cycle_id", Text, ForeignKey("trading_cycles.cycle_id"), nullable=False, unique=True),
    Column("status", Text, nullable=False),
    Column("start_time", UTCDateTime, nullable=False),
    Column("end_time", UTCDateTime),
    Column("total_duration_seconds", Float),
    Column("securities_scanned", Integer, server_default="0"),
    Column("patterns_detected", Integer, server_default="0"),
    Column("signals_generated", Integer, server_default="0"),
    Column("trades_executed", Integer, server_default="0"),
    Column("success_rate", Float, server_default="0.0"),
    Column("error_count", Integer, server_default="0"),
    _created_at(),
    Column("metadata", Text),
    CheckConstraint(_in("status", t.CycleStatus), name="status"),
    Index("idx_metrics_cycle", "cycle_id"),
)

trading_schedule_config = Table(
    "trading_schedule_config",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("config", Text, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

# ---------------------------------------------------------------- legacy tables kept on adoption

pl_summary = Table(
    "pl_summary",
    metadata,
    _pk(),
    Column("date", Text, nullable=False, unique=True),
    Column("realized_pl", Float, server_default="0"),
    Column("unrealized_pl", Float, server_default="0"),
    Column("total_pl", Float, server_default="0"),
    Column("winning_trades", Integer, server_default="0"),
    Column("losing_trades", Integer, server_default="0"),
    Column("total_trades", Integer, server_default="0"),
    Column("win_rate", Float, server_default="0"),
    Column("avg_win", Float, server_default="0"),
    Column("avg_loss", Float, server_default="0"),
    Column("largest_win", Float, server_default="0"),
    Column("largest_loss", Float, server_default="0"),
    Column("commission_paid", Float, server_default="0"),
    _created_at(),
)

position_pl = Table(
    "position_pl",
    metadata,
    _pk(),
    Column("symbol", Text, nullable=False),
    Column("entry_price", Float, nullable=False),
    Column("current_price", Float),
    Column("quantity", Integer, nullable=False),
    Column("side", Text, nullable=False),
    Column("realized_pl", Float, server_default="0"),
    Column("unrealized_pl", Float, server_default="0"),
    Column("commission", Float, server_default="0"),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("status", Text, server_default="open"),
    _created_at(),
)

SEED_TABLES = (
    "trades",
    "orders",
    "scanning_results",
    "pattern_analysis",
    "technical_indicators",
    "news_sentiment",
    "ml_predictions",
    "ml_models",
    "strategy_evaluations",
    "risk_metrics",
    "service_coordination",
    "trading_cycles",
    "workflow_tracking",
    "workflow_events",
    "workflow_metrics",
    "trading_schedule_config",
)
LEGACY_TABLES = ("pl_summary", "position_pl")


# Per-cycle analysis output: a retried cycle deletes its rows here and writes them again.
RETRY_REWRITTEN_TABLES = (
    "scanning_results",
    "pattern_analysis",
    "technical_indicators",
    "news_sentiment",
    "ml_predictions",
    "strategy_evaluations",
    "risk_metrics",
    "portfolio_status",
)


def _autoincrement_ids() -> None:
    """On SQLite, ids of audited and referenced rows are never reused (AUTOINCREMENT, as in
    the seed's database). The high-volume per-cycle analysis tables and the bar cache use
    plain rowids: about 10% faster bulk writes, and a retried cycle's rewritten rows get
    the same ids an uninterrupted run would have given them."""
    for table in metadata.tables.values():
        if table.name in RETRY_REWRITTEN_TABLES or table.name == "market_data":
            continue
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id" and pk[0].autoincrement is True:
            table.dialect_kwargs["sqlite_autoincrement"] = True


_autoincrement_ids()
