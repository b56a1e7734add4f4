"""Scan phase: pick this cycle's candidates from the whole universe and record why.

Writes one scanning_results row per candidate, with every criterion (passed or not)
and its value in metadata, so a user can see exactly why a symbol was chosen.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from tradecycle.adapters.store import schema
from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.core.features import FeaturePanel
from tradecycle.core.panel import BarPanel
from tradecycle.core.scan import FEATURES, ScanOutcome, scan
from tradecycle.core.types import Candidate
from tradecycle.services.analysis import dump_json, scan_params
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.services.prefetched import prefetched


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def scan_panel(
    panel: BarPanel, features: FeaturePanel, settings
) -> tuple[list[Candidate], ScanOutcome | None]:
    """Candidates at the panel's last session (none if the panel is empty)."""
    if panel.n_sessions == 0:
        return [], None
    snapshot = features.snapshot(names=FEATURES)
    outcome = scan(panel.close[:, -1], panel.volume[:, -1], snapshot, panel.symbols, scan_params(settings))
    candidates = []
    for rank, row in enumerate(outcome.rows.tolist()):
        values = {k: _finite(v[row]) for k, v in outcome.values.items()}
        values["score"] = float(outcome.scores[row])
        values["rank"] = float(rank + 1)
        candidates.append(
            Candidate(
                symbol=str(panel.symbols[row]),
                scan_type=outcome.scan_types[rank],
                price=float(panel.close[row, -1]),
                volume=float(panel.volume[row, -1]),
                change_percent=float(snapshot["change_pct"][row]),
                relative_volume=float(snapshot["rel_volume"][row]),
                criteria={k: bool(v[row]) for k, v in outcome.criteria.items()},
                values=values,
            )
        )
    return candidates, outcome


def candidate_rows(candidates: list[Candidate], cycle_id: str | None, now) -> list[dict]:
    return [
        {
            "symbol": c.symbol,
            "scan_timestamp": now,
            "price": c.price,
            "volume": int(c.volume),
            "change_percent": _finite(c.change_percent),
            "relative_volume": _finite(c.relative_volume),
            "market_cap": None,
            "scan_type": c.scan_type.value,
            "metadata": dump_json({"criteria": c.criteria, "values": c.values}),
            "created_at": now,
            "cycle_id": cycle_id,
        }
        for c in candidates
    ]


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    ahead = prefetched(ctx)
    if ahead is not None:
        candidates = list(ahead.candidates)
    else:
        candidates, _ = scan_panel(ctx.panel, ctx.features, ctx.settings)
    ctx.candidates = candidates
    written = insert_rows(conn, schema.scanning_results, candidate_rows(candidates, ctx.cycle_id, ctx.now))
    return PhaseResult(
        processed=ctx.panel.n_symbols,
        succeeded=written,
        metadata={"candidates": [c.symbol for c in candidates]},
    )
