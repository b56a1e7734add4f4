"""`tradecycle report ...`: the reporting service's reports as Rich tables or JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from tradecycle.adapters.store.database import mask_url, open_engine
from tradecycle.coordinator.clock import WallClock
from tradecycle.errors import DatabaseError, DataError
from tradecycle.interfaces.formatting import money, num, pct
from tradecycle.services import reporting

from .common import App, ConfigOption, DatabaseOption, JsonOption, console, open_context, print_json

app = App(help="Reports: daily summary, performance, patterns, cycles, system health, HTML tearsheet.")

AccountOption = Annotated[
    int | None, typer.Option("--account", help="Account id (default: the oldest active).")
]


@contextmanager
def _reading(config: Path | None, database: str | None) -> Iterator[tuple[Connection, Any]]:
    settings = open_context(config, database).settings
    engine = open_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            yield conn, settings
    except DBAPIError as exc:
        first = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        raise DatabaseError(
            f"{mask_url(settings.database_url)}: {first} (is the schema created? run `tradecycle db upgrade`)"
        ) from None
    finally:
        engine.dispose()


def _plain(obj: Any) -> Any:
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj


def _pairs(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for k, v in rows:
        table.add_row(k, v)
    return table


def _emit(as_json: bool, payload: Any, render: Callable[[], None]) -> None:
    if as_json:
        print_json(_plain(payload) if not isinstance(payload, list) else [_plain(p) for p in payload])
    else:
        render()


@app.command("daily")
def daily(
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
    account: AccountOption = None,
    day: Annotated[
        str | None, typer.Option("--date", help="New York date YYYY-MM-DD (default: last session).")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, help="Days of realized P&L history.")] = 30,
) -> None:
    """What happened on one session: P&L, trades, orders, cycles; realized P&L of the days before."""
    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        raise DataError(f"--date: {day!r} is not a date (YYYY-MM-DD)") from None
    with _reading(config, database) as (conn, _):
        s = reporting.daily_summary(conn, account, on, days)

    def render() -> None:
        console.print(
            _pairs(
                f"Daily summary {s.date or '(no sessions yet)'}",
                [
                    ("Equity", money(s.equity)),
                    ("Cash", money(s.cash)),
                    ("Positions value", money(s.positions_value)),
                    ("Day P&L", f"{money(s.daily_pnl)} ({pct(s.daily_return)})"),
                    ("Total P&L", money(s.total_pnl)),
                    ("Open positions", str(s.open_positions)),
                    ("Trades opened / closed", f"{s.trades_opened} / {s.trades_closed}"),
                    ("Realized P&L (wins/losses)", f"{money(s.realized_pnl)} ({s.wins}/{s.losses})"),
                    ("Orders submitted / filled", f"{s.orders_submitted} / {s.orders_filled}"),
                    ("Cycles completed / failed", f"{s.cycles_completed} / {s.cycles_failed}"),
                ],
            )
        )
        history = Table(
            "Date", "Closed trades", "Realized P&L", "Wins", title="Realized P&L by day", title_justify="left"
        )
        for d in s.history:
            history.add_row(str(d.date), str(d.trades_closed), money(d.realized_pnl), str(d.wins))
        console.print(history)

    _emit(as_json, s, render)


@app.command("performance")
def performance(
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
    account: AccountOption = None,
    sessions: Annotated[
        int | None, typer.Option("--sessions", min=1, help="Only the last N sessions.")
    ] = None,
) -> None:
    """Total return, CAGR, Sharpe, Sortino, Calmar, drawdown, trade statistics, exposure, vs the benchmark."""
    with _reading(config, database) as (conn, settings):
        p = reporting.trading_performance(conn, settings, account, sessions)

    def render() -> None:
        r, t, b = p.returns, p.trades, p.benchmark
        rows = [
            ("Period", f"{p.start} → {p.end} ({p.sessions} sessions)" if p.start else "no sessions yet"),
            ("Equity", f"{money(p.initial_equity)} → {money(p.final_equity)}"),
            ("Total return", pct(r.total_return)),
            ("CAGR", pct(r.cagr)),
            ("Volatility (ann.)", pct(r.volatility)),
            (f"Sharpe (rf {p.risk_free_rate:.2%})", num(r.sharpe)),
            ("Sortino", num(r.sortino)),
            ("Calmar", num(r.calmar)),
            ("Max drawdown", pct(r.max_drawdown)),
            ("Max drawdown duration", f"{r.max_drawdown_duration} sessions"),
            ("Exposure", pct(p.exposure)),
            ("Closed trades", str(t.trades)),
            ("Win rate", pct(t.win_rate)),
            ("Profit factor", num(t.profit_factor)),
            ("Expectancy", money(t.expectancy)),
            ("Net profit (closed)", money(t.net_profit)),
        ]
        if b is not None:
            rows += [
                ("Benchmark return", pct(b.benchmark_total_return)),
                ("Excess return", pct(b.excess_return)),
                ("Beta", num(b.beta)),
                ("Alpha (ann.)", pct(b.alpha_annual)),
                ("Information ratio", num(b.information_ratio)),
            ]
        console.print(_pairs("Trading performance", rows))

    _emit(as_json, p, render)


@app.command("patterns")
def patterns(
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
    account: AccountOption = None,
) -> None:
    """Per pattern: hits, trades entered on it, win rate, average return."""
    with _reading(config, database) as (conn, _):
        rows = reporting.pattern_effectiveness(conn, account)

    def render() -> None:
        table = Table("Pattern", "Type", "Hits", "Trades", "Win rate", "Avg return", "Total P&L")
        for r in rows:
            table.add_row(
                r.pattern_name, r.pattern_type, str(r.hits), str(r.trades), pct(r.win_rate), pct(r.average_return), money(r.total_pnl),
            )  # fmt: skip
        console.print(table)

    _emit(as_json, rows, render)


@app.command("cycles")
def cycles(
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
    last: Annotated[int | None, typer.Option("--last", min=1, help="Cycles to analyse.")] = None,
) -> None:
    """Cycle outcomes, durations and per-phase failure rates of the most recent cycles."""
    with _reading(config, database) as (conn, settings):
        a = reporting.cycle_analysis(conn, settings, last)

    def render() -> None:
        console.print(
            f"[bold]{a.cycles}[/] cycles ({a.first_as_of} → {a.last_as_of}): {a.completed} completed, "
            f"{a.failed} failed, {a.running} running; success rate {pct(a.success_rate)}; "
            f"mean {num(a.mean_duration_seconds, 3)} s, p95 {num(a.p95_duration_seconds, 3)} s"
        )
        table = Table("Phase", "Runs", "Failures", "Failure rate", "Mean s", "p95 s", "Max s", "Mean items")
        for ph in a.phases:
            table.add_row(
                ph.phase, str(ph.runs), str(ph.failures), pct(ph.failure_rate), num(ph.mean_seconds, 4),
                num(ph.p95_seconds, 4), num(ph.max_seconds, 4), num(ph.mean_items, 1),
            )  # fmt: skip
        console.print(table)
        for e in a.recent_errors:
            console.print(f"[red]failed[/] {e.cycle_id} in {e.phase or '?'}: {e.message}", highlight=False)

    _emit(as_json, a, render)


@app.command("health")
def health(config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Services and heartbeats, the last cycle, and what looks wrong."""
    with _reading(config, database) as (conn, settings):
        h = reporting.system_health(conn, settings, WallClock().now())

    def render() -> None:
        colour = {"healthy": "green", "degraded": "yellow"}.get(h.status, "red")
        console.print(
            f"System [bold {colour}]{h.status}[/] ({h.database}); last cycle {h.last_cycle_id} {h.last_cycle_status}"
        )
        table = Table("Service", "Host:port", "Status", "Last heartbeat", "Age s", "Stale")
        for sv in h.services:
            table.add_row(
                sv.service_name, f"{sv.host}:{sv.port}", sv.status, str(sv.last_heartbeat),
                num(sv.seconds_since_heartbeat, 0), "yes" if sv.stale else "no",
            )  # fmt: skip
        console.print(table)
        for problem in h.problems:
            console.print(f"[yellow]•[/] {problem}", highlight=False)

    _emit(as_json, h, render)


@app.command("tearsheet")
def tearsheet(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
    account: AccountOption = None,
) -> None:
    """Write a self-contained HTML tearsheet (equity vs benchmark, drawdown, statistics)."""
    from tradecycle.interfaces.dashboard.tearsheet import render_tearsheet

    if out.exists() and out.is_dir():
        raise DataError(f"--out: {out} is a directory")
    if not out.parent.is_dir():
        raise DataError(f"--out: folder {out.parent} does not exist")
    with _reading(config, database) as (conn, settings):
        report = reporting.trading_performance(conn, settings, account)
        curve = reporting.load_equity_curve(conn, report.account_id)
    out.write_text(render_tearsheet(report, curve, WallClock().now()), encoding="utf-8")
    console.print(f"wrote {out} ({report.sessions} sessions)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="report")
