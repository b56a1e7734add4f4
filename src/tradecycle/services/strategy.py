"""Strategy phase: run the configured strategy and record every evaluation.

Writes one strategy_evaluations row per symbol the strategy judged (position_size is
left NULL: the risk phase sizes), and puts the actionable signals on ctx.signals.
"""

from __future__ import annotations

import math

from sqlalchemy import Connection

from tradecycle.adapters.store import schema
from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.services.analysis import dump_json
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.strategies import Evaluation, get_strategy


def _finite(value: float) -> float | None:
    """NULL for a value that is not defined (e.g. a held symbol without a bar this session)."""
    return value if math.isfinite(value) else None


def evaluation_rows(
    evaluations: list[Evaluation], strategy_name: str, cycle_id: str | None, now
) -> list[dict]:
    return [
        {
            "symbol": e.symbol,
            "strategy_name": strategy_name,
            "entry_signal": e.label,
            "entry_price": _finite(e.entry),
            "stop_loss": _finite(e.stop),
            "target_price": _finite(e.target),
            "risk_reward_ratio": _finite(e.reward_risk),
            "expected_return": _finite(e.expected_return),
            "confidence_score": e.confidence,
            "evaluation_timestamp": now,
            "metadata": dump_json(
                {
                    "components": e.components,
                    "reasons": list(e.reasons),
                    "checks": e.checks,
                    "signal": e.signal.side.value if e.signal else None,
                }
            ),
            "created_at": now,
            "cycle_id": cycle_id,
            "score": e.score,
        }
        for e in evaluations
    ]


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    strategy = get_strategy(ctx.settings)
    evaluations = strategy.evaluate(ctx)
    ctx.signals = [e.signal for e in evaluations if e.signal is not None]
    written = insert_rows(
        conn, schema.strategy_evaluations, evaluation_rows(evaluations, strategy.name, ctx.cycle_id, ctx.now)
    )
    return PhaseResult(
        processed=len(evaluations),
        succeeded=written,
        metadata={"strategy": strategy.name, "signals": [f"{s.side.value} {s.symbol}" for s in ctx.signals]},
    )
