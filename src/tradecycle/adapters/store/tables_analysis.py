"""Analysis output: scans, patterns, indicators, news, ML, strategy and risk (seed tables)."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tradecycle.core import types as t

from .tables_base import created_at, id_pk, metadata, one_of, positive_or_null, unit_or_null
from .types import UTCDateTime

# ---------------------------------------------------------------- analysis (seed)

scanning_results = Table(
    "scanning_results",
    metadata,
    id_pk(),
    Column("symbol", Text, nullable=False),
    Column("scan_timestamp", UTCDateTime, nullable=False),
    Column("price", Float),
    Column("volume", Integer),
    Column("change_percent", Float),
    Column("relative_volume", Float),
    Column("market_cap", Float),
    Column("scan_type", Text),
    Column("metadata", Text),
    created_at(),
    Column("cycle_id", String(64)),
    CheckConstraint(positive_or_null("price"), name="price"),
    CheckConstraint("volume IS NULL OR volume >= 0", name="volume"),
    Index("idx_scanning_symbol", "symbol"),
    Index("idx_scanning_timestamp", "scan_timestamp"),
    Index("ix_scanning_results_cycle_id", "cycle_id"),
)

pattern_analysis = Table(
    "pattern_analysis",
    metadata,
    id_pk(),
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
    created_at(),
    Column("cycle_id", String(64)),
    Column("direction", String(8)),
    CheckConstraint(one_of("pattern_type", t.PatternType), name="pattern_type"),
    CheckConstraint(unit_or_null("confidence"), name="confidence"),
    CheckConstraint(positive_or_null("entry_price"), name="entry_price"),
    CheckConstraint(positive_or_null("stop_loss"), name="stop_loss"),
    CheckConstraint(positive_or_null("target_price"), name="target_price"),
    CheckConstraint(f"direction IS NULL OR {one_of('direction', t.SignalLabel)}", name="direction"),
    Index("idx_pattern_symbol", "symbol"),
    Index("idx_pattern_timestamp", "detection_timestamp"),
    Index("ix_pattern_analysis_cycle_id", "cycle_id"),
    Index("ix_pattern_analysis_pattern_name", "pattern_name"),
)

technical_indicators = Table(
    "technical_indicators",
    metadata,
    id_pk(),
    Column("symbol", Text, nullable=False),
    Column("indicator_name", Text, nullable=False),
    Column("indicator_value", Float),
    Column("signal", Text),
    Column("timeframe", Text),
    Column("calculation_timestamp", UTCDateTime, nullable=False),
    Column("metadata", Text),
    created_at(),
    Column("cycle_id", String(64)),
    CheckConstraint(f"signal IS NULL OR {one_of('signal', t.SignalLabel)}", name="signal"),
    Index("idx_technical_symbol", "symbol"),
    Index("idx_technical_indicator", "indicator_name"),
    Index("ix_technical_indicators_cycle_id", "cycle_id"),
)

news_sentiment = Table(
    "news_sentiment",
    metadata,
    id_pk(),
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
    created_at(),
    Column("cycle_id", String(64)),
    CheckConstraint(
        "sentiment_score IS NULL OR (sentiment_score >= -1 AND sentiment_score <= 1)", name="score"
    ),
    CheckConstraint(
        f"sentiment_label IS NULL OR {one_of('sentiment_label', t.SentimentLabel)}", name="label"
    ),
    CheckConstraint(unit_or_null("relevance_score"), name="relevance"),
    CheckConstraint(unit_or_null("impact_score"), name="impact"),
    Index("idx_news_symbol", "symbol"),
    Index("idx_news_date", "article_date"),
    Index("ix_news_sentiment_cycle_id", "cycle_id"),
)

# ---------------------------------------------------------------- machine learning (seed)

ml_predictions = Table(
    "ml_predictions",
    metadata,
    id_pk(),
    Column("symbol", Text, nullable=False),
    Column("model_name", Text, nullable=False),
    Column("model_version", Text),
    Column("prediction_type", Text, nullable=False),
    Column("prediction_value", Float),
    Column("confidence", Float),
    Column("features_used", Text),
    Column("prediction_timestamp", UTCDateTime, nullable=False),
    Column("metadata", Text),
    created_at(),
    Column("cycle_id", String(64)),
    CheckConstraint(one_of("prediction_type", t.PredictionType), name="prediction_type"),
    CheckConstraint(unit_or_null("confidence"), name="confidence"),
    Index("idx_ml_symbol", "symbol"),
    Index("idx_ml_model", "model_name"),
    Index("ix_ml_predictions_cycle_id", "cycle_id"),
)

ml_models = Table(
    "ml_models",
    metadata,
    id_pk(),
    Column("model_name", Text, nullable=False),
    Column("model_data", LargeBinary),
    created_at(),
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
    id_pk(),
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
    created_at(),
    Column("cycle_id", String(64)),
    Column("score", Float),
    CheckConstraint(unit_or_null("confidence_score"), name="confidence"),
    CheckConstraint("position_size IS NULL OR position_size >= 0", name="position_size"),
    Index("idx_strategy_symbol", "symbol"),
    Index("idx_strategy_name", "strategy_name"),
    Index("ix_strategy_evaluations_cycle_id", "cycle_id"),
)

risk_metrics = Table(
    "risk_metrics",
    metadata,
    id_pk(),
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
    created_at(),
    Column("cycle_id", String(64)),
    Column("decision", String(8)),
    Column("reason", String(64)),
    CheckConstraint("decision IS NULL OR decision IN ('approve', 'deny')", name="decision"),
    Index("idx_risk_timestamp", "calculation_timestamp"),
    Index("ix_risk_metrics_cycle_id", "cycle_id"),
)
