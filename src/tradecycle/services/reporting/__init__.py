"""Reports read from the database: daily summary, performance, patterns, cycles, health.

Everything here is read-only and derived from recorded rows, so a report on a
replayed database says exactly what the replay did. The equity curve is one point
per session (the last portfolio mark of each New York trading day), which is what
the annualisation in core.metrics (settings.reporting.periods_per_year) assumes.
Functions return frozen dataclasses; the CLI prints them, the API serialises them.
"""

from __future__ import annotations

from .curve import EquityCurve, default_account, load_equity_curve
from .cycles import CycleAnalysis, PhaseStats, ServiceHealth, SystemHealth, cycle_analysis, system_health
from .daily import DailySummary, DayPnl, daily_summary
from .patterns import PatternStats, pattern_effectiveness
from .performance import PerformanceReport, trading_performance

__all__ = [
    "CycleAnalysis",
    "DailySummary",
    "DayPnl",
    "EquityCurve",
    "PatternStats",
    "PerformanceReport",
    "PhaseStats",
    "ServiceHealth",
    "SystemHealth",
    "cycle_analysis",
    "daily_summary",
    "default_account",
    "load_equity_curve",
    "pattern_effectiveness",
    "system_health",
    "trading_performance",
]
