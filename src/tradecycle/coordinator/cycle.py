"""One trading cycle: open it, run every phase in its own transaction, close it.

A phase's rows and its workflow_tracking row commit together, so after a crash a
phase is either recorded complete with its data or absent. The cycle row is
written first, so a dead process leaves a 'running' cycle that the next start
marks failed (`recording.fail_orphaned_cycles`). Re-running a cycle that did not
complete deletes what it derived and runs it again; orders and fills are
idempotent by their client order id and external id, so nothing doubles.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from tradecycle.config import SettingsModel
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import CycleStatus, PhaseStatus
from tradecycle.services.context import CycleContext

from . import recording
from .clock import Clock
from .phases import Phase

log = logging.getLogger(__name__)


def cycle_id_for(as_of: datetime) -> str:
    """The cycle's unique id: the as-of time, so the same market moment is the same cycle."""
    return f"cycle_{as_of:%Y%m%d_%H%M%S}"


@dataclass(frozen=True)
class CycleInputs:
    """Everything a cycle sees, already cut to its as-of time."""

    as_of: datetime
    panel: BarPanel
    features: Any
    account_id: int
    sectors: dict[str, str]
    benchmark_value: float | None = None


@dataclass(frozen=True)
class CycleOutcome:
    cycle_id: str
    as_of: datetime
    status: CycleStatus
    skipped: bool
    attempt: int = 0
    phases: tuple[recording.PhaseRecord, ...] = ()
    error: str | None = None
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def failed_phase(self) -> str | None:
        return next((p.phase for p in self.phases if p.status is PhaseStatus.FAILED), None)


class CycleRunner:
    """Runs cycles with one set of phases; `shared_cache` lives as long as the runner.

    The shared cache may only hold values that are pure functions of the database and
    the as-of data (a fitted model loaded from ml_models, say), so a resumed replay
    behaves exactly like an uninterrupted one.
    """

    def __init__(
        self,
        engine: Engine,
        settings: SettingsModel,
        phases: list[Phase],
        wall: Clock,
        mode: str = "live",
        holdings: Callable[[Connection, int], set[str]] | None = None,
    ) -> None:
        if holdings is None:
            from tradecycle.services.portfolio import held_symbols as holdings
        self.holdings = holdings
        self.engine = engine
        self.settings = settings
        self.phases = phases
        self.wall = wall
        self.mode = mode
        self.shared_cache: dict[str, Any] = {}
        self._held: Connection | None = None  # the connection `one_connection` keeps between cycles
        # called with a phase's name once it has completed and committed (the replay's
        # prefetch starts on the next cycle's patterns there)
        self.after_phase: Callable[[str], None] | None = None

    def run(self, inputs: CycleInputs) -> CycleOutcome:
        """One cycle on one connection: a transaction per phase, no checkout between them."""
        if self._held is None:
            with self.engine.connect() as conn:
                return self._run_guarded(conn, inputs)
        if self._held.invalidated:
            self._reconnect()
        return self._run_guarded(self._held, inputs)

    def _reconnect(self) -> Connection:
        """A fresh held connection in place of one the database dropped (nothing goes back to the pool)."""
        if self._held is not None:
            self._held.close()
        self._held = self._hold()
        return self._held

    def _hold(self) -> Connection:
        """A connection to keep between cycles, its commits relaxed once for all of them."""
        conn = self.engine.connect()
        if self._relaxed(conn):
            conn.exec_driver_sql("SET synchronous_commit TO off")
            conn.commit()
        return conn

    @contextmanager
    def one_connection(self) -> Iterator[None]:
        """Run the cycles inside on one connection (a replay): no checkout per cycle, and on
        PostgreSQL commits are relaxed once for the run instead of in every cycle."""
        self._held = self._hold()
        try:
            yield
        finally:
            conn, self._held = self._held, None
            if self._relaxed(conn) and not conn.invalidated:
                conn.exec_driver_sql("RESET synchronous_commit")
                conn.commit()
            conn.close()

    def _run_guarded(self, conn: Connection, inputs: CycleInputs) -> CycleOutcome:
        try:
            return self._run_on(conn, inputs)
        except BaseException:
            if self._relaxed(conn) and not conn.invalidated:
                conn.invalidate()  # never hand a session with relaxed commits back to the pool
            raise

    def _relaxed(self, conn: Connection) -> bool:
        """Replays on PostgreSQL commit without waiting for the WAL flush (as SQLite's WAL does).

        A crash of this process loses nothing; a crash of the server's host may lose the last
        few commits, all whole transactions, which the resumed replay simply runs again. Live
        cycles, whose orders may reach a real broker, keep the server's setting. The setting
        is made in the cycle's first transaction and reset in its last (or, on a connection
        held by `one_connection`, made once and reset when it is handed back).
        """
        return self.mode == "replay" and conn.dialect.name == "postgresql"

    def _run_on(self, conn: Connection, inputs: CycleInputs) -> CycleOutcome:
        cycle_id = cycle_id_for(inputs.as_of)
        started = self.wall.now()
        try:
            opened = self._open(conn, cycle_id, inputs, started)
        except DBAPIError as exc:
            if conn is not self._held or not exc.connection_invalidated:
                raise
            # the held connection died between cycles (a database restart, say): nothing of
            # this cycle was written, so it starts again on a new one
            log.warning("database connection lost before %s; reconnecting", cycle_id)
            conn = self._reconnect()
            opened = self._open(conn, cycle_id, inputs, started)
        if isinstance(opened, CycleOutcome):
            return opened
        attempt, retries = opened
        ctx = self._context(cycle_id, inputs)
        records: list[recording.PhaseRecord] = []
        closed: list[CycleOutcome] = []

        def close_with_last_phase(c: Connection, last: recording.PhaseRecord) -> None:
            closed.append(
                self._close(c, ctx, started, [*records, last], attempt, CycleStatus.COMPLETED, None)
            )

        holdings_read = False
        for position, phase in enumerate(self.phases):
            read_holdings = phase.name != "fills" and not holdings_read
            holdings_read = holdings_read or read_holdings
            record = self._run_phase(
                conn,
                phase,
                ctx,
                attempt,
                retries.get(phase.name, 0),
                before=self._read_holdings if read_holdings else None,
                after=close_with_last_phase if position == len(self.phases) - 1 else None,
            )
            records.append(record)
            if record.status is PhaseStatus.FAILED:
                with conn.begin():
                    return self._close(conn, ctx, started, records, attempt, CycleStatus.FAILED, record.error)
            if self.after_phase is not None:
                self.after_phase(phase.name)
        if closed:
            return closed[0]
        with conn.begin():
            return self._close(conn, ctx, started, records, attempt, CycleStatus.COMPLETED, None)

    def _open(
        self, conn: Connection, cycle_id: str, inputs: CycleInputs, started: datetime
    ) -> CycleOutcome | tuple[int, dict[str, int]]:
        """Claim or reopen the cycle's row: (attempt, retries so far), or the outcome of a
        cycle already completed (skipped)."""
        with conn.begin():
            existing = recording.claim_cycle(conn, cycle_id, inputs.as_of, started, self.mode)
            if existing is not None and existing["status"] == CycleStatus.COMPLETED.value:
                return CycleOutcome(cycle_id, inputs.as_of, CycleStatus.COMPLETED, skipped=True)
            if self._relaxed(conn) and conn is not self._held:
                conn.exec_driver_sql("SET synchronous_commit TO off")
            if existing is None:
                return 1, {}
            attempt = recording.open_cycle(conn, cycle_id, inputs.as_of, started, self.mode, existing)
            return attempt, recording.previous_retries(conn, cycle_id)

    def _read_holdings(self, conn: Connection, ctx: CycleContext) -> None:
        """Once a cycle, after its fills are booked and before any phase that reads them."""
        ctx.cache["held_symbols"] = self.holdings(conn, ctx.account_id)

    def _context(self, cycle_id: str, inputs: CycleInputs) -> CycleContext:
        cache = self.shared_cache
        cache["benchmark_value"] = inputs.benchmark_value
        cache["held_symbols"] = set()  # the fills phase runs before holdings are read
        return CycleContext(
            cycle_id=cycle_id,
            now=inputs.as_of,
            settings=self.settings,
            panel=inputs.panel,
            account_id=inputs.account_id,
            sectors=inputs.sectors,
            features=inputs.features,
            cache=cache,
        )

    def _run_phase(
        self,
        conn: Connection,
        phase: Phase,
        ctx: CycleContext,
        attempt: int,
        retry_count: int,
        before: Callable[[Connection, CycleContext], None] | None = None,
        after: Callable[[Connection, recording.PhaseRecord], None] | None = None,
    ) -> recording.PhaseRecord:
        """Run a phase in its own transaction, with `before` and `after` in the same one (the
        cycle's holdings read and its close then cost no transaction of their own)."""
        start = self.wall.now()
        tick = time.perf_counter()
        try:
            if phase.remote is not None:  # served by another process, which records it
                if before is not None:
                    with conn.begin():
                        before(conn, ctx)
                record = phase.remote(ctx, attempt, retry_count)
                if after is not None and record.status is PhaseStatus.COMPLETED:
                    with conn.begin():
                        after(conn, record)
                return record
            with conn.begin():
                if before is not None:
                    before(conn, ctx)
                result = phase.run(conn, ctx)
                record = recording.PhaseRecord(
                    phase=phase.name,
                    status=PhaseStatus.COMPLETED,
                    start=start,
                    end=self.wall.now(),
                    duration=time.perf_counter() - tick,
                    processed=result.processed,
                    succeeded=result.succeeded,
                    failed=result.failed,
                    retry_count=retry_count,
                    metadata=result.metadata,
                )
                recording.record_phase(conn, ctx.cycle_id, record, replace=attempt > 1)
                if after is not None:
                    after(conn, record)
            return record
        except Exception as exc:  # noqa: BLE001 - any phase error fails the cycle, recorded
            log.error("phase %s of %s failed", phase.name, ctx.cycle_id, exc_info=True)
            record = recording.PhaseRecord(
                phase=phase.name,
                status=PhaseStatus.FAILED,
                start=start,
                end=self.wall.now(),
                duration=time.perf_counter() - tick,
                error=f"{type(exc).__name__}: {exc}",
                retry_count=retry_count,
                metadata={"traceback": traceback.format_exc(limit=-4)},
            )
            with conn.begin():  # the failed phase's own transaction was rolled back by its with-block
                recording.record_phase(conn, ctx.cycle_id, record)
            return record

    def _close(
        self,
        conn: Connection,
        ctx: CycleContext,
        started: datetime,
        records: list[recording.PhaseRecord],
        attempt: int,
        status: CycleStatus,
        error: str | None,
    ) -> CycleOutcome:
        """Close the cycle inside the caller's transaction."""
        totals = {
            "securities_scanned": int(ctx.panel.n_symbols),
            "patterns_found": len(ctx.patterns),
            "signals_generated": len(ctx.signals),
            "trades_executed": len(ctx.fills),
        }
        if error is not None:
            failed = records[-1].phase
            error = f"phase {failed} failed: {error}"
        recording.close_cycle(conn, ctx.cycle_id, status, started, self.wall.now(), records, totals, error)
        if self._relaxed(conn) and conn is not self._held:
            conn.exec_driver_sql("RESET synchronous_commit")
        return CycleOutcome(
            ctx.cycle_id,
            ctx.now,
            status,
            skipped=False,
            attempt=attempt,
            phases=tuple(records),
            error=error,
            totals=totals,
        )
