"""`tradecycle db ...`: create, migrate, verify, inspect and back up the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradecycle.adapters.store.database import (
    backup_database,
    database_info,
    mask_url,
    next_backup_path,
    open_engine,
    sqlite_path,
    upgrade_database,
)
from tradecycle.adapters.store.verify import verify as verify_schema

from .common import (
    App,
    ConfigOption,
    DatabaseOption,
    JsonOption,
    console,
    err_console,
    open_context,
    print_json,
)

app = App(help="Create, migrate, verify, inspect and back up the database.")


@app.command("upgrade")
def upgrade(
    config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False
) -> None:
    """Create the database or migrate it to the newest schema (safe to run again).

    A file written by the seed's own services is backed up beside itself
    ([italic]<file>.pre-adoption.bak[/]) and then adopted in place: every row kept,
    timestamps normalised to UTC, legacy statuses mapped (originals kept in metadata).

    Examples:
      [bold]tradecycle db upgrade[/]
      [bold]tradecycle db upgrade --database sqlite:///./legacy_trading_system.db[/]
      [bold]tradecycle db upgrade -d postgresql://trader@localhost/tradecycle[/]
    """
    settings = open_context(config, database).settings
    report = upgrade_database(settings.database_url)
    report.engine.dispose()
    payload = {
        "url": mask_url(settings.database_url),
        "action": report.action.value,
        "from_revision": report.from_revision,
        "revision": report.to_revision,
        "backup": str(report.backup_path) if report.backup_path else None,
        "rows_adopted": report.rows_adopted,
    }
    if as_json:
        print_json(payload)
        return
    console.print(
        f"{payload['url']}: {report.action.value}, at revision {report.to_revision}", highlight=False
    )
    if report.backup_path:
        console.print(f"backup of the original: {report.backup_path}", highlight=False, soft_wrap=True)
    if report.rows_adopted is not None:
        total = sum(report.rows_adopted.values())
        console.print(
            f"adopted {total} rows from {len(report.rows_adopted)} tables", highlight=False, soft_wrap=True
        )


@app.command("verify")
def verify(config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Check the live schema against the code's and the data's integrity; exit 1 on any difference.

    Compares tables, columns, types, nullability, indexes, unique/foreign-key/CHECK
    constraints and the revision; on SQLite also runs integrity_check and foreign_key_check.

    Examples:
      [bold]tradecycle db verify[/]
      [bold]tradecycle db verify --json -d sqlite:///./trading_system.db[/]
    """
    settings = open_context(config, database).settings
    engine = open_engine(settings.database_url)
    try:
        problems = verify_schema(engine)
    finally:
        engine.dispose()
    if as_json:
        print_json({"url": mask_url(settings.database_url), "ok": not problems, "differences": problems})
    elif problems:
        for line in problems:
            err_console.print(f"- {line}", highlight=False, soft_wrap=True)
        err_console.print(
            f"{len(problems)} difference(s); run `tradecycle db upgrade`?", highlight=False, soft_wrap=True
        )
    else:
        console.print(
            f"{mask_url(settings.database_url)}: schema and integrity ok", highlight=False, soft_wrap=True
        )
    if problems:
        raise typer.Exit(1)


@app.command("info")
def info(config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Print the URL (password masked), the schema revision and the row count of each table.

    Examples:
      [bold]tradecycle db info[/]
      [bold]tradecycle db info --json[/]
    """
    settings = open_context(config, database).settings
    engine = open_engine(settings.database_url)
    try:
        details = database_info(engine)
    finally:
        engine.dispose()
    if as_json:
        print_json(details)
        return
    console.print(f"url: {details['url']}", highlight=False, soft_wrap=True)
    console.print(
        f"revision: {details['revision'] or 'none'} (code head {details['head']})",
        highlight=False,
        soft_wrap=True,
    )
    table = Table("table", "rows")
    for name, count in details["tables"].items():
        table.add_row(name, "missing" if count is None else str(count))
    console.print(table)


@app.command("backup")
def backup(
    dest: Annotated[
        Path | None, typer.Argument(help="Backup file to write (default: <database>.backup.bak beside it).")
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a consistent online copy of a SQLite database (safe while a cycle is running).

    PostgreSQL: use pg_dump (the command says how).

    Examples:
      [bold]tradecycle db backup[/]
      [bold]tradecycle db backup ./backups/trading_system-2024-06-28.db[/]
    """
    url = open_context(config, database).settings.database_url
    path = sqlite_path(url)
    target = dest if dest is not None or path is None else next_backup_path(path, "backup")
    written = backup_database(url, target if target is not None else Path("backup.dump"))
    if as_json:
        print_json({"url": mask_url(url), "backup": str(written)})
    else:
        console.print(f"backup written: {written}", highlight=False, soft_wrap=True)


def register(root: App) -> None:
    root.add_typer(app, name="db")
