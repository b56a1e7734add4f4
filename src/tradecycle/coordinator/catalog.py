"""The seed's services: their ports, the phases each one runs and the routers it serves.

In one process every router is mounted and every phase runs locally. Split into
processes, each service serves its own routers plus the phase endpoint for its
phases, and the coordinator calls it through the registry. The order here is the
start order (dependencies first); ports are the seed's, offset from a base port.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradecycle.errors import ConfigError

from .phases import PHASE_NAMES


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port_offset: int
    phases: tuple[str, ...]
    routers: tuple[str, ...]
    dashboard: bool = False


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("coordination", 0, (), ("coordination",)),
    ServiceSpec("scanner", 1, ("scan",), ("analysis",)),
    ServiceSpec("pattern_analysis", 2, ("patterns",), ("analysis",)),
    ServiceSpec("technical_analysis", 3, ("technicals", "ml", "strategy"), ("analysis", "ml")),
    ServiceSpec("paper_trading", 5, ("fills", "exits", "risk", "execution", "portfolio"), ("trading",)),
    ServiceSpec("pattern_recognition", 6, (), ("analysis",)),
    ServiceSpec("news", 8, ("news",), ("news",)),
    ServiceSpec("reporting", 9, (), ("reporting",)),
    ServiceSpec("web_dashboard", 10, (), ("dashboard_data", "reporting", "coordination"), dashboard=True),
)
SERVICE_NAMES = tuple(spec.name for spec in SERVICES)


def service(name: str) -> ServiceSpec:
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise ConfigError(f"unknown service {name!r}; the services are: {', '.join(SERVICE_NAMES)}")


def service_for_phase(phase: str) -> ServiceSpec:
    for spec in SERVICES:
        if phase in spec.phases:
            return spec
    raise ConfigError(f"no service runs phase {phase!r}")


def _check_every_phase_has_a_service() -> None:
    owned = [phase for spec in SERVICES for phase in spec.phases]
    missing = set(PHASE_NAMES) - set(owned)
    if missing or len(owned) != len(set(owned)):
        raise RuntimeError(f"service catalog out of step with the phases: missing {sorted(missing)}")


_check_every_phase_has_a_service()
