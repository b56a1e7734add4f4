"""The coordination service's endpoints: health, the service registry, starting a
cycle and the cycle history (the seed's coordination_service, port 5000)."""

from __future__ import annotations

import threading
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select, text

from tradecycle.adapters.store import schema as s
from tradecycle.coordinator import registry
from tradecycle.coordinator.clock import WallClock
from tradecycle.core.types import CycleStatus

from ..deps import Authorized, Ctx
from ..pagination import Page, Paging, paginate
from ..times import AwareUtcTime, UtcTime

router = APIRouter(tags=["coordination"])

_cycle_lock = threading.Lock()


class ServiceRegistration(BaseModel):
    service_name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    host: str = Field(min_length=1, max_length=255)
    port: int = Field(ge=1, le=65535)
    metadata: dict[str, Any] = Field(default_factory=dict)


class CycleRequest(BaseModel):
    at: AwareUtcTime | None = Field(
        None,
        description="run the cycle as of this time; default: the session after the newest completed cycle",
    )


@router.get("/health")
def health(ctx: Ctx) -> dict[str, Any]:
    """Liveness and the database's reachability."""
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised: health must answer
        database = f"unreachable: {type(exc).__name__}"
    from tradecycle import __version__

    return {"status": "ok" if database == "ok" else "degraded", "database": database, "version": __version__}


@router.post("/register_service", dependencies=[Authorized])
def register_service(body: ServiceRegistration, ctx: Ctx) -> dict[str, Any]:
    """Register (or re-register) a service with its host and port; it counts as alive from now."""
    with ctx.engine.begin() as conn:
        info = registry.register(
            conn, body.service_name, WallClock().now(), body.host, body.port, body.metadata
        )
    return {"service_name": info.service_name, "status": info.status, "host": info.host, "port": info.port}


@router.get("/service_status")
def service_status(ctx: Ctx) -> dict[str, Any]:
    """Every registered service, with whether its heartbeat is stale."""
    now = WallClock().now()
    settings = ctx.settings
    with ctx.engine.connect() as conn:
        found = registry.services(conn)
    return {
        "services": [
            {
                "service_name": svc.service_name,
                "host": svc.host,
                "port": svc.port,
                "status": svc.status,
                "last_heartbeat": svc.last_heartbeat,
                "start_time": svc.start_time,
                "stale": svc.status == "running"
                and svc.is_stale(
                    now, settings.distributed.heartbeat_seconds, settings.reporting.stale_heartbeat_multiple
                ),
            }
            for svc in found
        ]
    }


@router.post("/start_trading_cycle", dependencies=[Authorized])
def start_trading_cycle(ctx: Ctx, body: CycleRequest | None = None) -> dict[str, Any]:
    """Run one cycle now and return its outcome; 409 while another cycle runs in this process."""
    from tradecycle.coordinator.live import run_next, run_once

    if not _cycle_lock.acquire(blocking=False):
        raise HTTPException(status.HTTP_409_CONFLICT, "a cycle is already running")
    try:
        wall = WallClock()
        at = body.at if body is not None else None
        if at is None:
            outcome = run_next(ctx.engine, ctx.settings, wall)
        else:
            outcome = run_once(ctx.engine, ctx.settings, wall, at=at.astimezone(UTC))
    finally:
        _cycle_lock.release()
    return {
        "cycle_id": outcome.cycle_id,
        "as_of": outcome.as_of,
        "status": outcome.status.value,
        "skipped": outcome.skipped,
        "error": outcome.error,
        "totals": outcome.totals,
        "phases": [
            {"phase": p.phase, "status": p.status.value, "seconds": p.duration} for p in outcome.phases
        ],
    }


@router.get("/trading_cycles", response_model=Page)
def trading_cycles(
    ctx: Ctx,
    page: Paging,
    status_filter: Annotated[
        CycleStatus | None, Query(alias="status", description="only cycles in this status")
    ] = None,
    since: Annotated[UtcTime | None, Query(description="only cycles as of this time or later")] = None,
) -> Page:
    """Cycle history, newest first."""
    table = s.trading_cycles
    query = select(table).order_by(table.c.as_of.desc(), table.c.id.desc())
    if status_filter is not None:
        query = query.where(table.c.status == status_filter.value)
    if since is not None:
        query = query.where(table.c.as_of >= since)
    with ctx.engine.connect() as conn:
        return paginate(conn, query, page)
