"""What one trading cycle carries from phase to phase.

The coordinator builds a CycleContext per cycle and hands it to each phase's
`run_phase(conn, ctx)`. Every market-data field on it is already "as of" the
cycle's clock: `panel` holds only sessions complete at `now`, and `features`
(precomputed causal indicator arrays, see tradecycle.services.analysis) is cut
to the same sessions. Phases add their typed outputs to the context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tradecycle.config import SettingsModel
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import (
    Candidate,
    IndicatorReading,
    PatternHit,
    Prediction,
    SentimentReading,
    Signal,
)


@dataclass
class CycleContext:
    cycle_id: str
    now: datetime
    settings: SettingsModel
    panel: BarPanel
    account_id: int
    sectors: dict[str, str] = field(default_factory=dict)
    features: Any = None
    candidates: list[Candidate] = field(default_factory=list)
    sentiment: list[SentimentReading] = field(default_factory=list)
    patterns: list[PatternHit] = field(default_factory=list)
    indicators: list[IndicatorReading] = field(default_factory=list)
    predictions: list[Prediction] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    approved: list[Any] = field(default_factory=list)
    orders: list[Any] = field(default_factory=list)
    fills: list[Any] = field(default_factory=list)
    # the account's portfolio snapshots before `now`, once read (risk and portfolio both need them)
    equity_history: Any = None
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def session_index(self) -> int:
        """Index of the newest complete session in the panel (-1 if none)."""
        return self.panel.n_sessions - 1


@dataclass(frozen=True)
class PhaseResult:
    processed: int = 0
    succeeded: int = 0
    failed: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
