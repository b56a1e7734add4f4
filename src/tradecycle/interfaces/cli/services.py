"""`tradecycle service run NAME` and `tradecycle services start | stop | status | restart NAME`:
the seed's services as separate processes on one PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradecycle.config import SettingsModel
from tradecycle.coordinator.catalog import SERVICE_NAMES, SERVICES, service
from tradecycle.errors import ConfigError, TradecycleError

from .common import App, ConfigOption, DatabaseOption, JsonOption, console, open_context, print_json

service_app = App(help="Run one of the seed's services as its own process.")
services_app = App(help="Start, watch, restart and stop all services as child processes of a supervisor.")

HostOption = Annotated[str, typer.Option("--host", help="Interface to bind (127.0.0.1 by default).")]
CLI = [sys.executable, "-c", "from tradecycle.interfaces.cli.main import run; run()"]


def require_postgres(settings: SettingsModel) -> None:
    if not settings.database_url.startswith(("postgresql", "postgres")):
        raise ConfigError(
            f"services in separate processes need PostgreSQL (database_url is {settings.database_url.split(':')[0]}); "
            "SQLite allows one writer at a time and is for the single-process mode"
        )


@service_app.command("run")
def run_service(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICE_NAMES)}.")],
    host: HostOption = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option("--port", help="Port (default: the seed's, base_port + offset).")
    ] = None,
    instance: Annotated[
        str | None, typer.Option("--instance", help="Instance suffix when several run: registers as NAME#ID.")
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Serve one service: its routers and phase endpoint; registers, heartbeats, deregisters on shutdown.

    Example: [bold]tradecycle service run scanner --port 5001 --database postgresql://trader@db/tradecycle[/]
    """
    import uvicorn

    from tradecycle.adapters.store.database import open_engine
    from tradecycle.coordinator.heartbeat import registry_lifespan
    from tradecycle.interfaces.api.service_app import create_service_app

    app_ctx = open_context(config, database)
    settings = app_ctx.settings
    require_postgres(settings)
    spec = service(name)
    port = port or settings.distributed.base_port + spec.port_offset
    registered_name = f"{name}#{instance}" if instance else name
    engine = open_engine(settings.database_url)
    app = create_service_app(name, settings, engine, registered_name)
    meta = {"pid": os.getpid(), "phases": list(spec.phases)}
    every = settings.distributed.heartbeat_seconds
    app.router.lifespan_context = registry_lifespan(engine, [registered_name], host, port, every, meta)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        engine.dispose()


def _run_dir(settings: SettingsModel) -> Path:
    return Path(settings.distributed.run_dir).resolve()


@services_app.command("start")
def start(
    only: Annotated[
        str | None, typer.Option("--only", help="Comma-separated services (default: all).")
    ] = None,
    host: HostOption = "127.0.0.1",
    detach: Annotated[
        bool, typer.Option("--detach", help="Run the supervisor in the background and return.")
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Start the services in dependency order and keep them alive (restarts with exponential backoff).

    Example: [bold]tradecycle services start --database postgresql://trader@db/tradecycle --detach[/]
    """
    from tradecycle.adapters.store.database import prepare_database
    from tradecycle.coordinator.supervisor import Supervisor, process_alive, read_state

    app_ctx = open_context(config, database)
    settings = app_ctx.settings
    require_postgres(settings)
    names = [n.strip() for n in only.split(",")] if only else list(SERVICE_NAMES)
    specs = [service(n) for n in names]
    run_dir = _run_dir(settings)
    state = read_state(run_dir)
    if state and not state.get("stopped") and process_alive(state.get("pid")):
        raise TradecycleError(f"a supervisor is already running (pid {state['pid']}); stop it first")
    prepare_database(settings.database_url).dispose()
    if detach:
        _detach(names, host, settings, run_dir)
        return
    passthrough = ["--database", settings.database_url] + (["--config", str(config)] if config else [])
    base = settings.distributed.base_port

    def command(name: str, port: int) -> list[str]:
        return [*CLI, "service", "run", name, "--host", host, "--port", str(port), *passthrough]

    supervisor = Supervisor(
        [(spec.name, base + spec.port_offset) for spec in specs],
        command,
        run_dir,
        host,
        backoff_max=settings.distributed.restart_backoff_max_seconds,
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    console.print(f"starting {', '.join(names)}; state in {run_dir}")
    supervisor.run(stop)
    console.print("all services stopped")


def _detach(names: list[str], host: str, settings: SettingsModel, run_dir: Path) -> None:
    from tradecycle.coordinator.supervisor import read_state

    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "supervisor.json").unlink(missing_ok=True)
    args = [
        *CLI,
        "services",
        "start",
        "--only",
        ",".join(names),
        "--host",
        host,
        "--database",
        settings.database_url,
    ]
    with open(run_dir / "supervisor.log", "ab") as sink:
        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        state = read_state(run_dir)
        if state and all(svc["pid"] for svc in state["services"].values()):
            console.print(f"supervisor {proc.pid} started {len(names)} services")
            return
        if proc.poll() is not None:
            raise TradecycleError(
                f"the supervisor exited with {proc.returncode}; see {run_dir / 'supervisor.log'}"
            )
        time.sleep(0.5)
    raise TradecycleError(f"services did not all start within 180 s; see {run_dir}")


@services_app.command("stop")
def stop(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Stop the supervisor and, through it, every service (SIGTERM, then SIGKILL after 10 s)."""
    from tradecycle.coordinator.supervisor import process_alive, read_state

    settings = open_context(config, database).settings
    state = read_state(_run_dir(settings))
    if not state or not process_alive(state.get("pid")):
        console.print("no supervisor is running")
        return
    os.kill(state["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while process_alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    if process_alive(state["pid"]):
        raise TradecycleError(f"supervisor {state['pid']} did not stop within 30 s")
    console.print("services stopped")


@services_app.command("status")
def status(config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Each service: pid, port, restarts, registry status and heartbeat age, health check."""
    from tradecycle.adapters.store.database import open_engine
    from tradecycle.coordinator import registry
    from tradecycle.coordinator.clock import WallClock
    from tradecycle.coordinator.supervisor import http_healthy, process_alive, read_state

    settings = open_context(config, database).settings
    state = read_state(_run_dir(settings)) or {"services": {}, "pid": None}
    engine = open_engine(settings.database_url)
    with engine.connect() as conn:
        found = {svc.service_name: svc for svc in registry.services(conn)}
    engine.dispose()
    now = WallClock().now()
    rows = []
    for spec in SERVICES:
        proc = state["services"].get(spec.name, {})
        reg = found.get(spec.name)
        port = proc.get("port") or (reg.port if reg else None)
        rows.append(
            {
                "service": spec.name,
                "pid": proc.get("pid") if process_alive(proc.get("pid")) else None,
                "port": port,
                "restarts": proc.get("restarts", 0),
                "registry": reg.status if reg else "unregistered",
                "heartbeat_age_s": round((now - reg.last_heartbeat).total_seconds(), 1)
                if reg and reg.last_heartbeat
                else None,
                "healthy": bool(port) and http_healthy(reg.host if reg else "127.0.0.1", port),
            }
        )
    if as_json:
        print_json({"supervisor_pid": state.get("pid"), "services": rows})
        return
    table = Table(title=f"services (supervisor pid {state.get('pid') or '-'})")
    for column in rows[0]:
        table.add_column(column)
    for row in rows:
        table.add_row(*("-" if v is None else str(v) for v in row.values()))
    console.print(table)


@services_app.command("restart")
def restart(
    name: Annotated[str, typer.Argument(help="The service to restart.")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Stop one service; the supervisor starts it again."""
    from tradecycle.coordinator.supervisor import process_alive, read_state

    service(name)
    settings = open_context(config, database).settings
    state = read_state(_run_dir(settings))
    if not state or not process_alive(state.get("pid")):
        raise TradecycleError("no supervisor is running: start the services with tradecycle services start")
    pid = state["services"].get(name, {}).get("pid")
    if not process_alive(pid):
        raise TradecycleError(f"service {name} is not running under the supervisor")
    os.kill(pid, signal.SIGTERM)
    console.print(f"sent SIGTERM to {name} (pid {pid}); the supervisor restarts it")


def register(app: App) -> None:
    app.add_typer(service_app, name="service")
    app.add_typer(services_app, name="services")
