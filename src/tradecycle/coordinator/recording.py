"""What the coordinator writes about a cycle: trading_cycles, workflow_tracking,
workflow_events and workflow_metrics.

A phase's tracking row and events are written in the same transaction as the
phase's own rows, so a crash leaves either a completed phase with its data or
nothing; the cycle row itself is written first so that a dead process leaves a
'running' cycle behind for the next start to find.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.bulk import insert_rows, insert_together
from tradecycle.core.types import CycleStatus, PhaseStatus

# Rows a cycle derives from market data alone; a retried cycle recomputes them.
DERIVED_TABLES = (
    s.scanning_results,
    s.pattern_analysis,
    s.technical_indicators,
    s.news_sentiment,
    s.ml_predictions,
    s.strategy_evaluations,
    s.risk_metrics,
    s.portfolio_status,
)


@dataclass(frozen=True)
class PhaseRecord:
    phase: str
    status: PhaseStatus
    start: datetime
    end: datetime
    duration: float
    processed: int = 0
    succeeded: int = 0
    failed: int = 0
    error: str | None = None
    retry_count: int = 0
    metadata: dict | None = None


def process_identity() -> dict[str, object]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def cycle_row(conn: Connection, cycle_id: str):
    return (
        conn.execute(select(s.trading_cycles).where(s.trading_cycles.c.cycle_id == cycle_id))
        .mappings()
        .first()
    )


_LOOK_UP: Any = object()
_NEW_CYCLE_KEYS = ("cycle_id", "status", "start_time", "as_of", "mode", "metadata")
# A new cycle's row in one statement where the dialect can skip an existing one.
CLAIM_CYCLE = {
    name: dialect.insert(s.trading_cycles)
    .values({key: bindparam(key) for key in _NEW_CYCLE_KEYS})
    .on_conflict_do_nothing(index_elements=["cycle_id"])
    .returning(s.trading_cycles.c.id)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


def claim_cycle(conn: Connection, cycle_id: str, as_of: datetime, started: datetime, mode: str) -> Any:
    """Write the cycle's row, running, if it has none (returns None); else return its row,
    for `open_cycle` to reopen or the caller to skip. One statement for a new cycle."""
    claim = CLAIM_CYCLE[conn.dialect.name]  # the two databases tradecycle runs on
    values = _new_cycle_row(cycle_id, as_of, started, mode)
    return None if conn.execute(claim, values).first() is not None else cycle_row(conn, cycle_id)


def _new_cycle_row(cycle_id: str, as_of: datetime, started: datetime, mode: str) -> dict[str, Any]:
    return {
        "cycle_id": cycle_id,
        "status": CycleStatus.RUNNING.value,
        "start_time": started,
        "as_of": as_of,
        "mode": mode,
        "metadata": json.dumps({"process": process_identity(), "attempt": 1}),
    }


def open_cycle(
    conn: Connection, cycle_id: str, as_of: datetime, started: datetime, mode: str, existing: Any = _LOOK_UP
) -> int:
    """Create the cycle row, or reopen a failed one for a retry. Returns the attempt number (1-based).

    `existing` is the cycle's row (None if there is none) when the caller has just read it.
    """
    if existing is _LOOK_UP:
        existing = cycle_row(conn, cycle_id)
    if existing is None:
        conn.execute(s.trading_cycles.insert().values(_new_cycle_row(cycle_id, as_of, started, mode)))
        return 1
    meta: dict[str, Any] = {"process": process_identity(), "attempt": 1}
    previous = json.loads(existing["metadata"] or "{}")
    attempt = int(previous.get("attempt", 1)) + 1
    history = previous.get("previous_attempts", [])
    history.append(
        {
            "status": existing["status"],
            "error": existing["error_message"],
            "start": str(existing["start_time"]),
        }
    )
    meta.update(attempt=attempt, previous_attempts=history)
    for table in DERIVED_TABLES:
        conn.execute(delete(table).where(table.c.cycle_id == cycle_id))
    conn.execute(delete(s.workflow_metrics).where(s.workflow_metrics.c.cycle_id == cycle_id))
    conn.execute(
        update(s.trading_cycles)
        .where(s.trading_cycles.c.cycle_id == cycle_id)
        .values(
            status=CycleStatus.RUNNING.value,
            start_time=started,
            end_time=None,
            error_message=None,
            error_count=0,
            mode=mode,
            metadata=json.dumps(meta),
        )
    )
    return attempt


def previous_retries(conn: Connection, cycle_id: str) -> dict[str, int]:
    rows = conn.execute(
        select(s.workflow_tracking.c.phase, s.workflow_tracking.c.retry_count).where(
            s.workflow_tracking.c.cycle_id == cycle_id
        )
    )
    return {phase: int(count or 0) + 1 for phase, count in rows}


def record_phase(conn: Connection, cycle_id: str, rec: PhaseRecord, replace: bool = True) -> None:
    """The phase's tracking row and its start/end events; `replace=False` when no earlier
    attempt of this cycle can have recorded the phase (saves a DELETE per phase)."""
    t = s.workflow_tracking
    if replace:
        conn.execute(delete(t).where(t.c.cycle_id == cycle_id, t.c.phase == rec.phase))
    tracking = [
        dict(
            cycle_id=cycle_id,
            phase=rec.phase,
            status=rec.status.value,
            start_time=rec.start,
            end_time=rec.end,
            duration_seconds=rec.duration,
            items_processed=rec.processed,
            items_succeeded=rec.succeeded,
            items_failed=rec.failed,
            error_message=rec.error,
            retry_count=rec.retry_count,
            metadata=json.dumps(rec.metadata or {}, default=str),
        )
    ]
    events = [
        {
            "cycle_id": cycle_id,
            "phase": rec.phase,
            "event_type": "start",
            "event_data": None,
            "timestamp": rec.start,
        },
        {
            "cycle_id": cycle_id,
            "phase": rec.phase,
            "event_type": "complete" if rec.status is PhaseStatus.COMPLETED else "error",
            "event_data": json.dumps(
                {
                    "processed": rec.processed,
                    "succeeded": rec.succeeded,
                    "failed": rec.failed,
                    "error": rec.error,
                }
            ),
            "timestamp": rec.end,
        },
    ]
    insert_together(conn, [(t, tracking), (s.workflow_events, events)])  # one round trip on PostgreSQL


# Built once: a statement built per call costs more than running it (a cycle closes once).
CLOSE_CYCLE = update(s.trading_cycles).where(s.trading_cycles.c.cycle_id == bindparam("b_cycle_id"))


def close_cycle(
    conn: Connection,
    cycle_id: str,
    status: CycleStatus,
    started: datetime,
    ended: datetime,
    records: list[PhaseRecord],
    totals: dict[str, int],
    error: str | None = None,
) -> None:
    errors = sum(1 for r in records if r.status is PhaseStatus.FAILED)
    conn.execute(
        CLOSE_CYCLE,
        {
            "b_cycle_id": cycle_id,
            "status": status.value,
            "end_time": ended,
            "securities_scanned": totals.get("securities_scanned", 0),
            "patterns_found": totals.get("patterns_found", 0),
            "trades_executed": totals.get("trades_executed", 0),
            "error_count": errors,
            "error_message": error,
        },
    )
    completed = sum(1 for r in records if r.status is PhaseStatus.COMPLETED)
    metrics = {
        "cycle_id": cycle_id,
        "status": status.value,
        "start_time": started,
        "end_time": ended,
        "total_duration_seconds": sum(r.duration for r in records),
        "securities_scanned": totals.get("securities_scanned", 0),
        "patterns_detected": totals.get("patterns_found", 0),
        "signals_generated": totals.get("signals_generated", 0),
        "trades_executed": totals.get("trades_executed", 0),
        "success_rate": completed / len(records) if records else 0.0,
        "error_count": errors,
    }
    insert_rows(conn, s.workflow_metrics, [metrics])


def fail_orphaned_cycles(conn: Connection, now: datetime, is_alive) -> list[str]:
    """Mark cycles left 'running' by a dead process as failed, with the reason.

    `is_alive(host, pid)` says whether the process that opened a cycle still runs;
    a cycle opened on another host is left alone (its own host recovers it).
    """
    rows = conn.execute(
        select(s.trading_cycles.c.cycle_id, s.trading_cycles.c.metadata)
        .where(s.trading_cycles.c.status == CycleStatus.RUNNING.value)
        .order_by(s.trading_cycles.c.id)
    ).all()
    failed = []
    for cycle_id, raw in rows:
        proc = json.loads(raw or "{}").get("process", {})
        host, pid = proc.get("host"), proc.get("pid")
        if host not in (None, socket.gethostname()) or (pid is not None and is_alive(host, pid)):
            continue
        reason = f"orphaned: process {pid} on {host} died while the cycle was running"
        conn.execute(
            update(s.trading_cycles)
            .where(s.trading_cycles.c.cycle_id == cycle_id)
            .values(status=CycleStatus.FAILED.value, end_time=now, error_message=reason, error_count=1)
        )
        conn.execute(
            s.workflow_events.insert().values(
                cycle_id=cycle_id,
                phase="cycle",
                event_type="orphaned",
                event_data=json.dumps({"reason": reason}),
                timestamp=now,
            )
        )
        failed.append(cycle_id)
    return failed


def pid_alive(host: str | None, pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(int(pid))


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True
