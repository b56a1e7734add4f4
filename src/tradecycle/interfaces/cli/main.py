"""The `tradecycle` command."""

from __future__ import annotations

from typing import Annotated

import typer

from tradecycle import __version__

from .common import App

app = App(help="tradecycle: scan, analyse, size, risk-check, fill and record paper trades of US equities.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tradecycle {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """tradecycle: automated, honest paper trading of US equities.

    Start with [bold]tradecycle demo[/], then [bold]tradecycle serve[/] to open the dashboard.
    """


# Each module here exposes `register(app)`, which adds its commands or sub-apps.
CLI_MODULES = ("db", "config_cmd")


def _register() -> None:
    import importlib

    for name in CLI_MODULES:
        importlib.import_module(f"{__package__}.{name}").register(app)


_register()


def run() -> None:
    app()
