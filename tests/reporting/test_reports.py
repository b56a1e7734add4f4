"""Reports on a known database, on SQLite and PostgreSQL; metrics cross-checked against QuantStats."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from tradecycle.config import SettingsModel
from tradecycle.services import reporting

RF = 0.03


@pytest.fixture
def settings():
    return SettingsModel(reporting={"risk_free_rate": RF, "periods_per_year": 252})


def test_performance_matches_quantstats(populated, settings):
    qs = pytest.importorskip("quantstats")
    engine, data = populated
    with engine.connect() as conn:
        report = reporting.trading_performance(conn, settings)
    returns = pd.Series(data.equity, index=data.sessions).pct_change().dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = {
            "sharpe": qs.stats.sharpe(returns, rf=RF, periods=252),
            "sortino": qs.stats.sortino(returns, rf=RF, periods=252),
            "max_drawdown": qs.stats.max_drawdown(pd.Series(data.equity, index=data.sessions)),
            "total_return": qs.stats.comp(returns),
            "volatility": qs.stats.volatility(returns, periods=252),
        }
    assert report.sessions == len(data.sessions)
    assert report.returns.sharpe == pytest.approx(expected["sharpe"], rel=1e-6)
    assert report.returns.sortino == pytest.approx(expected["sortino"], rel=1e-6)
    assert report.returns.max_drawdown == pytest.approx(expected["max_drawdown"], rel=1e-9)
    assert report.returns.total_return == pytest.approx(expected["total_return"], rel=1e-9)
    assert report.returns.volatility == pytest.approx(expected["volatility"], rel=1e-9)
    years = len(returns) / 252
    assert report.returns.cagr == pytest.approx((1 + expected["total_return"]) ** (1 / years) - 1, rel=1e-9)
    assert report.benchmark is not None
    assert report.benchmark.benchmark_total_return == pytest.approx(
        data.benchmark[-1] / data.benchmark[0] - 1
    )


def test_trade_statistics_come_from_closed_trades(populated, settings):
    engine, _ = populated
    from sqlalchemy import select

    from tradecycle.adapters.store.schema import trades

    with engine.connect() as conn:
        report = reporting.trading_performance(conn, settings)
        pnl = np.array(
            conn.execute(select(trades.c.profit_loss).where(trades.c.status == "closed")).scalars().all()
        )
    assert report.trades.trades == pnl.size > 0
    assert report.trades.win_rate == pytest.approx((pnl > 0).mean())
    assert report.trades.profit_factor == pytest.approx(pnl[pnl > 0].sum() / -pnl[pnl < 0].sum())
    assert report.trades.expectancy == pytest.approx(pnl.mean())
    assert report.exposure == pytest.approx(1.0)


def test_last_n_sessions_window(populated, settings):
    engine, data = populated
    with engine.connect() as conn:
        report = reporting.trading_performance(conn, settings, sessions=10)
    assert report.returns.periods == 10
    assert report.end == data.sessions[-1].date()
    assert report.returns.total_return == pytest.approx(data.equity[-1] / data.equity[-11] - 1)


def test_daily_summary_of_the_last_session(populated):
    engine, data = populated
    with engine.connect() as conn:
        summary = reporting.daily_summary(conn)
    assert summary.date == data.sessions[-1].date()
    assert summary.equity == pytest.approx(data.equity[-1])
    assert summary.daily_pnl == pytest.approx(data.equity[-1] - data.equity[-2])
    assert summary.total_pnl == pytest.approx(data.equity[-1] - 100_000.0)
    assert summary.cycles_completed == 1
    assert sum(d.trades_closed for d in summary.history) >= 1


def test_daily_summary_counts_a_trading_day(populated):
    engine, data = populated
    day = data.sessions[12].date()  # an entry session (every third) that also closes the trade of session 8
    with engine.connect() as conn:
        summary = reporting.daily_summary(conn, day=day)
    assert summary.trades_opened == 1
    assert summary.orders_submitted == summary.orders_filled >= 1


def test_pattern_effectiveness_links_trades_to_the_entry_cycle(populated):
    engine, _ = populated
    with engine.connect() as conn:
        rows = reporting.pattern_effectiveness(conn)
        perf = reporting.trading_performance(conn, SettingsModel())
    by_name = {r.pattern_name: r for r in rows}
    assert by_name["hammer"].trades == perf.trades.trades
    assert by_name["hammer"].win_rate == pytest.approx(perf.trades.win_rate)
    assert sum(r.hits for r in rows) == 5 * 60
    assert by_name["volume_spike"].trades == 0 and by_name["volume_spike"].win_rate is None


def test_cycle_analysis_counts_failures_per_phase(populated, settings):
    engine, data = populated
    with engine.connect() as conn:
        analysis = reporting.cycle_analysis(conn, settings, last=len(data.cycle_ids))
    assert analysis.cycles == len(data.cycle_ids)
    assert analysis.failed == len(data.failed_cycle_ids)
    phases = {p.phase: p for p in analysis.phases}
    assert phases["ml"].failures == len(data.failed_cycle_ids)
    assert phases["portfolio"].runs == len(data.cycle_ids) - len(data.failed_cycle_ids)
    assert {e.cycle_id for e in analysis.recent_errors} == set(data.failed_cycle_ids)


def test_system_health_flags_stale_heartbeats(populated, settings):
    engine, data = populated
    beat = datetime.combine(data.sessions[-1].date(), datetime.min.time(), UTC).replace(hour=21, minute=6)
    with engine.connect() as conn:
        fresh = reporting.system_health(conn, settings, beat)
        later = reporting.system_health(conn, settings, beat.replace(hour=23))
    services = {sv.service_name: sv for sv in fresh.services}
    assert not services["coordinator"].stale and services["scanner"].stale
    assert fresh.status == "degraded"
    assert all(sv.stale for sv in later.services)
    assert fresh.last_cycle_id == data.cycle_ids[-1]


def test_empty_database_reports_nothing_without_failing(engine, settings):
    from tradecycle.adapters.store.schema import metadata

    metadata.create_all(engine)
    with engine.connect() as conn:
        perf = reporting.trading_performance(conn, settings)
        daily = reporting.daily_summary(conn)
        cycles = reporting.cycle_analysis(conn, settings)
        health = reporting.system_health(conn, settings, datetime(2024, 1, 2, tzinfo=UTC))
    assert perf.sessions == 0 and perf.returns.sharpe is None and perf.trades.trades == 0
    assert daily.date is None and daily.equity is None
    assert cycles.cycles == 0 and cycles.success_rate is None
    assert health.status == "healthy" and health.last_cycle_id is None


def test_tearsheet_of_an_account_without_marks(populated, settings):
    from tradecycle.interfaces.dashboard.tearsheet import render_tearsheet

    engine, _ = populated
    with engine.connect() as conn:
        report = reporting.trading_performance(conn, settings, account_id=99)
        curve = reporting.load_equity_curve(conn, 99)
    html = render_tearsheet(report, curve, datetime(2024, 1, 2, tzinfo=UTC))
    assert "Not enough sessions" in html and "no sessions yet" in html
