"""The phases of one cycle, in order, and where each one lives.

Phases are looked up by module path so the coordinator depends on each service
only through its `run_phase(conn, ctx) -> PhaseResult` contract. Fills of orders
placed by earlier cycles come first (they fill against the newest bar), exits
after the strategy (an opposite signal closes a position), the portfolio mark last.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from tradecycle.config import SettingsModel
from tradecycle.errors import ConfigError
from tradecycle.services.context import CycleContext, PhaseResult

PhaseFn = Callable[[Connection, CycleContext], PhaseResult]

PHASE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("fills", "tradecycle.services.execution", "run_fills_phase"),
    ("scan", "tradecycle.services.scanner", "run_phase"),
    ("news", "tradecycle.services.news", "run_phase"),
    ("patterns", "tradecycle.services.patterns", "run_phase"),
    ("technicals", "tradecycle.services.technicals", "run_phase"),
    ("ml", "tradecycle.services.ml", "run_phase"),
    ("strategy", "tradecycle.services.strategy", "run_phase"),
    ("exits", "tradecycle.services.exits", "run_phase"),
    ("risk", "tradecycle.services.risk", "run_phase"),
    ("execution", "tradecycle.services.execution", "run_phase"),
    ("portfolio", "tradecycle.services.portfolio", "run_phase"),
)
PHASE_NAMES = tuple(name for name, _, _ in PHASE_TABLE)


@dataclass(frozen=True)
class Phase:
    """A phase run here (`run`) or by its service over HTTP (`remote(ctx, attempt, retry_count)`)."""

    name: str
    run: PhaseFn | None
    remote: Callable[..., Any] | None = None


def enabled_phase_names(settings: SettingsModel) -> tuple[str, ...]:
    """Phases this configuration runs: news and ML can be switched off, and with
    strategy.analysis = "read" the analysis phases the strategy does not read are left out."""
    from tradecycle.strategies import ANALYSIS_PHASES, strategy_class

    skipped = set()
    if not settings.ml.enabled:
        skipped.add("ml")
    if not settings.news.sources:
        skipped.add("news")
    if settings.strategy.analysis == "read":
        skipped |= ANALYSIS_PHASES - strategy_class(settings).reads
    return tuple(name for name in PHASE_NAMES if name not in skipped)


def load_phases(
    settings: SettingsModel, local: bool = False, engine: Any = None, wall: Any = None
) -> list[Phase]:
    """The enabled phases; in distributed mode (unless `local`) each calls its service."""
    wanted = set(enabled_phase_names(settings))
    if settings.distributed.mode == "remote" and not local:
        from .remote import RemotePhase

        if engine is None or engine.dialect.name != "postgresql":
            raise ConfigError(
                "distributed.mode = 'remote' needs PostgreSQL: services in several processes share it"
            )
        return [
            Phase(name, None, RemotePhase(name, engine, settings, wall))
            for name in PHASE_NAMES
            if name in wanted
        ]
    phases = []
    for name, module_path, attr in PHASE_TABLE:
        if name not in wanted:
            continue
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as exc:
            raise ConfigError(f"phase {name!r} needs {module_path}, which cannot be imported: {exc}") from exc
        phases.append(Phase(name, getattr(module, attr)))
    return phases
