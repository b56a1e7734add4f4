"""The dashboard in Chromium after a short replay: numbers equal the database's, navigation works,
a cycle starts from the system page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tradecycle.adapters.store import schema as s
from tradecycle.services import reporting

pytestmark = pytest.mark.browser


def _value(page, testid: str) -> float:
    return float(page.get_attribute(f"[data-testid=kpi-{testid}]", "data-value"))


def test_overview_shows_the_database_numbers(page, replayed):
    _, engine = replayed
    page.goto("/")
    page.wait_for_selector("[data-testid=kpi-equity]")
    with engine.connect() as conn:
        last = conn.execute(
            select(s.portfolio_status.c.total_value, s.portfolio_status.c.cash_balance)
            .order_by(s.portfolio_status.c.timestamp.desc(), s.portfolio_status.c.id.desc())
            .limit(1)
        ).one()
        open_positions = conn.execute(select(func.count()).where(s.positions.c.quantity > 0)).scalar_one()
    assert _value(page, "equity") == pytest.approx(last.total_value)
    assert _value(page, "cash") == pytest.approx(last.cash_balance)
    assert f"{last.total_value:,.2f}" in page.inner_text("[data-testid=kpi-equity]")
    assert _value(page, "positions") == open_positions
    assert page.locator("[data-testid=positions] tbody tr").count() == open_positions
    settings, _ = replayed
    with engine.connect() as conn:
        perf = reporting.trading_performance(conn, settings)
    assert _value(page, "max-drawdown") == pytest.approx(perf.returns.max_drawdown)
    if perf.returns.sharpe is not None:
        assert _value(page, "sharpe") == pytest.approx(perf.returns.sharpe)
    assert int(page.get_attribute("[data-testid=equity-chart]", "data-points")) >= 20
    assert page.locator("#equity-chart canvas").count() > 0


def test_click_through_a_cycle_to_a_symbol(page, replayed):
    _, engine = replayed
    page.goto("/#/cycles")
    page.wait_for_selector("[data-testid=cycles] tbody tr")
    with engine.connect() as conn:
        cycles = conn.execute(select(func.count()).select_from(s.trading_cycles)).scalar_one()
    assert page.locator("[data-testid=cycles] tbody tr").count() == min(cycles, 50)
    first = page.locator("[data-testid=cycles] a[data-cycle]").first
    cycle_id = first.get_attribute("data-cycle")
    first.click()
    page.wait_for_selector("[data-testid=cycle-id]")
    assert page.inner_text("[data-testid=cycle-id]") == cycle_id
    with engine.connect() as conn:
        candidates = conn.execute(
            select(func.count()).where(s.scanning_results.c.cycle_id == cycle_id)
        ).scalar_one()
        phases = conn.execute(
            select(func.count()).where(s.workflow_tracking.c.cycle_id == cycle_id)
        ).scalar_one()
    assert _value(page, "candidates") == candidates
    assert page.locator("[data-testid=phases] tbody tr").count() == phases
    link = page.locator("[data-testid=candidates] a[data-symbol]").first
    symbol = link.get_attribute("data-symbol")
    link.click()
    page.wait_for_selector("[data-testid=symbol]")
    assert page.inner_text("[data-testid=symbol]") == symbol
    page.wait_for_selector("#price-chart canvas")
    assert int(page.get_attribute("[data-testid=price-chart]", "data-bars")) > 20


def test_symbol_page_shows_the_last_close(page, replayed):
    from tradecycle.adapters.marketdata.bundled import load_bundled_panel

    _, engine = replayed
    with engine.connect() as conn:
        traded = conn.execute(select(s.trades.c.symbol).order_by(s.trades.c.id).limit(1)).scalar_one()
        last_mark = conn.execute(select(func.max(s.portfolio_status.c.timestamp))).scalar_one()
    panel = load_bundled_panel(end=last_mark.date(), symbols=[traded]).asof(last_mark)
    page.goto(f"/#/symbols/{traded}")
    page.wait_for_selector("[data-testid=kpi-last-close]")
    assert _value(page, "last-close") == pytest.approx(float(panel.close[0, -1]))
    assert page.locator("[data-testid=symbol-trades] tbody tr").count() >= 1


def test_trades_filter_and_csv_link(page, replayed):
    _, engine = replayed
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(s.trades)).scalar_one()
        closed = conn.execute(select(func.count()).where(s.trades.c.status == "closed")).scalar_one()
    page.goto("/#/trades")
    page.wait_for_selector("[data-testid=pager-range]")
    assert page.inner_text("[data-testid=pager-range]").endswith(f"of {total}")
    page.select_option("#f-status", "closed")
    page.click("#trade-filters button[type=submit]")
    page.wait_for_selector("#csv-link[href*='status=closed']")
    assert page.inner_text("[data-testid=pager-range]").endswith(f"of {closed}")
    statuses = page.locator("[data-testid=trades] td[data-col=status]").all_inner_texts()
    assert set(statuses) <= {"closed"}


def test_start_a_cycle_from_the_system_page(page, replayed):
    _, engine = replayed
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(s.trading_cycles)).scalar_one()
    page.goto("/#/system")
    page.wait_for_selector("#start-cycle")
    page.fill("#token", "wrong-token")
    page.click("#start-button")
    page.wait_for_selector("[data-testid=start-result][data-status=error]")
    assert "token" in page.inner_text("[data-testid=start-result]")
    page.fill("#token", "browser-test-token")
    page.click("#start-button")
    page.wait_for_selector("[data-testid=start-result][data-status=completed]", timeout=60_000)
    cycle_id = page.get_attribute("[data-testid=start-result]", "data-cycle")
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(s.trading_cycles)).scalar_one()
        status = conn.execute(
            select(s.trading_cycles.c.status).where(s.trading_cycles.c.cycle_id == cycle_id)
        ).scalar_one()
    assert after == before + 1 and status == "completed"
    page.wait_for_function(
        f"document.getElementById('live').textContent.includes('{cycle_id}')", timeout=10_000
    )


def test_api_docs_render_offline(page):
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 20


def test_dashboard_follows_a_running_cycle(page, replayed):
    """A cycle that starts elsewhere (scheduler, CLI) shows up without a reload, and so does its end."""
    from datetime import UTC, datetime

    _, engine = replayed
    page.goto("/#/cycles")
    page.wait_for_selector("[data-testid=cycles] tbody tr")
    cycle_id = "cycle_20990101_210500"
    with engine.begin() as conn:
        conn.execute(
            s.trading_cycles.insert().values(
                cycle_id=cycle_id,
                status="running",
                as_of=datetime(2099, 1, 1, 21, 5, tzinfo=UTC),
                mode="live",
            )
        )
    try:
        page.wait_for_selector("#live.running", timeout=10_000)
        assert cycle_id in page.inner_text("#live")
        page.wait_for_selector(f"[data-testid=cycles] a[data-cycle={cycle_id}]", timeout=10_000)
        with engine.begin() as conn:
            conn.execute(
                s.trading_cycles.update()
                .where(s.trading_cycles.c.cycle_id == cycle_id)
                .values(status="completed")
            )
        page.wait_for_function(
            f"document.getElementById('live').textContent.includes('{cycle_id} · completed')", timeout=10_000
        )
    finally:
        with engine.begin() as conn:
            conn.execute(s.trading_cycles.delete().where(s.trading_cycles.c.cycle_id == cycle_id))
