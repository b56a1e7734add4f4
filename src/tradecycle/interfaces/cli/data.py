"""`tradecycle data ...`: import, check, inspect and seed daily bars.

Every import is validated first and written in one transaction: a file with bad
rows is rejected whole unless --skip-bad, which stores the good rows and writes a
rejects report (file, row, field, reason for every issue).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from tradecycle.errors import DataError

from .common import App, ConfigOption, DatabaseOption, JsonOption, console, open_context, print_json

app = App(help="Import, check, inspect and seed daily bars.")

FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help="csv or parquet (default: from the file name).")
]
MapOption = Annotated[
    str | None,
    typer.Option(
        "--map",
        help="Column mapping target=column, comma separated, e.g. date=Date,symbol=Name "
        "(targets: date, symbol, open, high, low, close, volume).",
    ),
]
SymbolOption = Annotated[
    str | None,
    typer.Option("--symbol", help="Symbol of every row, for files without a symbol column (Yahoo)."),
]
RejectsOption = Annotated[
    Path | None,
    typer.Option("--rejects", help="Where to write the rejects report (CSV, one line per issue)."),
]
SHOWN_ISSUES = 20
PROGRESS_MIN_BYTES = 5_000_000


def _format(value: str | None) -> Literal["csv", "parquet"] | None:
    if value is None:
        return None
    value = value.lower()
    if value not in ("csv", "parquet"):
        raise DataError(f"--format must be csv or parquet, not {value!r}")
    return value  # type: ignore[return-value]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _read(path: Path, fmt: str | None, mapping: str | None, symbol: str | None):
    from tradecycle.adapters.marketdata.files import parse_mapping, read_bars

    columns = parse_mapping(mapping)
    if not path.is_file() or path.stat().st_size < PROGRESS_MIN_BYTES:
        return read_bars(path, _format(fmt), columns, symbol)
    with _progress() as progress:
        task = progress.add_task(f"reading {path.name}", total=path.stat().st_size)
        return read_bars(
            path,
            _format(fmt),
            columns,
            symbol,
            progress=lambda done, total: progress.update(task, completed=done),
        )


def _say(text: str) -> None:
    """Plain text out: data values such as '[low, high]' must not be read as Rich markup."""
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _report_dict(report) -> dict:
    return {
        "source": report.source,
        "rows": report.n_rows,
        "bad_rows": report.n_bad,
        "flagged": len(report.flags),
        "issues_by_reason": report.counts(),
    }


def _print_report(report) -> None:
    _say(f"{report.source}: {report.n_rows} rows, {report.n_bad} bad, {len(report.flags)} flagged")
    for reason, count in report.counts().items():
        _say(f"  {reason}: {count}")
    for issue in report.issues[:SHOWN_ISSUES]:
        _say(f"  [{issue.severity}] {issue}")
    if len(report.issues) > SHOWN_ISSUES:
        _say(f"  ... and {len(report.issues) - SHOWN_ISSUES} more")


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="CSV (optionally .gz) or Parquet file of daily bars.")],
    fmt: FormatOption = None,
    mapping: MapOption = None,
    symbol: SymbolOption = None,
    rejects: RejectsOption = None,
    json: JsonOption = False,
) -> None:
    """Validate a bar file without storing anything; exit code 4 if it has bad rows.

    Example: [bold]tradecycle data check prices.csv --map date=Date,symbol=Name[/]
    """
    from tradecycle.adapters.marketdata.validate import validate_bars

    frame = _read(path, fmt, mapping, symbol)
    report = validate_bars(frame, path.name)
    if rejects is not None:
        report.rejects_frame().to_csv(rejects, index=False)
    if json:
        print_json(_report_dict(report))
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(DataError.exit_code)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV (optionally .gz) or Parquet file of daily bars.")],
    fmt: FormatOption = None,
    mapping: MapOption = None,
    symbol: SymbolOption = None,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Store the good rows and write a rejects report instead of failing."),
    ] = False,
    rejects: RejectsOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    json: JsonOption = False,
) -> None:
    """Validate and store daily bars in market_data (one transaction; same bars are replaced).

    Examples:
      [bold]tradecycle data import all_stocks_5yr.csv[/]   (Kaggle layout: date,open,high,low,close,volume,Name)
      [bold]tradecycle data import AAPL.csv --symbol AAPL[/]   (Yahoo layout: Date,Open,High,Low,Close,Adj Close,Volume)
      [bold]tradecycle data import bars.parquet --map date=day,symbol=ticker --skip-bad --rejects bad.csv[/]
    """
    from tradecycle.adapters.marketdata.store import WRITE_CHUNK, import_bars
    from tradecycle.adapters.store.database import prepare_database

    ctx = open_context(config, database)
    frame = _read(path, fmt, mapping, symbol)
    engine = prepare_database(ctx.settings.database_url)
    with engine.begin() as conn, _progress() as progress:
        task = progress.add_task("writing bars", total=len(frame), visible=len(frame) > WRITE_CHUNK)
        imported = import_bars(
            conn,
            frame,
            path.name,
            skip_bad=skip_bad,
            source=path.name[:32],
            progress=lambda done, _total: progress.update(task, completed=done),
        )
    report, written = imported.report, imported.written
    rejects_path = None
    if report.issues and (skip_bad or rejects is not None):
        rejects_path = rejects or Path(f"{path.name}.rejects.csv")
        report.rejects_frame().to_csv(rejects_path, index=False)
    result = {
        **_report_dict(report),
        "written": written,
        "rejects_file": str(rejects_path) if rejects_path else None,
    }
    if json:
        print_json(result)
        return
    _say(
        f"{path.name}: stored {written} bars; {report.n_bad} bad rows skipped, {len(report.flags)} flagged",
    )
    if rejects_path:
        _say(f"rejects report: {rejects_path}")


@app.command("info")
def info(
    bundled: Annotated[
        bool, typer.Option("--bundled", help="Describe the bundled sample instead of the database.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="How many incomplete symbols to list.")] = 40,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    json: JsonOption = False,
) -> None:
    """Symbols, date range, bar count, gaps per symbol and symbols whose sector is 'Unknown'."""
    from tradecycle.adapters.marketdata.coverage import coverage
    from tradecycle.adapters.marketdata.symbols import UNKNOWN, sector_map

    if bundled:
        from tradecycle.adapters.marketdata.bundled import load_bundled_panel

        panel, sectors, source = load_bundled_panel(), sector_map(), "bundled sample"
    else:
        from tradecycle.adapters.marketdata.store import load_panel
        from tradecycle.adapters.store.database import prepare_database

        ctx = open_context(config, database)
        with prepare_database(ctx.settings.database_url).connect() as conn:
            panel, sectors = load_panel(conn), sector_map(conn)
        source = "database"
    if panel.n_sessions == 0:
        raise DataError(
            f"the {source} has no daily bars; store some with `tradecycle data seed` or `tradecycle data import PATH`"
        )
    cov = coverage(panel)
    unknown = sorted(s for s in panel.symbols.tolist() if sectors.get(s, UNKNOWN) == UNKNOWN)
    if json:
        print_json(
            {
                "source": source,
                "symbols": cov.symbols,
                "sessions": cov.sessions,
                "first": cov.first,
                "last": cov.last,
                "bars": cov.bars,
                "unknown_sector": unknown,
                "incomplete": [c.__dict__ for c in cov.incomplete],
            }
        )
        return
    _say(
        f"{source}: {cov.symbols} symbols, {cov.sessions} sessions ({cov.first} to {cov.last}), {cov.bars} bars",
    )
    complete = cov.symbols - len(cov.incomplete)
    _say(f"{complete} symbols have every session; {len(cov.incomplete)} miss some")
    if cov.incomplete:
        table = Table("symbol", "bars", "first", "last", "missing", "interior gaps")
        for c in cov.incomplete[:limit]:
            table.add_row(
                c.symbol, str(c.bars), c.first or "-", c.last or "-", str(c.missing), str(c.interior_gaps)
            )
        console.print(table)
        if len(cov.incomplete) > limit:
            _say(f"... and {len(cov.incomplete) - limit} more (--limit)")
    _say(
        f"sector Unknown: {len(unknown)} symbols" + (f" ({', '.join(unknown)})" if unknown else ""),
    )


@app.command("seed")
def seed(
    bars: Annotated[
        bool, typer.Option("--bars/--no-bars", help="Also store the bundled bars in market_data.")
    ] = True,
    start: Annotated[
        str | None, typer.Option("--start", help="First session of bars to store (YYYY-MM-DD).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="Last session of bars to store (YYYY-MM-DD).")
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    json: JsonOption = False,
) -> None:
    """Fill the symbols table (sector, sub-industry) and market_data from the bundled sample."""
    from tradecycle.adapters.marketdata.bundled import bundled_frame
    from tradecycle.adapters.marketdata.store import write_bars
    from tradecycle.adapters.marketdata.symbols import seed_symbols
    from tradecycle.adapters.store.database import prepare_database

    ctx = open_context(config, database)
    engine = prepare_database(ctx.settings.database_url)
    written = 0
    with engine.begin() as conn:
        symbols = seed_symbols(conn)
        if bars:
            frame = bundled_frame(start, end)
            with _progress() as progress:
                task = progress.add_task("writing bundled bars", total=len(frame))
                written = write_bars(
                    conn,
                    frame,
                    source="bundled",
                    progress=lambda done, _total: progress.update(task, completed=done),
                )
    if json:
        print_json({"symbols_changed": symbols, "bars_written": written})
        return
    _say(f"symbols added or updated: {symbols}; bundled bars stored: {written}")


def register(root: App) -> None:
    root.add_typer(app, name="data")
