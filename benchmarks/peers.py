"""The same SMA 20/50 crossover (long only, entries at the next open) in tradecycle,
backtrader and vectorbt, on the bundled universe, in one run.

tradecycle runs its cycle with every row written to the database; by default only the
phases sma_cross reads (strategy.analysis = "read": fills, strategy, exits, risk,
execution, portfolio), with --analysis all the scan, patterns and technicals too. The
peers run only the strategy in memory. Prints wall times, trade counts and the ratios.
Goal: >= 10x faster than backtrader, within 3x of vectorbt.

    pip install -e '.[bench]' && python benchmarks/peers.py [--start 2013-02-08 --end 2018-02-07] [--symbols N]

Measured 2026-11-25, quiet 2-core box, 505 symbols, 2013-05-01..2018-02-07:
tradecycle 41.4 s (1517 trades: every phase, every row, risk sizing and stops), backtrader
36.7 s (176 trades, cash-limited fixed-size entries), vectorbt 0.15 s after its JIT warm-up
(430 trades). Session 3, on a 2-3x slower machine (loop 107 ms): tradecycle 101.6 s (the
same 1517 trades), backtrader 114.3 s, vectorbt 0.24 s. Goals (>= 10x backtrader, <= 3x
vectorbt) NOT met: tradecycle runs a whole recorded cycle per session; the peers run the
crossover alone in memory. Session 4 (loop 97 ms): tradecycle with analysis=read 31.1 s (the
same 1517 trades), backtrader 87.5 s, vectorbt 0.14 s: 2.8x backtrader, 219x vectorbt; with
--analysis all (scan, patterns, technicals recorded too) 76.2 s against 29.3 s read (loop 79 ms).
Session 6 (loop 45-49 ms): tradecycle 7.95-8.28 s (1517 trades; 10.8 s at the session's
start), backtrader 29.7-36.2 s, vectorbt 0.09-0.10 s: 3.7-4.4x backtrader, 83-87x vectorbt. The bookkeeping alone
(six phases that do nothing, each with its transaction and tracking rows, plus the cycle's
own rows; benchmarks/cycle_floor.py) costs 0.83 ms a cycle on SQLite, 1.0 s for these 1200
sessions: already 10x vectorbt's whole run, so "within 3x of vectorbt" cannot be met by a
recorded cycle per session.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from _common import machine_speed
from sqlalchemy import func, select

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator.phases import enabled_phase_names
from tradecycle.coordinator.replay import replay
from tradecycle.core.panel import BarPanel
from tradecycle.settings import load_settings

FAST, SLOW = 20, 50
POSITION_VALUE = 10_000.0
INITIAL_CASH = 100_000.0


def run_tradecycle(
    start: date, end: date, symbols: list[str], workdir: Path, analysis: str
) -> tuple[float, int]:
    url = f"sqlite:///{workdir / 'peers.db'}"
    settings = load_settings(
        None,
        {
            "database_url": url,
            "data": {"provider": "bundled"},
            "strategy": {"name": "sma_cross", "sma_fast": FAST, "sma_slow": SLOW, "analysis": analysis},
            "broker": {"initial_cash": INITIAL_CASH},
            "ml": {"enabled": False},
            "news": {"sources": []},
        },
    )
    engine = prepare_database(url)
    print(f"tradecycle phases: {', '.join(enabled_phase_names(settings))}")
    started = time.perf_counter()
    summary = replay(engine, settings, start, end, symbols)
    seconds = time.perf_counter() - started
    if not summary.ok:
        raise SystemExit(f"tradecycle replay failed: {summary.first_failure}")
    with engine.connect() as conn:
        trades = conn.execute(select(func.count()).select_from(s.trades)).scalar_one()
    engine.dispose()
    return seconds, trades


def frames(panel: BarPanel) -> dict[str, pd.DataFrame]:
    index = pd.DatetimeIndex(panel.sessions.astype("datetime64[ns]"))
    return {
        field: pd.DataFrame(getattr(panel, field).T, index=index, columns=panel.symbols.tolist())
        for field in ("open", "high", "low", "close", "volume")
    }


def run_backtrader(panel: BarPanel, first_session: int) -> tuple[float, int]:
    import backtrader as bt

    data = frames(panel)

    class SmaCross(bt.Strategy):
        def __init__(self):
            self.crosses = [
                bt.ind.CrossOver(bt.ind.SMA(d.close, period=FAST), bt.ind.SMA(d.close, period=SLOW))
                for d in self.datas
            ]

        def next(self):
            if len(self) <= first_session:
                return
            for d, cross in zip(self.datas, self.crosses, strict=True):
                if not np.isfinite(d.close[0]):
                    continue
                held = self.getposition(d).size > 0
                if cross[0] > 0 and not held:
                    self.buy(data=d, size=int(POSITION_VALUE // d.close[0]))
                elif cross[0] < 0 and held:
                    self.close(data=d)

    started = time.perf_counter()
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.broker.setcash(INITIAL_CASH)
    for symbol in panel.symbols.tolist():
        frame = (
            pd.DataFrame({f: data[f][symbol] for f in ("open", "high", "low", "close", "volume")})
            .ffill()
            .bfill()
        )
        cerebro.adddata(bt.feeds.PandasData(dataname=frame), name=symbol)
    cerebro.addstrategy(SmaCross)
    cerebro.addanalyzer(bt.analyzers.TradeAnalyzer, _name="trades")
    strategy = cerebro.run()[0]
    trades = strategy.analyzers.trades.get_analysis().get("total", {}).get("total", 0)
    return time.perf_counter() - started, int(trades)


def run_vectorbt(panel: BarPanel, first_session: int) -> tuple[float, int]:
    import vectorbt as vbt

    data = frames(panel)
    started = time.perf_counter()
    close, open_ = data["close"].ffill(), data["open"].ffill()
    fast, slow = vbt.MA.run(close, FAST), vbt.MA.run(close, SLOW)
    entries = fast.ma_crossed_above(slow).to_numpy().copy()
    exits = fast.ma_crossed_below(slow).to_numpy().copy()
    entries[:first_session] = False
    # the signal of session t trades at the open of t + 1
    entries = pd.DataFrame(entries, index=close.index, columns=close.columns).shift(1, fill_value=False)
    exits = pd.DataFrame(exits, index=close.index, columns=close.columns).shift(1, fill_value=False)
    portfolio = vbt.Portfolio.from_signals(
        close,
        entries,
        exits,
        price=open_,
        size=POSITION_VALUE,
        size_type="value",
        init_cash=INITIAL_CASH,
        cash_sharing=True,
        group_by=True,
    )
    trades = int(portfolio.trades.count().sum())
    return time.perf_counter() - started, trades


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--start", default="2013-05-01", help="first traded session (earlier bars warm up the SMAs)"
    )
    parser.add_argument("--end", default="2018-02-07")
    parser.add_argument("--symbols", type=int, default=0, help="first N symbols only (default: all)")
    parser.add_argument(
        "--analysis",
        choices=("read", "all"),
        default="read",
        help="read: only the phases sma_cross reads (default); all: every analysis phase recorded too",
    )
    args = parser.parse_args()
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    panel = load_bundled_panel(end=end)
    if args.symbols:
        panel = panel.select(panel.symbols[: args.symbols].tolist())
    first_session = int(np.searchsorted(panel.sessions, np.datetime64(start, "D")))
    results = {}
    ours_label = f"tradecycle (analysis={args.analysis}, DB)"
    with tempfile.TemporaryDirectory() as scratch:
        results[ours_label] = run_tradecycle(start, end, panel.symbols.tolist(), Path(scratch), args.analysis)
    results["backtrader"] = run_backtrader(panel, first_session)
    run_vectorbt(panel.select(panel.symbols[:2].tolist()), first_session)  # numba compiles once; not timed
    results["vectorbt"] = run_vectorbt(panel, first_session)
    ours = results[ours_label][0]
    print(machine_speed())
    print(f"{panel.n_symbols} symbols, sessions {args.start}..{args.end}")
    for name, (seconds, trades) in results.items():
        print(
            f"{name:<30} {seconds:8.2f} s  {trades:6d} trades  tradecycle/this = {ours / seconds:6.2f}x time"
        )
    print(f"speed-up over backtrader: {results['backtrader'][0] / ours:.1f}x (goal >= 10x)")
    print(f"time relative to vectorbt: {ours / results['vectorbt'][0]:.1f}x (goal <= 3x)")


if __name__ == "__main__":
    main()
