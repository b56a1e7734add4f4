"""System management (cycles, workflow, services, schedule) and the legacy tables kept on adoption."""

from __future__ import annotations

from sqlalchemy import (
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
)

from tradecycle.core import types as t

from .tables_base import created_at, id_pk, metadata, one_of
from .types import UTCDateTime, utc_now

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
    CheckConstraint(one_of("status", t.ServiceStatus), name="status"),
    CheckConstraint("port >= 0 AND port <= 65535", name="port"),
)

trading_cycles = Table(
    "trading_cycles",
    metadata,
    id_pk(),
    Column("cycle_id", Text, nullable=False, unique=True),
    Column("status", Text, nullable=False),
    Column("start_time", UTCDateTime),
    Column("end_time", UTCDateTime),
    Column("securities_scanned", Integer, server_default="0"),
    Column("patterns_found", Integer, server_default="0"),
    Column("trades_executed", Integer, server_default="0"),
    Column("error_count", Integer, server_default="0"),
    created_at(),
    Column("as_of", UTCDateTime),
    Column("mode", String(16)),
    Column("error_message", Text),
    Column("metadata", Text),
    CheckConstraint(one_of("status", t.CycleStatus), name="status"),
    Index("ix_trading_cycles_status", "status"),
    Index("ix_trading_cycles_as_of", "as_of"),
)

workflow_tracking = Table(
    "workflow_tracking",
    metadata,
    id_pk(),
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
    created_at(),
    UniqueConstraint("cycle_id", "phase"),
    CheckConstraint(one_of("status", t.PhaseStatus), name="status"),
    Index("idx_workflow_cycle", "cycle_id"),
    Index("idx_workflow_phase", "phase"),
)

workflow_events = Table(
    "workflow_events",
    metadata,
    id_pk(),
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
    id_pk(),
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
    created_at(),
    Column("metadata", Text),
    CheckConstraint(one_of("status", t.CycleStatus), name="status"),
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
    id_pk(),
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
    created_at(),
)

position_pl = Table(
    "position_pl",
    metadata,
    id_pk(),
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
    created_at(),
    Index("ix_position_pl_status", "status"),
)
