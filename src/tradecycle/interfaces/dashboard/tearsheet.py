"""A self-contained HTML tearsheet: inline CSS and SVG, no script, no network.

One file a user can mail or archive: the equity curve against the benchmark, the
drawdown, and the performance and trade tables of a PerformanceReport.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

import numpy as np

from tradecycle.core.metrics import drawdown_series
from tradecycle.interfaces.formatting import dollars, num, pct
from tradecycle.services.reporting import EquityCurve, PerformanceReport

WIDTH, HEIGHT, PAD = 900, 260, 40

CSS = """
body{background:#0f1419;color:#d5dbe3;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:24px 0 8px;color:#8fa1b3;text-transform:uppercase;letter-spacing:.06em}
.sub{color:#8fa1b3}table{border-collapse:collapse;min-width:420px}td,th{padding:4px 12px;border-bottom:1px solid #223}
td.n{text-align:right;font-variant-numeric:tabular-nums}.grid{display:flex;gap:32px;flex-wrap:wrap}
svg{background:#131a22;border:1px solid #223;border-radius:4px}.pos{color:#3fb68b}.neg{color:#f0616d}
"""


def _polyline(values: np.ndarray, lo: float, hi: float, colour: str) -> str:
    finite = np.isfinite(values)
    if finite.sum() < 2:
        return ""
    xs = np.linspace(PAD, WIDTH - 10, values.size)
    span = hi - lo if hi > lo else 1.0
    ys = HEIGHT - PAD / 2 - (values - lo) / span * (HEIGHT - PAD)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y, ok in zip(xs, ys, finite, strict=True) if ok)
    return f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{points}"/>'


def _chart(series: list[tuple[str, np.ndarray, str]], label_fmt) -> str:
    finite = [v[np.isfinite(v)] for _, v, _ in series]
    stacked = np.concatenate(finite) if finite else np.empty(0)
    if stacked.size < 2:
        return "<p class='sub'>Not enough sessions to draw a chart.</p>"
    lo, hi = float(stacked.min()), float(stacked.max())
    lines = "".join(_polyline(values, lo, hi, colour) for _, values, colour in series)
    legend = "".join(
        f'<text x="{PAD + 140 * i}" y="14" fill="{colour}" font-size="12">{escape(name)}</text>'
        for i, (name, _, colour) in enumerate(series)
    )
    axis = (
        f'<text x="2" y="{PAD / 2 + 4}" fill="#8fa1b3" font-size="11">{escape(label_fmt(hi))}</text>'
        f'<text x="2" y="{HEIGHT - PAD / 2}" fill="#8fa1b3" font-size="11">{escape(label_fmt(lo))}</text>'
    )
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">{legend}{axis}{lines}</svg>'
    )


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><td>{escape(k)}</td><td class='n'>{escape(v)}</td></tr>" for k, v in pairs)


def render_tearsheet(report: PerformanceReport, curve: EquityCurve, generated_at: datetime) -> str:
    """The whole HTML document for `report`, drawn over the same `curve` it was computed on."""
    r, t, b = report.returns, report.trades, report.benchmark
    benchmark = curve.benchmark
    if benchmark.size and np.isfinite(benchmark[0]) and benchmark[0] > 0 and curve.equity.size:
        benchmark = benchmark / benchmark[0] * curve.equity[0]
    equity_svg = _chart(
        [("Portfolio", curve.equity, "#4da3ff"), ("Benchmark", benchmark, "#c9a227")], dollars
    )
    dd = drawdown_series(curve.equity) if curve.equity.size else curve.equity
    drawdown_svg = _chart([("Drawdown", dd, "#f0616d")], pct)
    performance = [
        ("Total return", pct(r.total_return)),
        ("CAGR", pct(r.cagr)),
        ("Volatility (ann.)", pct(r.volatility)),
        ("Sharpe", num(r.sharpe)),
        ("Sortino", num(r.sortino)),
        ("Calmar", num(r.calmar)),
        ("Max drawdown", pct(r.max_drawdown)),
        ("Max drawdown duration (sessions)", str(r.max_drawdown_duration)),
        ("Exposure", pct(report.exposure)),
    ]
    if b is not None:
        performance += [
            ("Benchmark total return", pct(b.benchmark_total_return)),
            ("Excess return", pct(b.excess_return)),
            ("Beta", num(b.beta)),
            ("Alpha (ann.)", pct(b.alpha_annual)),
            ("Information ratio", num(b.information_ratio)),
        ]
    trades = [
        ("Closed trades", str(t.trades)),
        ("Win rate", pct(t.win_rate)),
        ("Profit factor", num(t.profit_factor)),
        ("Expectancy", dollars(t.expectancy)),
        ("Average win", dollars(t.average_win)),
        ("Average loss", dollars(t.average_loss)),
        ("Largest win", dollars(t.largest_win)),
        ("Largest loss", dollars(t.largest_loss)),
        ("Net profit", dollars(t.net_profit)),
    ]
    period = (
        f"{report.start} to {report.end}, {report.sessions} sessions" if report.start else "no sessions yet"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tradecycle tearsheet</title><style>{CSS}</style></head>
<body>
<h1>tradecycle performance tearsheet</h1>
<div class="sub">Account {report.account_id} · {escape(period)} · risk-free rate {report.risk_free_rate:.2%} ·
annualised over {report.periods_per_year} sessions · generated {generated_at:%Y-%m-%d %H:%M UTC}</div>
<div class="sub">Equity {dollars(report.initial_equity)} → {dollars(report.final_equity)}</div>
<h2>Equity against the benchmark</h2>{equity_svg}
<h2>Drawdown</h2>{drawdown_svg}
<div class="grid">
<div><h2>Performance</h2><table>{_rows(performance)}</table></div>
<div><h2>Trades</h2><table>{_rows(trades)}</table></div>
</div>
</body></html>
"""
