"""Phases run by other processes: the coordinator's HTTP client and the service's side.

The coordinator posts the cycle's state to the service that owns a phase (found in
the registry, live heartbeat only), with an idempotency key `cycle:phase:attempt`.
The service runs the phase in one transaction that also writes the phase's
workflow_tracking row, keyed and holding the resulting state, so a call retried
after a lost reply returns the recorded result instead of running the phase twice.
Calls retry with exponential backoff across instances; a service whose heartbeat
went stale is marked down and skipped.
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import Connection, Engine, select, text, update

from tradecycle.adapters.store import schema as s
from tradecycle.config import SettingsModel
from tradecycle.core.types import PhaseStatus, ServiceStatus
from tradecycle.errors import TradecycleError
from tradecycle.services.context import CycleContext

from . import recording, registry
from .catalog import service_for_phase
from .clock import Clock
from .wire import apply_state, encode_state

log = logging.getLogger(__name__)


class ServiceUnavailable(TradecycleError):
    exit_code = 7
    http_status = 503


class PhaseCall(BaseModel):
    cycle_id: str = Field(min_length=1, max_length=64)
    as_of: AwareDatetime
    account_id: int
    attempt: int = Field(ge=1)
    retry_count: int = Field(0, ge=0)
    symbols: list[str] = Field(min_length=1)
    held_symbols: list[str] = []
    benchmark_value: float | None = None
    state: dict[str, Any] = {}


class PhaseReply(BaseModel):
    phase: str
    status: PhaseStatus
    start: AwareDatetime
    end: AwareDatetime
    duration: float
    processed: int
    succeeded: int
    failed: int
    metadata: dict[str, Any] = {}
    state: dict[str, Any] = {}
    replayed: bool = False
    served_by: str = ""

    def record(self, retry_count: int, metadata: dict[str, Any]) -> recording.PhaseRecord:
        """The workflow_tracking record of this reply."""
        return recording.PhaseRecord(
            phase=self.phase,
            status=self.status,
            start=self.start,
            end=self.end,
            duration=self.duration,
            processed=self.processed,
            succeeded=self.succeeded,
            failed=self.failed,
            retry_count=retry_count,
            metadata=metadata,
        )


def idempotency_key(cycle_id: str, phase: str, attempt: int) -> str:
    return f"{cycle_id}:{phase}:{attempt}"


# ---------------------------------------------------------------- service side


@dataclass
class ServiceData:
    """The bars and features a service serves phases from: computed once per symbol set, cut per call."""

    engine: Engine
    settings: SettingsModel
    _source: Any = None
    _by_symbols: dict[tuple[str, ...], tuple[Any, Any]] = field(default_factory=dict)
    _sectors: dict[str, str] | None = None
    shared_cache: dict[str, Any] = field(default_factory=dict)

    def view(self, symbols: list[str], as_of: datetime) -> tuple[Any, Any]:
        from .features import compute_features
        from .replay import load_source_panel

        wanted = np.datetime64(as_of.astimezone(UTC).replace(tzinfo=None), "ns")
        stale = self._source is not None and self._source.closes_utc[-1] < wanted
        if self._source is None or (stale and self.settings.data.provider == "database"):
            self._source = load_source_panel(self.engine, self.settings)
            self._by_symbols.clear()
        key = tuple(symbols)
        if key not in self._by_symbols:
            if len(self._by_symbols) >= 2:
                self._by_symbols.clear()
            panel = self._source.select(symbols)
            self._by_symbols[key] = (panel, compute_features(panel, self.settings))
        panel, features = self._by_symbols[key]
        n = panel.visible_sessions(as_of)
        return panel.head(n), features.head(n)

    def sectors(self) -> dict[str, str]:
        if self._sectors is None:
            from tradecycle.adapters.marketdata.symbols import sector_map

            with self.engine.connect() as conn:
                self._sectors = sector_map(conn)
        return self._sectors


def serve_phase(
    data: ServiceData, phase_name: str, call: PhaseCall, wall: Clock, served_by: str
) -> PhaseReply:
    """Run `phase_name` for the call, once per idempotency key."""
    from .phases import load_phases

    phases = {p.name: p for p in load_phases(data.settings, local=True)}
    if phase_name not in phases:
        raise TradecycleError(f"phase {phase_name!r} is not enabled in this service's settings")
    key = idempotency_key(call.cycle_id, phase_name, call.attempt)
    panel, features = data.view(call.symbols, call.as_of)
    ctx = CycleContext(
        cycle_id=call.cycle_id,
        now=call.as_of,
        settings=data.settings,
        panel=panel,
        account_id=call.account_id,
        sectors=data.sectors(),
        features=features,
        cache=data.shared_cache,
    )
    ctx.cache["held_symbols"] = set(call.held_symbols)
    ctx.cache["benchmark_value"] = call.benchmark_value
    apply_state(ctx, call.state)
    start, tick = wall.now(), time.perf_counter()
    with data.engine.begin() as conn:
        _lock(conn, key)
        recorded = _recorded_reply(conn, call.cycle_id, phase_name, key)
        if recorded is not None:
            return recorded
        result = phases[phase_name].run(conn, ctx)
        state = encode_state(ctx)
        reply = PhaseReply(
            phase=phase_name,
            status=PhaseStatus.COMPLETED,
            start=start,
            end=wall.now(),
            duration=time.perf_counter() - tick,
            processed=result.processed,
            succeeded=result.succeeded,
            failed=result.failed,
            metadata=result.metadata,
            state=state,
            served_by=served_by,
        )
        record = reply.record(
            call.retry_count,
            {
                **result.metadata,
                "idempotency_key": key,
                "served_by": served_by,
                "reply": reply.model_dump(mode="json"),
            },
        )
        recording.record_phase(conn, call.cycle_id, record)
    return reply


def _lock(conn: Connection, key: str) -> None:
    """Serialise duplicate calls of one key (PostgreSQL; SQLite has a single writer anyway)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(key.encode())})


def _recorded_reply(conn: Connection, cycle_id: str, phase: str, key: str) -> PhaseReply | None:
    raw = conn.execute(
        select(s.workflow_tracking.c.metadata).where(
            s.workflow_tracking.c.cycle_id == cycle_id,
            s.workflow_tracking.c.phase == phase,
            s.workflow_tracking.c.status == PhaseStatus.COMPLETED.value,
        )
    ).scalar_one_or_none()
    meta = json.loads(raw or "{}") if raw else {}
    if meta.get("idempotency_key") != key or "reply" not in meta:
        return None
    reply = PhaseReply.model_validate(meta["reply"])
    return reply.model_copy(update={"replayed": True})


# ---------------------------------------------------------------- coordinator side


class RemotePhase:
    """Calls the service that owns a phase; used by CycleRunner when distributed.mode is 'remote'."""

    def __init__(
        self,
        name: str,
        engine: Engine,
        settings: SettingsModel,
        wall: Clock,
        sleep: Callable[[float], None] = time.sleep,
        client: Any = None,
    ) -> None:
        import httpx

        self.name = name
        self.service = service_for_phase(name).name
        self.engine = engine
        self.settings = settings
        self.wall = wall
        self.sleep = sleep
        self.client = client or httpx.Client(timeout=settings.distributed.service_timeout_seconds)
        token = settings.api.token
        if token is None:
            raise TradecycleError("distributed mode needs api.token: services refuse phase calls without it")
        self.headers = {"Authorization": f"Bearer {token.get_secret_value()}"}

    def __call__(self, ctx: CycleContext, attempt: int, retry_count: int) -> recording.PhaseRecord:
        key = idempotency_key(ctx.cycle_id, self.name, attempt)
        body = PhaseCall(
            cycle_id=ctx.cycle_id,
            as_of=ctx.now,
            account_id=ctx.account_id,
            attempt=attempt,
            retry_count=retry_count,
            symbols=ctx.panel.symbols.tolist(),
            held_symbols=sorted(ctx.cache.get("held_symbols", set())),
            benchmark_value=ctx.cache.get("benchmark_value"),
            state=encode_state(ctx),
        ).model_dump(mode="json")
        headers = {**self.headers, "Idempotency-Key": key}
        delay = self.settings.distributed.retry_backoff_seconds
        problems: list[str] = []
        rounds = self.settings.distributed.service_retries + 1
        for round_no in range(rounds):
            instances = self.live_instances()
            if not instances:
                problems.append(f"no live instance of service {self.service} in the registry")
            for instance in instances:
                reply = self._post(instance, body, headers, problems)
                if reply is not None:
                    apply_state(ctx, reply.state)
                    return reply.record(
                        retry_count,
                        {**reply.metadata, "served_by": reply.served_by, "replayed": reply.replayed},
                    )
            if round_no + 1 < rounds:
                self.sleep(delay)
                delay *= 2
        raise ServiceUnavailable(
            f"phase {self.name}: service {self.service} did not answer in {rounds} rounds: {problems[-1]}"
        )

    def _post(self, instance: registry.ServiceInfo, body: dict, headers: dict, problems: list[str]):
        """One call; None (with the problem noted) when it is worth retrying elsewhere or later."""
        import httpx

        url = f"http://{instance.host}:{instance.port}/phases/{self.name}"
        try:
            response = self.client.post(url, json=body, headers=headers)
        except httpx.TransportError as exc:
            problems.append(f"{instance.service_name} at {instance.host}:{instance.port}: {exc!r}")
            return None
        if response.status_code >= 500:
            problems.append(f"{instance.service_name}: HTTP {response.status_code} {response.text[:200]}")
            return None
        if response.status_code >= 400:
            raise TradecycleError(
                f"service {instance.service_name} refused phase {self.name}: {response.status_code} "
                f"{response.text[:300]}"
            )
        return PhaseReply.model_validate(response.json())

    def live_instances(self) -> list[registry.ServiceInfo]:
        """Registered instances of the service with a fresh heartbeat, freshest first; stale ones marked down."""
        now = self.wall.now()
        beat, multiple = (
            self.settings.distributed.heartbeat_seconds,
            self.settings.reporting.stale_heartbeat_multiple,
        )
        with self.engine.begin() as conn:
            found = [svc for svc in registry.services(conn) if svc.service_name.split("#")[0] == self.service]
            live = []
            for svc in found:
                if svc.status != ServiceStatus.RUNNING.value:
                    continue
                if svc.is_stale(now, beat, multiple):
                    conn.execute(
                        update(s.service_coordination)
                        .where(s.service_coordination.c.service_name == svc.service_name)
                        .values(status=ServiceStatus.ERROR.value)
                    )
                    log.warning("service %s missed its heartbeats; marked down", svc.service_name)
                    continue
                live.append(svc)
        return sorted(live, key=lambda svc: svc.last_heartbeat or now, reverse=True)
