"""`tradecycle broker reconcile`: compare our open orders and positions with Alpaca's paper account.

Every difference is recorded (order_history rows on the orders concerned, the whole
report in the account's metadata) and printed; the exit code is 6 when the books differ,
so a script or cron job notices. Nothing is changed on either side.
"""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.markup import escape
from rich.table import Table

from tradecycle.adapters.brokers.alpaca import AlpacaBroker, reconcile
from tradecycle.adapters.store.database import prepare_database
from tradecycle.errors import ReconcileError
from tradecycle.services.portfolio import find_account

from .common import App, ConfigOption, DatabaseOption, JsonOption, console, open_context, print_json

app = App(help="The online broker (Alpaca paper trading): reconcile our books with the broker's.")


@app.command("reconcile")
def reconcile_command(
    config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False
) -> None:
    """Compare open orders and positions with Alpaca; record and print every difference (exit 6 if any).

    Example: [bold]tradecycle broker reconcile --config tradecycle.toml[/]
    """
    ctx = open_context(config, database, broker={"kind": "alpaca"})
    broker = AlpacaBroker(ctx.settings.broker)
    broker.client  # noqa: B018 - checks the keys before touching the database
    engine = prepare_database(ctx.settings.database_url)
    try:
        with engine.begin() as conn:
            report = reconcile(conn, find_account(conn, ctx.settings), broker, datetime.now(UTC))
    finally:
        engine.dispose()
    if as_json:
        print_json(report.as_dict())
    else:
        table = Table("difference", "symbol", "client order id", "detail", title="Alpaca reconciliation")
        for d in report.differences:
            table.add_row(d.kind, escape(d.symbol), escape(d.client_order_id or ""), escape(d.detail))
        console.print(
            f"checked {report.orders_checked} open orders and {report.positions_checked} positions: "
            + ("books agree" if report.ok else f"{len(report.differences)} differences (recorded)")
        )
        if not report.ok:
            console.print(table)
    if not report.ok:
        raise typer.Exit(ReconcileError.exit_code)


def register(root: App) -> None:
    root.add_typer(app, name="broker")
