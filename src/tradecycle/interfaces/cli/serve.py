"""`tradecycle serve`: the REST API and the dashboard with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from tradecycle.adapters.store.database import mask_url, prepare_database

from .common import ConfigOption, DatabaseOption, console, open_context


def serve(
    config: ConfigOption = None,
    database: DatabaseOption = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Interface to bind (default api.host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port (default api.port, 8000).")
    ] = None,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs) and the dashboard at /.

    The database is created or migrated first. Mutating endpoints need the bearer
    token from api.token (or TRADECYCLE_API__TOKEN); without one they answer 401.

    Examples:
      [bold]tradecycle serve[/]
      [bold]TRADECYCLE_API__TOKEN=s3cret tradecycle serve --port 8080[/]
    """
    import uvicorn

    from tradecycle.coordinator.catalog import SERVICE_NAMES
    from tradecycle.coordinator.heartbeat import registry_lifespan
    from tradecycle.interfaces.api.app import create_app

    settings = open_context(config, database).settings
    host = host or settings.api.host
    port = port or settings.api.port
    engine = prepare_database(settings.database_url)
    app = create_app(settings, engine)
    # In one process every service of the catalog lives here; each registers and heartbeats.
    app.router.lifespan_context = registry_lifespan(
        engine,
        SERVICE_NAMES,
        host,
        port,
        settings.distributed.heartbeat_seconds,
        {"pid": os.getpid(), "mode": "in-process"},
    )
    console.print(
        f"tradecycle on [bold]http://{host}:{port}/[/] (API docs /docs) over {mask_url(settings.database_url)}"
        + ("" if settings.api.token else " — no api.token set: mutating endpoints are disabled"),
        highlight=False,
    )
    try:
        uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
    finally:
        engine.dispose()


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
