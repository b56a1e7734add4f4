"""Shared CLI plumbing: the options every command takes and one error policy.

Every command is registered through `App.command`, which turns a TradecycleError
into a one-line message on stderr and the error's exit code, never a traceback.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import Engine

from tradecycle.config import SettingsModel
from tradecycle.errors import TradecycleError
from tradecycle.settings import load_settings


class _LiveEnviron(Mapping[str, str]):
    """os.environ, read at each use: Rich freezes COLUMNS/LINES into a console built while they
    are set, so a console made at import would ignore the width of the terminal it prints to later."""

    frozen_keys = ("COLUMNS", "LINES")

    def __init__(self) -> None:
        self.constructing = True

    def __getitem__(self, key: str) -> str:
        if self.constructing and key in self.frozen_keys:
            raise KeyError(key)
        return os.environ[key]

    def __iter__(self):
        return iter(os.environ)

    def __len__(self) -> int:
        return len(os.environ)


def _console(stderr: bool = False) -> Console:
    environ = _LiveEnviron()
    made = Console(stderr=stderr, _environ=environ)
    environ.constructing = False
    return made


console = _console()
err_console = _console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="Path to tradecycle.toml (default: $TRADECYCLE_CONFIG or ./tradecycle.toml)."
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        "-d",
        help="Database URL, e.g. sqlite:///./trading_system.db or postgresql://user@host/db.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]


@dataclass
class AppContext:
    settings: SettingsModel
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from tradecycle.adapters.store.engine import make_engine

            self._engine = make_engine(self.settings.database_url)
        return self._engine


def open_context(config: Path | None, database: str | None, **overrides: Any) -> AppContext:
    settings = load_settings(config, {"database_url": database, **overrides})
    return AppContext(settings=settings)


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


class App(typer.Typer):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("rich_markup_mode", "rich")
        kwargs.setdefault("pretty_exceptions_enable", False)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any):
        register = super().command(*args, **kwargs)

        def decorator(fn):
            @functools.wraps(fn)
            def wrapper(*a: Any, **kw: Any):
                try:
                    return fn(*a, **kw)
                except TradecycleError as exc:
                    raise fail(str(exc), exc.exit_code) from None

            return register(wrapper)

        return decorator


def print_json(payload: Any) -> None:
    """Machine-readable output for --json: plain JSON on stdout, dates and decimals as text."""
    import json

    typer.echo(json.dumps(payload, indent=2, default=str))
