"""The database schema: SQLAlchemy Core metadata, the single source.

Every seed table keeps every seed column, name and meaning (SCHEMA.md); columns we
add come after them. Statuses are CHECKed against the enums of tradecycle.core.types.
"""

from __future__ import annotations

from .tables_analysis import (
    ml_models,
    ml_predictions,
    news_sentiment,
    pattern_analysis,
    risk_metrics,
    scanning_results,
    strategy_evaluations,
    technical_indicators,
)
from .tables_base import NAMING, metadata
from .tables_system import (
    pl_summary,
    position_pl,
    service_coordination,
    trading_cycles,
    trading_schedule_config,
    workflow_events,
    workflow_metrics,
    workflow_tracking,
)
from .tables_trading import (
    accounts,
    balance_history,
    market_data,
    order_history,
    orders,
    performance,
    portfolio_status,
    positions,
    symbols,
    trades,
    transactions,
    watchlist,
)

__all__ = [
    "NAMING",
    "metadata",
    "SEED_TABLES",
    "LEGACY_TABLES",
    "RETRY_REWRITTEN_TABLES",
    "accounts",
    "symbols",
    "watchlist",
    "market_data",
    "trades",
    "orders",
    "order_history",
    "positions",
    "portfolio_status",
    "transactions",
    "balance_history",
    "performance",
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
    "pl_summary",
    "position_pl",
]

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
