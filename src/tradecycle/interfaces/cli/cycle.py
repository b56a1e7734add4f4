"""`tradecycle run | replay | schedule | check-lookahead`: the trading cycle's commands."""

from __future__ import annotations

import signal
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, select

from tradecycle.adapters.store import schema as s
from tradecycle.config import SettingsModel
from tradecycle.coordinator.clock import WallClock
from tradecycle.coordinator.cycle import CycleOutcome
from tradecycle.coordinator.replay import ReplaySummary, replay
from tradecycle.core.types import CycleStatus
from tradecycle.errors import DataError, TradecycleError

from .common import App, ConfigOption, DatabaseOption, JsonOption, console, open_context, print_json

SymbolsOption = Annotated[
    str | None,
    typer.Option("--symbols", help="Comma-separated symbols to trade (default: the whole universe)."),
]


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DataError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def parse_moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"--at {value!r} is not an ISO timestamp such as 2015-06-01T20:05:00Z") from None
    if moment.tzinfo is None:
        raise DataError(f"--at {value!r} has no timezone; add Z for UTC or an offset such as -04:00")
    return moment.astimezone(UTC)


def parse_symbols(value: str | None) -> list[str] | None:
    if not value:
        return None
    symbols = [part.strip().upper() for part in value.split(",") if part.strip()]
    if not symbols:
        raise DataError("--symbols is empty")
    return symbols


def latest_equity(engine: Engine) -> float | None:
    with engine.connect() as conn:
        return conn.execute(
            select(s.portfolio_status.c.total_value).order_by(s.portfolio_status.c.timestamp.desc()).limit(1)
        ).scalar_one_or_none()


def replay_with_progress(
    engine: Engine,
    settings: SettingsModel,
    start: date,
    end: date,
    symbols: list[str] | None,
    quiet: bool = False,
) -> tuple[ReplaySummary, float]:
    """Replay with a Rich progress bar showing cycles/s and equity; returns the summary and seconds taken."""
    started = time.perf_counter()
    columns = (
        TextColumn("[bold]replay[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>6.1f} cycles/s"),
        TextColumn("equity [green]{task.fields[equity]}[/]"),
        TextColumn("{task.fields[as_of]}"),
        TimeElapsedColumn(),
    )
    # refreshed by each cycle, not by a thread: the replay forks an analysis worker, and a
    # process should not fork while another of its threads may hold a lock
    with Progress(*columns, console=console, disable=quiet, transient=False, auto_refresh=False) as progress:
        task = progress.add_task("replay", total=None, rate=0.0, equity="-", as_of="")

        def on_cycle(outcome: CycleOutcome, done: int, total: int) -> None:
            elapsed = max(time.perf_counter() - started, 1e-9)
            fields = {"rate": done / elapsed, "as_of": f"{outcome.as_of:%Y-%m-%d}"}
            if done % 10 == 0 or done == total:
                equity = latest_equity(engine)
                fields["equity"] = "-" if equity is None else f"${equity:,.0f}"
            progress.update(task, completed=done, total=total, refresh=True, **fields)

        summary = replay(engine, settings, start, end, symbols, on_cycle=on_cycle)
    return summary, time.perf_counter() - started


def print_outcome(outcome: CycleOutcome, as_json: bool) -> None:
    payload = {
        "cycle_id": outcome.cycle_id,
        "as_of": outcome.as_of.isoformat(),
        "status": outcome.status.value,
        "skipped": outcome.skipped,
        "attempt": outcome.attempt,
        "error": outcome.error,
        "totals": outcome.totals,
        "phases": [
            {
                "phase": p.phase,
                "status": p.status.value,
                "seconds": round(p.duration, 4),
                "processed": p.processed,
            }
            for p in outcome.phases
        ],
    }
    if as_json:
        print_json(payload)
        return
    if outcome.skipped:
        console.print(f"cycle {outcome.cycle_id} had already completed; nothing to do")
        return
    table = Table(title=f"cycle {outcome.cycle_id} ({outcome.status.value})")
    for column in ("phase", "status", "seconds", "processed"):
        table.add_column(column)
    for phase in payload["phases"]:
        table.add_row(phase["phase"], phase["status"], f"{phase['seconds']:.3f}", str(phase["processed"]))
    console.print(table)
    if outcome.error:
        console.print(f"[red]{outcome.error}[/]")


def _exit_on_failure(outcome: CycleOutcome) -> None:
    if outcome.status is CycleStatus.FAILED:
        raise typer.Exit(1)


def run(
    at: Annotated[
        str | None, typer.Option("--at", help="Run the cycle as of this ISO time (UTC 'Z' or an offset).")
    ] = None,
    next_session: Annotated[
        bool,
        typer.Option("--next", help="Run the session after the newest completed cycle (continue a replay)."),
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run one trading cycle now, at --at, or for the --next session.

    Examples: [bold]tradecycle run --at 2015-06-01T20:05:00Z[/], [bold]tradecycle run --next[/]
    """
    from tradecycle.coordinator.live import run_next, run_once

    if at and next_session:
        raise DataError("give either --at or --next, not both")
    app_ctx = open_context(config, database)
    engine = _prepared(app_ctx.settings)
    wall = WallClock()
    if next_session:
        outcome = run_next(engine, app_ctx.settings, wall)
    else:
        outcome = run_once(engine, app_ctx.settings, wall, at=parse_moment(at) if at else None)
    print_outcome(outcome, as_json)
    _exit_on_failure(outcome)


def replay_command(
    start: Annotated[str, typer.Option("--start", help="First session to replay (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--end", help="Last session to replay (YYYY-MM-DD).")],
    symbols: SymbolsOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replay history on a simulated clock, one cycle per session; resumes where an interrupted replay stopped.

    Example: [bold]tradecycle replay --start 2014-01-02 --end 2014-12-31 --symbols AAPL,MSFT,JPM[/]
    """
    app_ctx = open_context(config, database)
    engine = _prepared(app_ctx.settings)
    summary, seconds = replay_with_progress(
        engine,
        app_ctx.settings,
        parse_day(start, "--start"),
        parse_day(end, "--end"),
        parse_symbols(symbols),
        quiet=as_json,
    )
    payload = {
        "sessions": summary.sessions,
        "cycles_run": summary.cycles_run,
        "cycles_skipped": summary.cycles_skipped,
        "cycles_failed": summary.cycles_failed,
        "first_failure": summary.first_failure,
        "seconds": round(seconds, 2),
        "phase_seconds": {k: round(v, 3) for k, v in summary.phase_seconds.items()},
    }
    if as_json:
        print_json(payload)
    else:
        console.print(
            f"{summary.cycles_run} cycles run, {summary.cycles_skipped} already done, "
            f"{summary.cycles_failed} failed in {seconds:.1f} s"
        )
    if not summary.ok:
        raise TradecycleError(f"replay stopped: {summary.first_failure}")


def schedule(
    max_cycles: Annotated[
        int | None,
        typer.Option("--max-cycles", help="Stop after this many cycles (default: run until stopped)."),
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Run cycles on the NYSE calendar until SIGTERM or Ctrl-C (once after each close for daily bars).

    Example: [bold]tradecycle schedule --database postgresql://trader@db/tradecycle[/]
    """
    from tradecycle.coordinator.schedule import Scheduler

    app_ctx = open_context(config, database)
    engine = _prepared(app_ctx.settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    scheduler = Scheduler(engine, app_ctx.settings, WallClock(), lambda seconds: stop.wait(seconds), stop)

    def on_cycle(due: datetime, result: object) -> None:
        console.print(f"{due:%Y-%m-%d %H:%M} UTC: {getattr(result, 'status', result)}")

    count = scheduler.serve(max_cycles=max_cycles, on_cycle=on_cycle)
    console.print(f"scheduler stopped after {count} cycle(s)")


def check_lookahead_command(
    start: Annotated[str, typer.Option("--start", help="First session of the sample (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--end", help="Last session of the sample (YYYY-MM-DD).")],
    symbols: SymbolsOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replay a sample twice, with and without future data visible, and report every decision that differs.

    Exits 1 if any signal, order, risk decision or prediction changes. Example:
    [bold]tradecycle check-lookahead --start 2014-03-03 --end 2014-04-30 --symbols AAPL,MSFT,XOM[/]
    """
    from tradecycle.coordinator.lookahead import check_lookahead

    app_ctx = open_context(config, database)
    with tempfile.TemporaryDirectory(prefix="tradecycle-lookahead-") as scratch:
        report = check_lookahead(
            app_ctx.settings,
            parse_day(start, "--start"),
            parse_day(end, "--end"),
            Path(scratch),
            WallClock(),
            parse_symbols(symbols),
        )
    if as_json:
        print_json(
            {
                "sessions": report.sessions,
                "rows_compared": report.rows_compared,
                "differences": report.differences,
                "clean": report.clean,
            }
        )
    else:
        compared = ", ".join(f"{name} {count}" for name, count in report.rows_compared.items())
        console.print(f"{report.sessions} sessions replayed twice; rows compared: {compared}")
        for line in report.differences:
            console.print(f"[red]{line}[/]")
        console.print("[green]no lookahead found[/]" if report.clean else "[red]lookahead found[/]")
    if not report.clean:
        raise typer.Exit(1)


def _prepared(settings: SettingsModel) -> Engine:
    from tradecycle.adapters.store.database import prepare_database

    return prepare_database(settings.database_url)


def register(app: App) -> None:
    app.command("run")(run)
    app.command("replay")(replay_command)
    app.command("schedule")(schedule)
    app.command("check-lookahead")(check_lookahead_command)
