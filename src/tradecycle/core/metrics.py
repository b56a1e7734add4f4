"""Performance maths on equity curves and closed-trade P&L: pure numpy.

Conventions match QuantStats (the tests cross-check against it): simple returns,
annualisation by `periods_per_year` sessions, CAGR over `n / periods_per_year`
years, an annual risk-free rate de-annualised geometrically, sample standard
deviation (ddof=1) for Sharpe, the full-sample downside deviation for Sortino.
A ratio that is undefined (no variance, no losses, too few points) is None,
never NaN or infinity, so it can travel through JSON unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class DrawdownStats:
    """Worst peak-to-trough loss and the longest time spent under a previous peak."""

    max_drawdown: float
    peak_index: int
    trough_index: int
    recovery_index: int | None
    longest_duration: int
    current_drawdown: float


@dataclass(frozen=True, slots=True)
class ReturnStats:
    periods: int
    total_return: float
    cagr: float | None
    volatility: float | None
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    max_drawdown: float
    max_drawdown_duration: int
    best_period: float | None
    worst_period: float | None


@dataclass(frozen=True, slots=True)
class TradeStats:
    trades: int
    wins: int
    losses: int
    win_rate: float | None
    profit_factor: float | None
    expectancy: float | None
    average_win: float | None
    average_loss: float | None
    largest_win: float | None
    largest_loss: float | None
    gross_profit: float
    gross_loss: float
    net_profit: float


@dataclass(frozen=True, slots=True)
class RelativeStats:
    """Portfolio against its benchmark over the same sessions."""

    benchmark_total_return: float
    benchmark_cagr: float | None
    benchmark_max_drawdown: float
    excess_return: float
    beta: float | None
    correlation: float | None
    alpha_annual: float | None
    information_ratio: float | None


def _finite(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def simple_returns(equity: np.ndarray) -> np.ndarray:
    """Period returns of an equity curve; one fewer element than the curve."""
    equity = np.asarray(equity, dtype=np.float64)
    if equity.size < 2:
        return np.empty(0, dtype=np.float64)
    if np.any(equity <= 0) or not np.all(np.isfinite(equity)):
        raise ValueError("equity curve must be finite and positive")
    return equity[1:] / equity[:-1] - 1.0


def per_period_rate(annual_rate: float, periods_per_year: int) -> float:
    return float((1.0 + annual_rate) ** (1.0 / periods_per_year) - 1.0)


def total_return(returns: np.ndarray) -> float:
    return float(np.prod(1.0 + np.asarray(returns, dtype=np.float64)) - 1.0)


def cagr(returns: np.ndarray, periods_per_year: int = 252) -> float | None:
    returns = np.asarray(returns, dtype=np.float64)
    if returns.size == 0:
        return None
    growth = 1.0 + total_return(returns)
    if growth <= 0:
        return -1.0
    return _finite(growth ** (periods_per_year / returns.size) - 1.0)


def volatility(returns: np.ndarray, periods_per_year: int = 252) -> float | None:
    returns = np.asarray(returns, dtype=np.float64)
    if returns.size < 2:
        return None
    return _finite(returns.std(ddof=1) * np.sqrt(periods_per_year))


def sharpe(returns: np.ndarray, risk_free_rate: float = 0.0, periods_per_year: int = 252) -> float | None:
    excess = np.asarray(returns, dtype=np.float64) - per_period_rate(risk_free_rate, periods_per_year)
    if excess.size < 2:
        return None
    std = excess.std(ddof=1)
    if std <= 1e-15:
        return None
    return _finite(excess.mean() / std * np.sqrt(periods_per_year))


def sortino(returns: np.ndarray, risk_free_rate: float = 0.0, periods_per_year: int = 252) -> float | None:
    excess = np.asarray(returns, dtype=np.float64) - per_period_rate(risk_free_rate, periods_per_year)
    if excess.size < 2:
        return None
    downside = np.sqrt(np.sum(np.minimum(excess, 0.0) ** 2) / excess.size)
    if downside <= 1e-15:
        return None
    return _finite(excess.mean() / downside * np.sqrt(periods_per_year))


def drawdown_series(equity: np.ndarray) -> np.ndarray:
    """Fraction below the running peak at each point (0 at a new high, negative below)."""
    equity = np.asarray(equity, dtype=np.float64)
    if equity.size == 0:
        return equity
    return equity / np.maximum.accumulate(equity) - 1.0


def drawdown_stats(equity: np.ndarray) -> DrawdownStats:
    """Max drawdown and the longest run of consecutive periods spent below a previous peak."""
    equity = np.asarray(equity, dtype=np.float64)
    if equity.size == 0:
        return DrawdownStats(0.0, 0, 0, None, 0, 0.0)
    drawdown = drawdown_series(equity)
    trough = int(np.argmin(drawdown))
    peak = int(np.argmax(equity[: trough + 1]))
    after = np.nonzero(equity[trough:] >= equity[peak])[0]
    recovery = int(trough + after[0]) if after.size and drawdown[trough] < 0 else None
    at_peak = np.nonzero(drawdown >= 0)[0]
    under_water_runs = np.append(np.diff(at_peak) - 1, equity.size - 1 - at_peak[-1])
    return DrawdownStats(
        max_drawdown=float(drawdown[trough]),
        peak_index=peak,
        trough_index=trough,
        recovery_index=recovery,
        longest_duration=int(under_water_runs.max()),
        current_drawdown=float(drawdown[-1]),
    )


def return_stats(equity: np.ndarray, risk_free_rate: float = 0.0, periods_per_year: int = 252) -> ReturnStats:
    """Every equity-curve figure the performance report shows, from one curve."""
    returns = simple_returns(equity)
    dd = drawdown_stats(equity)
    growth = cagr(returns, periods_per_year)
    calmar = _finite(growth / abs(dd.max_drawdown)) if growth is not None and dd.max_drawdown < 0 else None
    return ReturnStats(
        periods=int(returns.size),
        total_return=total_return(returns),
        cagr=growth,
        volatility=volatility(returns, periods_per_year),
        sharpe=sharpe(returns, risk_free_rate, periods_per_year),
        sortino=sortino(returns, risk_free_rate, periods_per_year),
        calmar=calmar,
        max_drawdown=dd.max_drawdown,
        max_drawdown_duration=dd.longest_duration,
        best_period=_finite(returns.max()) if returns.size else None,
        worst_period=_finite(returns.min()) if returns.size else None,
    )


def trade_stats(profit_loss: np.ndarray) -> TradeStats:
    """Win rate (wins / closed trades), profit factor (gross profit / gross loss), expectancy (mean P&L)."""
    pnl = np.asarray(profit_loss, dtype=np.float64)
    pnl = pnl[np.isfinite(pnl)]
    wins = pnl[pnl > 0]
    losses = pnl[pnl < 0]
    gross_profit = float(wins.sum())
    gross_loss = float(-losses.sum())
    return TradeStats(
        trades=int(pnl.size),
        wins=int(wins.size),
        losses=int(losses.size),
        win_rate=wins.size / pnl.size if pnl.size else None,
        profit_factor=gross_profit / gross_loss if gross_loss > 0 else None,
        expectancy=float(pnl.mean()) if pnl.size else None,
        average_win=float(wins.mean()) if wins.size else None,
        average_loss=float(losses.mean()) if losses.size else None,
        largest_win=float(wins.max()) if wins.size else None,
        largest_loss=float(losses.min()) if losses.size else None,
        gross_profit=gross_profit,
        gross_loss=gross_loss,
        net_profit=float(pnl.sum()),
    )


def exposure(invested: np.ndarray) -> float:
    """Fraction of periods with money in the market."""
    invested = np.asarray(invested, dtype=bool)
    return float(invested.mean()) if invested.size else 0.0


def relative_stats(
    equity: np.ndarray, benchmark: np.ndarray, risk_free_rate: float = 0.0, periods_per_year: int = 252
) -> RelativeStats:
    """Beta, correlation, CAPM alpha and information ratio against a benchmark curve of the same length."""
    equity = np.asarray(equity, dtype=np.float64)
    benchmark = np.asarray(benchmark, dtype=np.float64)
    if equity.shape != benchmark.shape:
        raise ValueError("equity and benchmark curves must have the same length")
    returns = simple_returns(equity)
    bench_returns = simple_returns(benchmark)
    bench_total = total_return(bench_returns)
    beta = correlation = alpha = info = None
    if returns.size >= 2 and bench_returns.std() > 1e-15:
        cov = np.cov(returns, bench_returns)
        beta = _finite(cov[0, 1] / cov[1, 1])
        if returns.std() > 1e-15:
            correlation = _finite(np.corrcoef(returns, bench_returns)[0, 1])
        rf = per_period_rate(risk_free_rate, periods_per_year)
        if beta is not None:
            alpha = _finite(((returns.mean() - rf) - beta * (bench_returns.mean() - rf)) * periods_per_year)
        active = returns - bench_returns
        if active.std(ddof=1) > 1e-15:
            info = _finite(active.mean() / active.std(ddof=1) * np.sqrt(periods_per_year))
    return RelativeStats(
        benchmark_total_return=bench_total,
        benchmark_cagr=cagr(bench_returns, periods_per_year),
        benchmark_max_drawdown=drawdown_stats(benchmark).max_drawdown,
        excess_return=total_return(returns) - bench_total,
        beta=beta,
        correlation=correlation,
        alpha_annual=alpha,
        information_ratio=info,
    )
