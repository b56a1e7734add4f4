"""`tradecycle config show`."""

from __future__ import annotations

import json

from .common import App, ConfigOption, DatabaseOption, console, open_context

app = App(help="Inspect the effective configuration.")


@app.command("show")
def show(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Print the effective settings (defaults < tradecycle.toml < TRADECYCLE_* env), secrets masked.

    Example: [bold]tradecycle config show --config tradecycle.toml[/]
    """
    ctx = open_context(config, database)
    console.print_json(json.dumps(ctx.settings.model_dump(mode="json")))


def register(root: App) -> None:
    root.add_typer(app, name="config")
