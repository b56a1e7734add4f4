"""`tradecycle demo`: the whole system on bundled real data, in one command, offline."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from sqlalchemy import Engine, func, inspect, select

from tradecycle.adapters.store import schema as s
from tradecycle.config import SettingsModel
from tradecycle.errors import DatabaseError, TradecycleError

from .common import App, ConfigOption, DatabaseOption, JsonOption, console, open_context, print_json
from .cycle import SymbolsOption, parse_day, parse_symbols, replay_with_progress

DEMO_START = "2014-01-02"  # overlaps the bundled headlines (2014 to early 2016)
DEMO_END = "2015-12-31"
# Tables whose rows mean someone has used this database for work of their own.
WORK_TABLES = (s.trading_cycles, s.orders, s.trades, s.transactions, s.market_data)


def demo(
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Use a database that already holds work (a SQLite file is backed up first)."
        ),
    ] = False,
    start: Annotated[str, typer.Option("--start", help="First session to replay.")] = DEMO_START,
    end: Annotated[str, typer.Option("--end", help="Last session to replay.")] = DEMO_END,
    symbols: SymbolsOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load the bundled S&P 500 bars and replay two years of cycles for the whole universe.

    Writes into the configured database (default ./trading_system.db) and refuses one that
    already holds other work unless --force. Then open the dashboard with
    [bold]tradecycle serve[/]. Example: [bold]tradecycle demo --database sqlite:///./demo.db[/]
    """
    from tradecycle.adapters.store.database import prepare_database

    app_ctx = open_context(config, database, data={"provider": "bundled"})
    settings = app_ctx.settings
    first, last = parse_day(start, "--start"), parse_day(end, "--end")
    backup = _make_room(settings.database_url, force)
    engine = prepare_database(settings.database_url)
    if not as_json:
        console.print(
            f"[bold]tradecycle demo[/] into {_shown_url(engine)}" + (f" (backup: {backup})" if backup else "")
        )
    bars = _seed(engine, through=last)
    summary, seconds = replay_with_progress(
        engine, settings, first, last, parse_symbols(symbols), quiet=as_json
    )
    if not summary.ok:
        raise TradecycleError(f"demo replay stopped: {summary.first_failure}")
    result = _summary(
        engine, settings, first, last, summary.cycles_run + summary.cycles_skipped, seconds, bars
    )
    if as_json:
        print_json(result)
    else:
        _print_summary(result, settings)


def _make_room(url: str, force: bool) -> Path | None:
    """Refuse a database holding other work; with --force, back it up (SQLite) and start it afresh."""
    from tradecycle.adapters.store.database import backup_database, next_backup_path, open_engine, sqlite_path

    path = sqlite_path(url)
    if path is not None and not path.exists():
        return None
    engine = open_engine(url)
    try:
        busy = _work_rows(engine)
        if not busy:
            return None
        if not force:
            raise DatabaseError(
                f"{_shown_url(engine)} already holds work ({busy}); pass --force to back it up and replace it, "
                "or choose another database with --database"
            )
        backup = None
        if path is not None:
            backup = backup_database(url, next_backup_path(path, "before-demo"))
        s.metadata.drop_all(engine)
        with engine.begin() as conn:
            if "alembic_version" in inspect(conn).get_table_names():
                conn.exec_driver_sql("DROP TABLE alembic_version")
        return backup
    finally:
        engine.dispose()


def _work_rows(engine: Engine) -> str:
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        counts = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in WORK_TABLES
            if table.name in present
        }
    return ", ".join(f"{count} {name}" for name, count in counts.items() if count)


def _seed(engine: Engine, through: date) -> int:
    """Symbols with sectors, and the bundled bars up to the replay's last session into market_data
    (the dashboard charts them; bars after the replay's end would show it what it never saw)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from tradecycle.adapters.marketdata.bundled import BARS_FILE, DATA_DIR
    from tradecycle.adapters.marketdata.store import write_bars
    from tradecycle.adapters.marketdata.symbols import seed_symbols

    table = pq.read_table(DATA_DIR / BARS_FILE)
    frame = table.filter(pc.field("date") <= through).to_pandas()
    with engine.begin() as conn:
        seed_symbols(conn)
        return write_bars(conn, frame, source="bundled")


def _summary(
    engine: Engine, settings: SettingsModel, first: date, last: date, cycles: int, seconds: float, bars: int
) -> dict:
    from tradecycle.core import metrics
    from tradecycle.services.reporting.curve import default_account, load_equity_curve
    from tradecycle.services.reporting.performance import trading_performance

    with engine.connect() as conn:
        report = trading_performance(conn, settings)
        curve = load_equity_curve(conn, default_account(conn))
        trades = conn.execute(select(func.count()).select_from(s.trades)).scalar_one()
    rf, ppy = settings.reporting.risk_free_rate, settings.reporting.periods_per_year
    bench = metrics.return_stats(curve.benchmark, rf, ppy) if len(curve) > 1 else None
    return {
        "period": f"{first} to {last}",
        "bars_loaded": bars,
        "cycles": cycles,
        "seconds": round(seconds, 1),
        "trades": trades,
        "closed_trades": report.trades.trades,
        "win_rate": report.trades.win_rate,
        "initial_equity": report.initial_equity,
        "final_equity": report.final_equity,
        "total_return": report.returns.total_return,
        "max_drawdown": report.returns.max_drawdown,
        "sharpe": report.returns.sharpe,
        "benchmark_total_return": bench.total_return if bench else None,
        "benchmark_max_drawdown": bench.max_drawdown if bench else None,
        "benchmark_sharpe": bench.sharpe if bench else None,
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.2f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _print_summary(result: dict, settings: SettingsModel) -> None:
    table = Table(title=f"demo: {result['period']}, {result['cycles']} cycles in {result['seconds']} s")
    table.add_column("")
    table.add_column("tradecycle", justify="right")
    table.add_column("equal-weight buy and hold", justify="right")
    table.add_row("total return", _pct(result["total_return"]), _pct(result["benchmark_total_return"]))
    table.add_row("max drawdown", _pct(result["max_drawdown"]), _pct(result["benchmark_max_drawdown"]))
    table.add_row(
        f"Sharpe (rf {settings.reporting.risk_free_rate:.1%})",
        _num(result["sharpe"]),
        _num(result["benchmark_sharpe"]),
    )
    table.add_row("trades (closed)", f"{result['trades']} ({result['closed_trades']})", "")
    table.add_row("win rate", _pct(result["win_rate"]).lstrip("+"), "")
    equity = result["final_equity"]
    table.add_row("final equity", "-" if equity is None else f"${equity:,.2f}", "")
    console.print(table)
    console.print(
        Panel(
            "Open the dashboard: [bold]tradecycle serve[/] then http://127.0.0.1:8000/\n"
            "Reports: [bold]tradecycle report performance[/] · [bold]tradecycle report cycles[/]",
            title="next",
        )
    )


def _shown_url(engine: Engine) -> str:
    from tradecycle.adapters.store.database import mask_url

    return mask_url(engine.url.render_as_string(hide_password=False))


def register(app: App) -> None:
    app.command("demo")(demo)
