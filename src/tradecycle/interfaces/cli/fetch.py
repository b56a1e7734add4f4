"""`tradecycle data fetch --provider yahoo|alpaca SYMBOLS --start --end`: online bars into the database.

Fetched bars pass the same validation at the door as an imported file: by default any
bad row rejects the whole fetch and nothing is written; with --skip-bad the good rows
are stored and every rejected row is listed. Registered on H2's `data` group when it
exists, else as a top-level `fetch` command.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tradecycle.adapters.marketdata.base import MarketDataProvider
from tradecycle.adapters.marketdata.providers import drop_unfinished, make_provider
from tradecycle.adapters.marketdata.store import import_bars
from tradecycle.adapters.store.database import prepare_database
from tradecycle.errors import DataError

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
from .cycle import parse_day

MAX_LISTED = 10
SYMBOLS_PER_CHUNK = {"yahoo": 10, "alpaca": 100}  # Yahoo: one request per symbol


def fetch(
    symbols: Annotated[list[str], typer.Argument(help="Symbols, space- or comma-separated (BRK.B style).")],
    start: Annotated[str, typer.Option("--start", help="First session, YYYY-MM-DD.")],
    provider: Annotated[
        Literal["yahoo", "alpaca"], typer.Option("--provider", "-p", help="Where to fetch from.")
    ] = "yahoo",
    end: Annotated[
        str | None, typer.Option("--end", help="Last session, YYYY-MM-DD (default: today).")
    ] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Store the good rows and list the rejected ones.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ignore and do not fill data.cache_dir.")
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch daily bars from Yahoo or Alpaca, validate them and store them in market_data.

    Example: [bold]tradecycle data fetch --provider yahoo AAPL MSFT --start 2024-01-02 --end 2024-06-28[/]
    (Alpaca needs broker.alpaca_api_key and broker.alpaca_secret_key.)
    """
    ctx = open_context(config, database)
    wanted = [p.strip().upper() for s in symbols for p in s.split(",") if p.strip()]
    if not wanted:
        raise DataError("no symbols given")
    now = datetime.now(UTC)
    today = now.date()
    first = parse_day(start, "--start")
    last = parse_day(end, "--end") if end else today
    source = make_provider(ctx.settings, provider, today, use_cache=not no_cache, now=now)
    frame, unfinished = drop_unfinished(_fetch_with_progress(source, wanted, first, last), now)
    empty = sorted(set(wanted) - set(frame["symbol"]))
    if frame.empty:
        raise DataError(f"{provider} returned no bars for {', '.join(wanted)} between {first} and {last}")
    shown = ",".join(wanted) if len(wanted) <= 5 else f"{','.join(wanted[:5])},...({len(wanted)} symbols)"
    name = f"{provider}:{shown}:{first}..{last}"
    engine = prepare_database(ctx.settings.database_url)
    try:
        with engine.begin() as conn:
            result = import_bars(conn, frame, name, skip_bad=skip_bad, source=provider)
    finally:
        engine.dispose()
    report = result.report
    summary = {
        "provider": provider,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "rows_fetched": len(frame),
        "rows_written": result.written,
        "rows_rejected": report.n_bad,
        "flags": len(report.flags),
        "symbols_without_bars": empty,
        "unfinished_sessions_skipped": unfinished,
        "issues": [str(i) for i in report.issues],
    }
    if as_json:
        print_json(summary)
        return
    table = Table("symbol", "first", "last", "bars", title=f"{provider}: {result.written} bars written")
    for symbol, group in frame.loc[~report.bad].groupby("symbol"):
        table.add_row(
            str(symbol), f"{group['date'].min():%Y-%m-%d}", f"{group['date'].max():%Y-%m-%d}", str(len(group))
        )
    console.print(table)
    for issue in report.issues[:MAX_LISTED]:
        console.print(f"  {issue.severity.value}: {issue}", highlight=False, markup=False, soft_wrap=True)
    if len(report.issues) > MAX_LISTED:
        console.print(f"  ... and {len(report.issues) - MAX_LISTED} more (use --json for all)")
    if unfinished:
        console.print(f"skipped {len(unfinished)} bars of a session still open (refetch after the close)")
    if empty:
        console.print(f"no bars for: {', '.join(empty)}", highlight=False, markup=False)


def _fetch_with_progress(
    source: MarketDataProvider, symbols: list[str], first: date, last: date
) -> pd.DataFrame:
    """Fetch in chunks so a long universe shows progress (on stderr, never in --json output)."""
    chunk = SYMBOLS_PER_CHUNK.get(source.name, 25)
    parts = []
    with Progress(
        TextColumn("fetching {task.fields[symbol]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=len(symbols) <= chunk,
    ) as progress:
        task = progress.add_task("fetch", total=len(symbols), symbol=symbols[0])
        for i in range(0, len(symbols), chunk):
            group = symbols[i : i + chunk]
            progress.update(task, symbol=group[0])
            parts.append(source.fetch_bars(group, first, last))
            progress.advance(task, len(group))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def register(root: App) -> None:
    try:
        from .data import app as data_app
    except ImportError:
        data_app = None
    (data_app if isinstance(data_app, App) else root).command("fetch")(fetch)
