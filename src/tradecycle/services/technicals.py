"""Technicals phase: one reading per candidate per indicator, with its BUY/SELL/NEUTRAL rule.

The rules live in tradecycle.core.indicators (documented there); this phase evaluates
them for all candidates at once from the precomputed features and writes
technical_indicators in one batch.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from tradecycle.adapters.store import schema
from tradecycle.adapters.store.bulk import insert_rows, to_json
from tradecycle.core.features import FeaturePanel
from tradecycle.core.indicators import RULES, indicator_rules
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import IndicatorReading, SignalLabel
from tradecycle.services.analysis import rule_params
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.services.prefetched import prefetched

_LABELS = {1: SignalLabel.BUY, 0: SignalLabel.NEUTRAL, -1: SignalLabel.SELL}
_LABEL_TEXT = {label: label.value for label in SignalLabel}
# metadata is the same per rule: serialise it once, not once per row (a replay writes ~400k rows)
_RULE_META = {rule.name: {"group": rule.group} for rule in RULES}
_RULE_META_JSON = {name: to_json(meta) for name, meta in _RULE_META.items()}


def symbol_rows(panel: BarPanel, symbols: list[str]) -> np.ndarray:
    index = {s: i for i, s in enumerate(panel.symbols.tolist())}
    return np.array([index[s] for s in symbols], dtype=np.intp)


def rule_matrix(
    panel: BarPanel, features: FeaturePanel, rows: np.ndarray, settings
) -> tuple[np.ndarray, np.ndarray]:
    """(values, signals) of every rule for `rows` at the panel's last session."""
    snapshot = features.snapshot(rows)
    return indicator_rules(snapshot, panel.close[rows, -1], rule_params(settings))


def readings_for(
    panel: BarPanel, features: FeaturePanel, symbols: list[str], settings
) -> list[IndicatorReading]:
    if not symbols or panel.n_sessions == 0:
        return []
    values, signals = rule_matrix(panel, features, symbol_rows(panel, symbols), settings)
    readings = []
    for i, symbol in enumerate(symbols):
        for j, rule in enumerate(RULES):
            value = float(values[i, j])
            if not np.isfinite(value):
                continue  # not defined yet (too little history): no reading rather than a fake one
            readings.append(
                IndicatorReading(
                    symbol=symbol,
                    name=rule.name,
                    value=value,
                    signal=_LABELS[int(signals[i, j])],
                    metadata=_RULE_META[rule.name],
                )
            )
    return readings


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    symbols = [c.symbol for c in ctx.candidates]
    ahead = prefetched(ctx)
    if ahead is not None and ahead.readings is not None and [c.symbol for c in ahead.candidates] == symbols:
        ctx.indicators = list(ahead.readings)
    else:
        ctx.indicators = readings_for(ctx.panel, ctx.features, symbols, ctx.settings)
    rows = [
        {
            "symbol": r.symbol,
            "indicator_name": r.name,
            "indicator_value": r.value,
            "signal": _LABEL_TEXT[r.signal],
            "timeframe": r.timeframe,
            "calculation_timestamp": ctx.now,
            "metadata": _RULE_META_JSON[r.name],
            "created_at": ctx.now,
            "cycle_id": ctx.cycle_id,
        }
        for r in ctx.indicators
    ]
    written = insert_rows(conn, schema.technical_indicators, rows)
    return PhaseResult(processed=len(symbols), succeeded=len(symbols), metadata={"readings": written})
