"""`tradecycle portfolio show | reconcile | deposit` and `tradecycle orders list`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import Engine, select

from tradecycle.adapters.store import schema as s
from tradecycle.coordinator.clock import WallClock
from tradecycle.core.types import OrderStatus
from tradecycle.errors import DataError, ReconcileError
from tradecycle.services import ledger, portfolio

from .common import App, AppContext, ConfigOption, DatabaseOption, JsonOption, console, open_context

app = App(help="The paper account: positions, cash, the ledger and its reconciliation.")
orders_app = App(help="Orders placed by the cycles.")


def _engine(ctx: AppContext) -> Engine:
    from tradecycle.adapters.store.database import prepare_database

    return prepare_database(ctx.settings.database_url)


def _print_json(payload: Any) -> None:
    console.print_json(json.dumps(payload, default=str))


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


@app.command("show")
def show(config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Cash, equity, P&L and the open positions.

    Example: [bold]tradecycle portfolio show --json[/]
    """
    ctx = open_context(config, database)
    with _engine(ctx).connect() as conn:
        account_id = portfolio.find_account(conn, ctx.settings)
        summary = portfolio.account_summary(conn, account_id)
        positions = portfolio.positions_table(conn, account_id)
    if as_json:
        _print_json({"account": summary, "positions": positions})
        return
    table = Table(title=f"account {summary['name']} as of {summary['as_of'] or 'no cycle yet'}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in (
        "cash",
        "positions_value",
        "equity",
        "net_deposits",
        "realized_pnl",
        "commission_paid",
        "daily_pnl",
        "total_pnl",
    ):
        table.add_row(key.replace("_", " "), _money(summary[key]))
    for key in ("var_95", "sharpe_ratio"):
        table.add_row(key.replace("_", " "), _money(summary["risk"].get(key)))
    console.print(table)
    held = Table(title=f"{len(positions)} open positions")
    for column in ("symbol", "quantity", "average cost", "price", "market value", "unrealised"):
        held.add_column(column, justify="left" if column == "symbol" else "right")
    for p in positions:
        held.add_row(
            p["symbol"],
            str(p["quantity"]),
            _money(p["average_cost"]),
            _money(p["current_price"]),
            _money(p["market_value"]),
            _money(p["unrealized_pnl"]),
        )
    console.print(held)


@app.command("reconcile")
def reconcile(
    config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False
) -> None:
    """Re-derive cash and positions from the transactions; exit 6 on any difference.

    Example: [bold]tradecycle portfolio reconcile[/]
    """
    ctx = open_context(config, database)
    with _engine(ctx).connect() as conn:
        problems = portfolio.reconcile(conn, portfolio.find_account(conn, ctx.settings))
    if as_json:
        _print_json({"ok": not problems, "differences": problems})
    if problems:
        raise ReconcileError(
            f"{len(problems)} difference(s) between the ledger and stored state: " + "; ".join(problems)
        )
    if not as_json:
        console.print("ledger reconciles: cash, positions and balance history agree with the transactions")


@app.command("deposit")
def deposit(
    amount: Annotated[str, typer.Argument(help="dollars, e.g. 2500 or 1250.50")],
    withdraw: Annotated[bool, typer.Option("--withdraw", help="take the amount out instead")] = False,
    at: Annotated[datetime | None, typer.Option(help="booking time (UTC if no offset); default now")] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deposit (or with --withdraw, withdraw) cash; the account is created on first use.

    Example: [bold]tradecycle portfolio deposit 5000[/]
    """
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise DataError(f"amount: {amount!r} is not a number of dollars") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise DataError(
            f"amount: must be a positive number of dollars with at most 2 decimals, got {amount!r}"
        )
    ctx = open_context(config, database)
    when = WallClock().now() if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    with _engine(ctx).begin() as conn:
        account_id = portfolio.ensure_account(conn, ctx.settings, at=when)
        ledger.deposit(conn, account_id, -value if withdraw else value, when)
        cash = ledger.cash_cents(conn, account_id) / 100
    if as_json:
        _print_json({"account_id": account_id, "cash": cash})
    else:
        console.print(f"{'withdrew' if withdraw else 'deposited'} {value:,.2f}; cash is now {cash:,.2f}")


@orders_app.command("list")
def list_orders(
    status: Annotated[OrderStatus | None, typer.Option(help="only orders in this status")] = None,
    symbol: Annotated[str | None, typer.Option(help="only this symbol")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="newest N orders")] = 50,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """The newest orders with their status and fills.

    Example: [bold]tradecycle orders list --status filled --limit 20[/]
    """
    ctx = open_context(config, database)
    o = s.orders.c
    query = (
        select(
            o.client_order_id,
            o.symbol,
            o.side,
            o.order_type,
            o.quantity,
            o.filled_quantity,
            o.average_fill_price,
            o.status,
            o.intent,
            o.exit_reason,
            o.created_timestamp,
        )
        .order_by(o.created_timestamp.desc(), o.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(o.status == status.value)
    if symbol:
        query = query.where(o.symbol == symbol.upper())
    with _engine(ctx).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if as_json:
        _print_json(rows)
        return
    table = Table(title=f"{len(rows)} orders")
    for column in (
        "created",
        "client order id",
        "side",
        "type",
        "qty",
        "filled",
        "avg price",
        "status",
        "why",
    ):
        table.add_column(column)
    for r in rows:
        table.add_row(
            f"{r['created_timestamp']:%Y-%m-%d %H:%M}",
            r["client_order_id"],
            r["side"],
            r["order_type"],
            str(r["quantity"]),
            str(r["filled_quantity"] or 0),
            _money(r["average_fill_price"]),
            r["status"],
            r["exit_reason"] or r["intent"] or "",
        )
    console.print(table)


def register(root: App) -> None:
    root.add_typer(app, name="portfolio")
    root.add_typer(orders_app, name="orders")
