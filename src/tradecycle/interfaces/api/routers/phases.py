"""The phase endpoint a service serves when the coordinator runs in distributed mode."""

from __future__ import annotations

from fastapi import APIRouter, Path

from tradecycle.coordinator.clock import WallClock
from tradecycle.coordinator.phases import PHASE_NAMES
from tradecycle.coordinator.remote import PhaseCall, PhaseReply, ServiceData, serve_phase
from tradecycle.errors import NotFoundError

from ..deps import ApiContext, Authorized, Ctx

router = APIRouter(tags=["phases"])


def service_data(ctx: ApiContext) -> ServiceData:
    """Bars and features loaded once per process, on first use."""
    data = ctx.extras.get("service_data")
    if data is None:
        data = ctx.extras["service_data"] = ServiceData(ctx.engine, ctx.settings)
    return data


@router.post("/phases/{phase}", response_model=PhaseReply, dependencies=[Authorized])
def run_phase(
    ctx: Ctx,
    call: PhaseCall,
    phase: str = Path(description=f"one of: {', '.join(PHASE_NAMES)}"),
) -> PhaseReply:
    """Run one phase of a cycle here (idempotent per cycle, phase and attempt)."""
    if phase not in PHASE_NAMES:
        raise NotFoundError(f"unknown phase {phase!r}; phases are: {', '.join(PHASE_NAMES)}")
    served_by = ctx.extras.get("service_name", "tradecycle")
    return serve_phase(service_data(ctx), phase, call, WallClock(), served_by)
