"""Initial schema: every table of tradecycle.adapters.store.schema at its first release.

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tradecycle.adapters.store.types as tradecycle_types

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("broker", sa.String(length=32), server_default="paper", nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.CheckConstraint("status IN ('active', 'closed')", name=op.f("ck_accounts_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_accounts_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "ml_models",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_name", sa.Text(), nullable=False),
        sa.Column("model_data", sa.LargeBinary(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("model_type", sa.String(length=64), nullable=True),
        sa.Column("trained_from", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("trained_to", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("features", sa.Text(), nullable=True),
        sa.Column("metrics", sa.Text(), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ml_models")),
        sa.UniqueConstraint(
            "model_name", "model_version", name=op.f("uq_ml_models_model_name_model_version")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "ml_predictions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("model_name", sa.Text(), nullable=False),
        sa.Column("model_version", sa.Text(), nullable=True),
        sa.Column("prediction_type", sa.Text(), nullable=False),
        sa.Column("prediction_value", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("features_used", sa.Text(), nullable=True),
        sa.Column("prediction_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "prediction_type IN ('direction', 'price', 'volatility')",
            name=op.f("ck_ml_predictions_prediction_type"),
        ),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
            name=op.f("ck_ml_predictions_confidence"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ml_predictions")),
    )
    with op.batch_alter_table("ml_predictions", schema=None) as batch_op:
        batch_op.create_index("idx_ml_model", ["model_name"], unique=False)
        batch_op.create_index("idx_ml_symbol", ["symbol"], unique=False)
        batch_op.create_index("ix_ml_predictions_cycle_id", ["cycle_id"], unique=False)

    op.create_table(
        "news_sentiment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("article_date", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("sentiment_label", sa.Text(), nullable=True),
        sa.Column("relevance_score", sa.Float(), nullable=True),
        sa.Column("impact_score", sa.Float(), nullable=True),
        sa.Column("analysis_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "sentiment_label IS NULL OR sentiment_label IN ('positive', 'negative', 'neutral')",
            name=op.f("ck_news_sentiment_label"),
        ),
        sa.CheckConstraint(
            "impact_score IS NULL OR (impact_score >= 0 AND impact_score <= 1)",
            name=op.f("ck_news_sentiment_impact"),
        ),
        sa.CheckConstraint(
            "relevance_score IS NULL OR (relevance_score >= 0 AND relevance_score <= 1)",
            name=op.f("ck_news_sentiment_relevance"),
        ),
        sa.CheckConstraint(
            "sentiment_score IS NULL OR (sentiment_score >= -1 AND sentiment_score <= 1)",
            name=op.f("ck_news_sentiment_score"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_sentiment")),
    )
    with op.batch_alter_table("news_sentiment", schema=None) as batch_op:
        batch_op.create_index("idx_news_date", ["article_date"], unique=False)
        batch_op.create_index("idx_news_symbol", ["symbol"], unique=False)
        batch_op.create_index("ix_news_sentiment_cycle_id", ["cycle_id"], unique=False)

    op.create_table(
        "pattern_analysis",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("pattern_type", sa.Text(), nullable=False),
        sa.Column("pattern_name", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("entry_price", sa.Float(), nullable=True),
        sa.Column("stop_loss", sa.Float(), nullable=True),
        sa.Column("target_price", sa.Float(), nullable=True),
        sa.Column("timeframe", sa.Text(), nullable=True),
        sa.Column("detection_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.Column("direction", sa.String(length=8), nullable=True),
        sa.CheckConstraint(
            "direction IS NULL OR direction IN ('BUY', 'SELL', 'NEUTRAL')",
            name=op.f("ck_pattern_analysis_direction"),
        ),
        sa.CheckConstraint(
            "pattern_type IN ('candlestick', 'chart', 'volume', 'advanced')",
            name=op.f("ck_pattern_analysis_pattern_type"),
        ),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
            name=op.f("ck_pattern_analysis_confidence"),
        ),
        sa.CheckConstraint(
            "entry_price IS NULL OR entry_price > 0", name=op.f("ck_pattern_analysis_entry_price")
        ),
        sa.CheckConstraint("stop_loss IS NULL OR stop_loss > 0", name=op.f("ck_pattern_analysis_stop_loss")),
        sa.CheckConstraint(
            "target_price IS NULL OR target_price > 0", name=op.f("ck_pattern_analysis_target_price")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pattern_analysis")),
    )
    with op.batch_alter_table("pattern_analysis", schema=None) as batch_op:
        batch_op.create_index("idx_pattern_symbol", ["symbol"], unique=False)
        batch_op.create_index("idx_pattern_timestamp", ["detection_timestamp"], unique=False)
        batch_op.create_index("ix_pattern_analysis_cycle_id", ["cycle_id"], unique=False)
        batch_op.create_index("ix_pattern_analysis_pattern_name", ["pattern_name"], unique=False)

    op.create_table(
        "pl_summary",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("date", sa.Text(), nullable=False),
        sa.Column("realized_pl", sa.Float(), server_default="0", nullable=True),
        sa.Column("unrealized_pl", sa.Float(), server_default="0", nullable=True),
        sa.Column("total_pl", sa.Float(), server_default="0", nullable=True),
        sa.Column("winning_trades", sa.Integer(), server_default="0", nullable=True),
        sa.Column("losing_trades", sa.Integer(), server_default="0", nullable=True),
        sa.Column("total_trades", sa.Integer(), server_default="0", nullable=True),
        sa.Column("win_rate", sa.Float(), server_default="0", nullable=True),
        sa.Column("avg_win", sa.Float(), server_default="0", nullable=True),
        sa.Column("avg_loss", sa.Float(), server_default="0", nullable=True),
        sa.Column("largest_win", sa.Float(), server_default="0", nullable=True),
        sa.Column("largest_loss", sa.Float(), server_default="0", nullable=True),
        sa.Column("commission_paid", sa.Float(), server_default="0", nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pl_summary")),
        sa.UniqueConstraint("date", name=op.f("uq_pl_summary_date")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "position_pl",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("entry_price", sa.Float(), nullable=False),
        sa.Column("current_price", sa.Float(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("side", sa.Text(), nullable=False),
        sa.Column("realized_pl", sa.Float(), server_default="0", nullable=True),
        sa.Column("unrealized_pl", sa.Float(), server_default="0", nullable=True),
        sa.Column("commission", sa.Float(), server_default="0", nullable=True),
        sa.Column("opened_at", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.Text(), server_default="open", nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_pl")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "risk_metrics",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.Text(), nullable=True),
        sa.Column("portfolio_value", sa.Float(), nullable=True),
        sa.Column("position_size", sa.Float(), nullable=True),
        sa.Column("risk_amount", sa.Float(), nullable=True),
        sa.Column("risk_percentage", sa.Float(), nullable=True),
        sa.Column("max_positions", sa.Integer(), nullable=True),
        sa.Column("current_positions", sa.Integer(), nullable=True),
        sa.Column("daily_loss_limit", sa.Float(), nullable=True),
        sa.Column("current_daily_loss", sa.Float(), nullable=True),
        sa.Column("var_95", sa.Float(), nullable=True),
        sa.Column("sharpe_ratio", sa.Float(), nullable=True),
        sa.Column("calculation_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.Column("decision", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('approve', 'deny')", name=op.f("ck_risk_metrics_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_metrics")),
    )
    with op.batch_alter_table("risk_metrics", schema=None) as batch_op:
        batch_op.create_index("idx_risk_timestamp", ["calculation_timestamp"], unique=False)
        batch_op.create_index("ix_risk_metrics_cycle_id", ["cycle_id"], unique=False)

    op.create_table(
        "scanning_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("scan_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("volume", sa.Integer(), nullable=True),
        sa.Column("change_percent", sa.Float(), nullable=True),
        sa.Column("relative_volume", sa.Float(), nullable=True),
        sa.Column("market_cap", sa.Float(), nullable=True),
        sa.Column("scan_type", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint("price IS NULL OR price > 0", name=op.f("ck_scanning_results_price")),
        sa.CheckConstraint("volume IS NULL OR volume >= 0", name=op.f("ck_scanning_results_volume")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scanning_results")),
    )
    with op.batch_alter_table("scanning_results", schema=None) as batch_op:
        batch_op.create_index("idx_scanning_symbol", ["symbol"], unique=False)
        batch_op.create_index("idx_scanning_timestamp", ["scan_timestamp"], unique=False)
        batch_op.create_index("ix_scanning_results_cycle_id", ["cycle_id"], unique=False)

    op.create_table(
        "service_coordination",
        sa.Column("service_name", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("last_heartbeat", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("start_time", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'stopped', 'error')", name=op.f("ck_service_coordination_status")
        ),
        sa.CheckConstraint("port >= 0 AND port <= 65535", name=op.f("ck_service_coordination_port")),
        sa.PrimaryKeyConstraint("service_name", name=op.f("pk_service_coordination")),
    )
    op.create_table(
        "strategy_evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("strategy_name", sa.Text(), nullable=False),
        sa.Column("entry_signal", sa.Text(), nullable=True),
        sa.Column("entry_price", sa.Float(), nullable=True),
        sa.Column("stop_loss", sa.Float(), nullable=True),
        sa.Column("target_price", sa.Float(), nullable=True),
        sa.Column("position_size", sa.Integer(), nullable=True),
        sa.Column("risk_reward_ratio", sa.Float(), nullable=True),
        sa.Column("expected_return", sa.Float(), nullable=True),
        sa.Column("confidence_score", sa.Float(), nullable=True),
        sa.Column("evaluation_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "confidence_score IS NULL OR (confidence_score >= 0 AND confidence_score <= 1)",
            name=op.f("ck_strategy_evaluations_confidence"),
        ),
        sa.CheckConstraint(
            "position_size IS NULL OR position_size >= 0", name=op.f("ck_strategy_evaluations_position_size")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_evaluations")),
    )
    with op.batch_alter_table("strategy_evaluations", schema=None) as batch_op:
        batch_op.create_index("idx_strategy_name", ["strategy_name"], unique=False)
        batch_op.create_index("idx_strategy_symbol", ["symbol"], unique=False)
        batch_op.create_index("ix_strategy_evaluations_cycle_id", ["cycle_id"], unique=False)

    op.create_table(
        "symbols",
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("sector", sa.String(length=64), server_default="Unknown", nullable=False),
        sa.Column("sub_industry", sa.String(length=128), server_default="Unknown", nullable=False),
        sa.Column("exchange", sa.String(length=16), nullable=True),
        sa.Column("active", sa.Integer(), server_default="1", nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.CheckConstraint("symbol = upper(symbol)", name=op.f("ck_symbols_symbol_upper")),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_symbols")),
    )
    op.create_table(
        "technical_indicators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("indicator_name", sa.Text(), nullable=False),
        sa.Column("indicator_value", sa.Float(), nullable=True),
        sa.Column("signal", sa.Text(), nullable=True),
        sa.Column("timeframe", sa.Text(), nullable=True),
        sa.Column("calculation_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "signal IS NULL OR signal IN ('BUY', 'SELL', 'NEUTRAL')",
            name=op.f("ck_technical_indicators_signal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technical_indicators")),
    )
    with op.batch_alter_table("technical_indicators", schema=None) as batch_op:
        batch_op.create_index("idx_technical_indicator", ["indicator_name"], unique=False)
        batch_op.create_index("idx_technical_symbol", ["symbol"], unique=False)
        batch_op.create_index("ix_technical_indicators_cycle_id", ["cycle_id"], unique=False)

    op.create_table(
        "trading_cycles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("start_time", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_time", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("securities_scanned", sa.Integer(), server_default="0", nullable=True),
        sa.Column("patterns_found", sa.Integer(), server_default="0", nullable=True),
        sa.Column("trades_executed", sa.Integer(), server_default="0", nullable=True),
        sa.Column("error_count", sa.Integer(), server_default="0", nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("as_of", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'failed')", name=op.f("ck_trading_cycles_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_cycles")),
        sa.UniqueConstraint("cycle_id", name=op.f("uq_trading_cycles_cycle_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("trading_cycles", schema=None) as batch_op:
        batch_op.create_index("ix_trading_cycles_as_of", ["as_of"], unique=False)
        batch_op.create_index("ix_trading_cycles_status", ["status"], unique=False)

    op.create_table(
        "trading_schedule_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_trading_schedule_config_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_schedule_config")),
    )
    op.create_table(
        "market_data",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("timeframe", sa.String(length=8), server_default="1d", nullable=False),
        sa.Column("session", sa.String(length=10), nullable=False),
        sa.Column("timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("close", sa.Float(), nullable=False),
        sa.Column("volume", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.CheckConstraint("high >= low", name=op.f("ck_market_data_high_low")),
        sa.CheckConstraint(
            "open > 0 AND high > 0 AND low > 0 AND close > 0", name=op.f("ck_market_data_prices_positive")
        ),
        sa.CheckConstraint("volume >= 0", name=op.f("ck_market_data_volume")),
        sa.ForeignKeyConstraint(["symbol"], ["symbols.symbol"], name=op.f("fk_market_data_symbol_symbols")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_data")),
        sa.UniqueConstraint(
            "symbol", "timeframe", "timestamp", name=op.f("uq_market_data_symbol_timeframe_timestamp")
        ),
    )
    with op.batch_alter_table("market_data", schema=None) as batch_op:
        batch_op.create_index("ix_market_data_timeframe_timestamp", ["timeframe", "timestamp"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("symbol", sa.Text(), nullable=False),
        sa.Column("order_type", sa.Text(), nullable=False),
        sa.Column("side", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("stop_price", sa.Float(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("filled_quantity", sa.Integer(), server_default="0", nullable=True),
        sa.Column("average_fill_price", sa.Float(), nullable=True),
        sa.Column("commission", sa.Float(), nullable=True),
        sa.Column("strategy_name", sa.Text(), nullable=True),
        sa.Column("entry_reason", sa.Text(), nullable=True),
        sa.Column("exit_reason", sa.Text(), nullable=True),
        sa.Column("created_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("client_order_id", sa.String(length=128), nullable=True),
        sa.Column("broker_order_id", sa.String(length=128), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.Column("time_in_force", sa.String(length=8), server_default="day", nullable=True),
        sa.Column("intent", sa.String(length=16), nullable=True),
        sa.Column("parent_order_id", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "order_type IN ('MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT')", name=op.f("ck_orders_order_type")
        ),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name=op.f("ck_orders_side")),
        sa.CheckConstraint(
            "status IN ('pending', 'submitted', 'partial', 'filled', 'cancelled', 'rejected')",
            name=op.f("ck_orders_status"),
        ),
        sa.CheckConstraint("time_in_force IN ('day', 'gtc')", name=op.f("ck_orders_tif")),
        sa.CheckConstraint(
            "filled_quantity IS NULL OR (filled_quantity >= 0 AND filled_quantity <= quantity)",
            name=op.f("ck_orders_filled"),
        ),
        sa.CheckConstraint("price IS NULL OR price > 0", name=op.f("ck_orders_price")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_orders_quantity")),
        sa.CheckConstraint("stop_price IS NULL OR stop_price > 0", name=op.f("ck_orders_stop_price")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_orders_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("client_order_id", name=op.f("uq_orders_client_order_id")),
        sa.UniqueConstraint("order_id", name=op.f("uq_orders_order_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("idx_orders_order_id", ["order_id"], unique=False)
        batch_op.create_index("idx_orders_status", ["status"], unique=False)
        batch_op.create_index("idx_orders_symbol", ["symbol"], unique=False)
        batch_op.create_index("ix_orders_created_timestamp", ["created_timestamp"], unique=False)
        batch_op.create_index("ix_orders_cycle_id", ["cycle_id"], unique=False)

    op.create_table(
        "performance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("equity", sa.Float(), nullable=False),
        sa.Column("cash", sa.Float(), nullable=False),
        sa.Column("daily_return", sa.Float(), nullable=True),
        sa.Column("cumulative_return", sa.Float(), nullable=True),
        sa.Column("drawdown", sa.Float(), nullable=True),
        sa.Column("benchmark_equity", sa.Float(), nullable=True),
        sa.Column("trades", sa.Integer(), server_default="0", nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_performance_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance")),
        sa.UniqueConstraint("account_id", "date", name=op.f("uq_performance_account_id_date")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "portfolio_status",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("total_value", sa.Float(), nullable=False),
        sa.Column("cash_balance", sa.Float(), nullable=False),
        sa.Column("positions_value", sa.Float(), nullable=False),
        sa.Column("daily_pnl", sa.Float(), nullable=True),
        sa.Column("total_pnl", sa.Float(), nullable=True),
        sa.Column("margin_used", sa.Float(), server_default="0", nullable=True),
        sa.Column("buying_power", sa.Float(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.Column("open_positions", sa.Integer(), nullable=True),
        sa.Column("benchmark_value", sa.Float(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_portfolio_status_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_status")),
    )
    with op.batch_alter_table("portfolio_status", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portfolio_status_account_id_timestamp", ["account_id", "timestamp"], unique=False
        )

    op.create_table(
        "positions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("average_cost", sa.Float(), nullable=False),
        sa.Column("current_price", sa.Float(), nullable=True),
        sa.Column("market_value", sa.Float(), nullable=True),
        sa.Column("unrealized_pnl", sa.Float(), nullable=True),
        sa.Column("realized_pnl", sa.Float(), server_default="0", nullable=True),
        sa.Column("last_updated", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("average_cost >= 0", name=op.f("ck_positions_average_cost")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_positions_quantity")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_positions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["symbol"], ["symbols.symbol"], name=op.f("fk_positions_symbol_symbols")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
        sa.UniqueConstraint("account_id", "symbol", name=op.f("uq_positions_account_id_symbol")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "trades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("signal_type", sa.String(length=10), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("entry_price", sa.Float(), nullable=False),
        sa.Column("exit_price", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("trade_reason", sa.Text(), nullable=True),
        sa.Column("alpaca_order_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=True),
        sa.Column("profit_loss", sa.Float(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("closed_at", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.Column("strategy_name", sa.String(length=64), nullable=True),
        sa.Column("entry_order_id", sa.String(length=128), nullable=True),
        sa.Column("exit_order_id", sa.String(length=128), nullable=True),
        sa.Column("stop_loss", sa.Float(), nullable=True),
        sa.Column("target_price", sa.Float(), nullable=True),
        sa.Column("highest_price", sa.Float(), nullable=True),
        sa.Column("entry_time", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("exit_reason", sa.String(length=32), nullable=True),
        sa.Column("commission", sa.Float(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.CheckConstraint("signal_type IN ('BUY', 'SELL')", name=op.f("ck_trades_signal_type")),
        sa.CheckConstraint(
            "status IN ('pending', 'open', 'closed', 'cancelled')", name=op.f("ck_trades_status")
        ),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name=op.f("ck_trades_confidence")
        ),
        sa.CheckConstraint("entry_price > 0", name=op.f("ck_trades_entry_price")),
        sa.CheckConstraint("exit_price IS NULL OR exit_price > 0", name=op.f("ck_trades_exit_price")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_trades_quantity")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_trades_account_id_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trades")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.create_index("idx_trades_created", ["created_at"], unique=False)
        batch_op.create_index("idx_trades_status", ["status"], unique=False)
        batch_op.create_index("idx_trades_symbol", ["symbol"], unique=False)
        batch_op.create_index("ix_trades_closed_at", ["closed_at"], unique=False)
        batch_op.create_index("ix_trades_cycle_id", ["cycle_id"], unique=False)

    op.create_table(
        "watchlist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["symbol"], ["symbols.symbol"], name=op.f("fk_watchlist_symbol_symbols")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist")),
        sa.UniqueConstraint("name", "symbol", name=op.f("uq_watchlist_name_symbol")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "workflow_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.Text(), nullable=False),
        sa.Column("phase", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("event_data", sa.Text(), nullable=True),
        sa.Column(
            "timestamp",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["trading_cycles.cycle_id"], name=op.f("fk_workflow_events_cycle_id_trading_cycles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("workflow_events", schema=None) as batch_op:
        batch_op.create_index("idx_events_cycle", ["cycle_id"], unique=False)

    op.create_table(
        "workflow_metrics",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("start_time", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_time", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("total_duration_seconds", sa.Float(), nullable=True),
        sa.Column("securities_scanned", sa.Integer(), server_default="0", nullable=True),
        sa.Column("patterns_detected", sa.Integer(), server_default="0", nullable=True),
        sa.Column("signals_generated", sa.Integer(), server_default="0", nullable=True),
        sa.Column("trades_executed", sa.Integer(), server_default="0", nullable=True),
        sa.Column("success_rate", sa.Float(), server_default="0.0", nullable=True),
        sa.Column("error_count", sa.Integer(), server_default="0", nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'failed')", name=op.f("ck_workflow_metrics_status")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["trading_cycles.cycle_id"],
            name=op.f("fk_workflow_metrics_cycle_id_trading_cycles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_metrics")),
        sa.UniqueConstraint("cycle_id", name=op.f("uq_workflow_metrics_cycle_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("workflow_metrics", schema=None) as batch_op:
        batch_op.create_index("idx_metrics_cycle", ["cycle_id"], unique=False)

    op.create_table(
        "workflow_tracking",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.Text(), nullable=False),
        sa.Column("phase", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("start_time", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_time", tradecycle_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("items_processed", sa.Integer(), server_default="0", nullable=True),
        sa.Column("items_succeeded", sa.Integer(), server_default="0", nullable=True),
        sa.Column("items_failed", sa.Integer(), server_default="0", nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("retry_count", sa.Integer(), server_default="0", nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'failed', 'skipped')",
            name=op.f("ck_workflow_tracking_status"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["trading_cycles.cycle_id"],
            name=op.f("fk_workflow_tracking_cycle_id_trading_cycles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_tracking")),
        sa.UniqueConstraint("cycle_id", "phase", name=op.f("uq_workflow_tracking_cycle_id_phase")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("workflow_tracking", schema=None) as batch_op:
        batch_op.create_index("idx_workflow_cycle", ["cycle_id"], unique=False)
        batch_op.create_index("idx_workflow_phase", ["phase"], unique=False)

    op.create_table(
        "order_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("filled_quantity", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fill_price", sa.Float(), nullable=True),
        sa.Column("timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.CheckConstraint(
            "to_status IN ('pending', 'submitted', 'partial', 'filled', 'cancelled', 'rejected')",
            name=op.f("ck_order_history_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.order_id"], name=op.f("fk_order_history_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_history")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("order_history", schema=None) as batch_op:
        batch_op.create_index("ix_order_history_order_id", ["order_id"], unique=False)

    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(length=160), nullable=False),
        sa.Column("cycle_id", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.CheckConstraint(
            "kind IN ('deposit', 'withdrawal', 'buy', 'sell', 'commission')",
            name=op.f("ck_transactions_kind"),
        ),
        sa.CheckConstraint("price IS NULL OR price > 0", name=op.f("ck_transactions_price")),
        sa.CheckConstraint("quantity IS NULL OR quantity > 0", name=op.f("ck_transactions_quantity")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_transactions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.order_id"], name=op.f("fk_transactions_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint("external_id", name=op.f("uq_transactions_external_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transactions_account_id_timestamp", ["account_id", "timestamp"], unique=False
        )
        batch_op.create_index("ix_transactions_symbol", ["symbol"], unique=False)

    op.create_table(
        "balance_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", tradecycle_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("change_cents", sa.BigInteger(), nullable=False),
        sa.Column("balance_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            tradecycle_types.UTCDateTime(timezone=True),
            server_default=tradecycle_types.utc_now(),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_balance_history_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_balance_history_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_balance_history")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_balance_history_transaction_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("balance_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_balance_history_account_id_timestamp", ["account_id", "timestamp"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("balance_history", schema=None) as batch_op:
        batch_op.drop_index("ix_balance_history_account_id_timestamp")

    op.drop_table("balance_history")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_transactions_symbol")
        batch_op.drop_index("ix_transactions_account_id_timestamp")

    op.drop_table("transactions")
    with op.batch_alter_table("order_history", schema=None) as batch_op:
        batch_op.drop_index("ix_order_history_order_id")

    op.drop_table("order_history")
    with op.batch_alter_table("workflow_tracking", schema=None) as batch_op:
        batch_op.drop_index("idx_workflow_phase")
        batch_op.drop_index("idx_workflow_cycle")

    op.drop_table("workflow_tracking")
    with op.batch_alter_table("workflow_metrics", schema=None) as batch_op:
        batch_op.drop_index("idx_metrics_cycle")

    op.drop_table("workflow_metrics")
    with op.batch_alter_table("workflow_events", schema=None) as batch_op:
        batch_op.drop_index("idx_events_cycle")

    op.drop_table("workflow_events")
    op.drop_table("watchlist")
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.drop_index("ix_trades_cycle_id")
        batch_op.drop_index("ix_trades_closed_at")
        batch_op.drop_index("idx_trades_symbol")
        batch_op.drop_index("idx_trades_status")
        batch_op.drop_index("idx_trades_created")

    op.drop_table("trades")
    op.drop_table("positions")
    with op.batch_alter_table("portfolio_status", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_status_account_id_timestamp")

    op.drop_table("portfolio_status")
    op.drop_table("performance")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_cycle_id")
        batch_op.drop_index("ix_orders_created_timestamp")
        batch_op.drop_index("idx_orders_symbol")
        batch_op.drop_index("idx_orders_status")
        batch_op.drop_index("idx_orders_order_id")

    op.drop_table("orders")
    with op.batch_alter_table("market_data", schema=None) as batch_op:
        batch_op.drop_index("ix_market_data_timeframe_timestamp")

    op.drop_table("market_data")
    op.drop_table("trading_schedule_config")
    with op.batch_alter_table("trading_cycles", schema=None) as batch_op:
        batch_op.drop_index("ix_trading_cycles_status")
        batch_op.drop_index("ix_trading_cycles_as_of")

    op.drop_table("trading_cycles")
    with op.batch_alter_table("technical_indicators", schema=None) as batch_op:
        batch_op.drop_index("ix_technical_indicators_cycle_id")
        batch_op.drop_index("idx_technical_symbol")
        batch_op.drop_index("idx_technical_indicator")

    op.drop_table("technical_indicators")
    op.drop_table("symbols")
    with op.batch_alter_table("strategy_evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_strategy_evaluations_cycle_id")
        batch_op.drop_index("idx_strategy_symbol")
        batch_op.drop_index("idx_strategy_name")

    op.drop_table("strategy_evaluations")
    op.drop_table("service_coordination")
    with op.batch_alter_table("scanning_results", schema=None) as batch_op:
        batch_op.drop_index("ix_scanning_results_cycle_id")
        batch_op.drop_index("idx_scanning_timestamp")
        batch_op.drop_index("idx_scanning_symbol")

    op.drop_table("scanning_results")
    with op.batch_alter_table("risk_metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_metrics_cycle_id")
        batch_op.drop_index("idx_risk_timestamp")

    op.drop_table("risk_metrics")
    op.drop_table("position_pl")
    op.drop_table("pl_summary")
    with op.batch_alter_table("pattern_analysis", schema=None) as batch_op:
        batch_op.drop_index("ix_pattern_analysis_pattern_name")
        batch_op.drop_index("ix_pattern_analysis_cycle_id")
        batch_op.drop_index("idx_pattern_timestamp")
        batch_op.drop_index("idx_pattern_symbol")

    op.drop_table("pattern_analysis")
    with op.batch_alter_table("news_sentiment", schema=None) as batch_op:
        batch_op.drop_index("ix_news_sentiment_cycle_id")
        batch_op.drop_index("idx_news_symbol")
        batch_op.drop_index("idx_news_date")

    op.drop_table("news_sentiment")
    with op.batch_alter_table("ml_predictions", schema=None) as batch_op:
        batch_op.drop_index("ix_ml_predictions_cycle_id")
        batch_op.drop_index("idx_ml_symbol")
        batch_op.drop_index("idx_ml_model")

    op.drop_table("ml_predictions")
    op.drop_table("ml_models")
    op.drop_table("accounts")
