"""Cycle analysis (durations, phase failure rates) and system health (services, heartbeats)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, func, select

from tradecycle.adapters.store import schema as s
from tradecycle.config import SettingsModel
from tradecycle.core.types import CycleStatus, PhaseStatus

from .curve import count_rows

# ---------------------------------------------------------------- cycle analysis


@dataclass(frozen=True)
class PhaseStats:
    phase: str
    runs: int
    failures: int
    failure_rate: float
    mean_seconds: float | None
    p95_seconds: float | None
    max_seconds: float | None
    mean_items: float | None


@dataclass(frozen=True)
class CycleError:
    cycle_id: str
    phase: str | None
    message: str | None


@dataclass(frozen=True)
class CycleAnalysis:
    cycles: int
    completed: int
    failed: int
    running: int
    success_rate: float | None
    mean_duration_seconds: float | None
    p95_duration_seconds: float | None
    first_as_of: datetime | None
    last_as_of: datetime | None
    phases: tuple[PhaseStats, ...]
    recent_errors: tuple[CycleError, ...]


def recent_cycle_ids(limit: int):
    c = s.trading_cycles
    return (
        select(c.c.cycle_id)
        .order_by(func.coalesce(c.c.as_of, c.c.start_time).desc(), c.c.id.desc())
        .limit(limit)
    )


def cycle_analysis(conn: Connection, settings: SettingsModel, last: int | None = None) -> CycleAnalysis:
    """Status counts, durations and per-phase failure rates of the last `last` cycles."""
    last = last or settings.reporting.recent_cycles
    c, w, m = s.trading_cycles, s.workflow_tracking, s.workflow_metrics
    ids = recent_cycle_ids(last).subquery()
    cycles = conn.execute(
        select(c.c.cycle_id, c.c.status, c.c.as_of, c.c.error_message, m.c.total_duration_seconds)
        .select_from(c.outerjoin(m, m.c.cycle_id == c.c.cycle_id))
        .where(c.c.cycle_id.in_(select(ids.c.cycle_id)))
        .order_by(c.c.id)
    ).all()
    phases = conn.execute(
        select(
            w.c.cycle_id, w.c.phase, w.c.status, w.c.duration_seconds, w.c.items_processed, w.c.error_message
        )
        .where(w.c.cycle_id.in_(select(ids.c.cycle_id)))
        .order_by(w.c.start_time, w.c.id)
    ).all()
    by_status = {status.value: 0 for status in CycleStatus}
    for row in cycles:
        by_status[row.status] = by_status.get(row.status, 0) + 1
    durations = np.array([r.total_duration_seconds for r in cycles if r.total_duration_seconds is not None])
    finished = by_status["completed"] + by_status["failed"]
    as_ofs = [r.as_of for r in cycles if r.as_of is not None]
    phase_errors = {r.cycle_id: r for r in phases if r.status == PhaseStatus.FAILED.value}
    errors = tuple(
        CycleError(r.cycle_id, getattr(phase_errors.get(r.cycle_id), "phase", None), r.error_message)
        for r in sorted(cycles, key=lambda r: (r.as_of is None, r.as_of), reverse=True)
        if r.status == CycleStatus.FAILED.value
    )[:10]
    return CycleAnalysis(
        cycles=len(cycles),
        completed=by_status["completed"],
        failed=by_status["failed"],
        running=by_status["running"],
        success_rate=by_status["completed"] / finished if finished else None,
        mean_duration_seconds=float(durations.mean()) if durations.size else None,
        p95_duration_seconds=float(np.percentile(durations, 95)) if durations.size else None,
        first_as_of=min(as_ofs) if as_ofs else None,
        last_as_of=max(as_ofs) if as_ofs else None,
        phases=_phase_stats(phases),
        recent_errors=errors,
    )


def _phase_stats(rows) -> tuple[PhaseStats, ...]:
    order: dict[str, list] = {}
    for row in rows:
        order.setdefault(row.phase, []).append(row)
    stats = []
    for phase, runs in order.items():
        seconds = np.array(
            [r.duration_seconds for r in runs if r.duration_seconds is not None], dtype=np.float64
        )
        items = np.array([r.items_processed for r in runs if r.items_processed is not None], dtype=np.float64)
        failures = sum(1 for r in runs if r.status == PhaseStatus.FAILED.value)
        stats.append(
            PhaseStats(
                phase=phase,
                runs=len(runs),
                failures=failures,
                failure_rate=failures / len(runs),
                mean_seconds=float(seconds.mean()) if seconds.size else None,
                p95_seconds=float(np.percentile(seconds, 95)) if seconds.size else None,
                max_seconds=float(seconds.max()) if seconds.size else None,
                mean_items=float(items.mean()) if items.size else None,
            )
        )
    return tuple(stats)


# ---------------------------------------------------------------- system health


@dataclass(frozen=True)
class ServiceHealth:
    service_name: str
    host: str
    port: int
    status: str
    last_heartbeat: datetime | None
    seconds_since_heartbeat: float | None
    stale: bool
    metadata: dict


@dataclass(frozen=True)
class SystemHealth:
    status: str
    checked_at: datetime
    database: str
    services: tuple[ServiceHealth, ...]
    last_cycle_id: str | None
    last_cycle_status: str | None
    last_cycle_as_of: datetime | None
    running_cycles: int
    recent_failure_rate: float | None
    problems: tuple[str, ...]


def system_health(conn: Connection, settings: SettingsModel, now: datetime) -> SystemHealth:
    """Services and their heartbeats, the last cycle, and what looks wrong ('healthy' if nothing)."""
    limit = settings.distributed.heartbeat_seconds * settings.reporting.stale_heartbeat_multiple
    services = []
    for row in conn.execute(
        select(s.service_coordination).order_by(s.service_coordination.c.service_name)
    ).mappings():
        age = (now - row["last_heartbeat"]).total_seconds() if row["last_heartbeat"] else None
        stale = row["status"] == "running" and (age is None or age > limit)
        services.append(
            ServiceHealth(
                service_name=row["service_name"],
                host=row["host"],
                port=row["port"],
                status=row["status"],
                last_heartbeat=row["last_heartbeat"],
                seconds_since_heartbeat=age,
                stale=stale,
                metadata=_json_dict(row["metadata"]),
            )
        )
    c = s.trading_cycles
    last = conn.execute(
        select(c.c.cycle_id, c.c.status, c.c.as_of).where(c.c.cycle_id.in_(recent_cycle_ids(1)))
    ).first()
    running = count_rows(conn, select(func.count()).where(c.c.status == CycleStatus.RUNNING.value))
    recent = cycle_analysis(conn, settings)
    failure_rate = (
        recent.failed / (recent.completed + recent.failed) if recent.completed + recent.failed else None
    )
    problems = [
        f"service {sv.service_name} on {sv.host}:{sv.port} missed its heartbeat"
        for sv in services
        if sv.stale
    ]
    problems += [
        f"service {sv.service_name} reports status '{sv.status}'" for sv in services if sv.status == "error"
    ]
    if last is not None and last.status == CycleStatus.FAILED.value:
        problems.append(f"the last cycle {last.cycle_id} failed")
    if failure_rate is not None and failure_rate > 0.2:
        problems.append(f"{failure_rate:.0%} of the last {recent.cycles} cycles failed")
    if not problems:
        status = "healthy"
    elif any("failed" in p for p in problems) and (failure_rate or 0) > 0.5:
        status = "unhealthy"
    else:
        status = "degraded"
    return SystemHealth(
        status=status,
        checked_at=now,
        database=conn.dialect.name,
        services=tuple(services),
        last_cycle_id=last.cycle_id if last else None,
        last_cycle_status=last.status if last else None,
        last_cycle_as_of=last.as_of if last else None,
        running_cycles=running,
        recent_failure_rate=failure_rate,
        problems=tuple(problems),
    )


def _json_dict(raw: str | None) -> dict:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {"raw": raw}
    return value if isinstance(value, dict) else {"value": value}
