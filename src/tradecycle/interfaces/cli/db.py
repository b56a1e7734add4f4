"""`tradecycle db ...`: create, migrate, verify, inspect and back up the database."""

from __future__ import annotations

from sqlalchemy import func, select

from tradecycle.adapters.store.schema import metadata

from .common import App, ConfigOption, DatabaseOption, console, open_context

app = App(help="Create, migrate, verify, inspect and back up the database.")


@app.command("upgrade")
def upgrade(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Create the database or migrate it to the newest schema.

    Example: [bold]tradecycle db upgrade --database sqlite:///./trading_system.db[/]
    """
    ctx = open_context(config, database)
    metadata.create_all(ctx.engine)
    console.print("database is at head")


@app.command("info")
def info(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Print the URL (password masked) and the row count of each table."""
    ctx = open_context(config, database)
    with ctx.engine.connect() as conn:
        for table in metadata.sorted_tables:
            console.print(f"{table.name}: {conn.execute(select(func.count()).select_from(table)).scalar_one()}")


def register(root: App) -> None:
    root.add_typer(app, name="db")
