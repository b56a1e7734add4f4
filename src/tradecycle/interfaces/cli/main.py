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


def _register() -> None:
    """Every module of this package that defines `register(app)` adds its commands.

    Discovery keeps command groups independent: a new group is a new module, and no
    shared list has to be edited.
    """
    import importlib
    import pkgutil

    from . import __path__ as package_path

    for module in sorted(m.name for m in pkgutil.iter_modules(package_path)):
        if module in {"main", "common"}:
            continue
        register = getattr(importlib.import_module(f"{__package__}.{module}"), "register", None)
        if register is not None:
            register(app)


_register()


def run() -> None:
    app()
