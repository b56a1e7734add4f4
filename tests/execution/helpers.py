"""A tiny synthetic market and cycle contexts for the execution tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from tradecycle.config import SettingsModel
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import Side, Signal
from tradecycle.services.context import CycleContext

SYMBOLS = np.array(["AAA", "BBB", "CCC"])
SECTORS = {"AAA": "Tech", "BBB": "Tech", "CCC": "Energy"}


def make_panel(n_sessions: int = 40) -> BarPanel:
    """Steady bars: each opens at the previous close, moves 0.5%, high/low 1% around."""
    sessions = np.arange(
        np.datetime64("2018-01-02"), np.datetime64("2018-01-02") + n_sessions, dtype="datetime64[D]"
    )
    closes_utc = sessions.astype("datetime64[ns]") + np.timedelta64(21, "h")
    close = np.empty((3, n_sessions))
    close[:, 0] = [100.0, 50.0, 20.0]
    for j in range(1, n_sessions):
        close[:, j] = close[:, j - 1] * 1.005
    opens = np.concatenate([close[:, :1], close[:, :-1]], axis=1)
    high = np.maximum(opens, close) * 1.01
    low = np.minimum(opens, close) * 0.99
    volume = np.full((3, n_sessions), 1_000_000.0)
    return BarPanel(SYMBOLS, sessions, closes_utc, opens, high, low, close, volume)


def with_bar(panel: BarPanel, symbol: str, session: int, **fields: float) -> BarPanel:
    """A copy of `panel` with one bar's fields replaced."""
    arrays = {f: getattr(panel, f).copy() for f in ("open", "high", "low", "close", "volume")}
    row = panel.row(symbol)
    for name, value in fields.items():
        arrays[name][row, session] = value
    return BarPanel(panel.symbols, panel.sessions, panel.closes_utc, **arrays)


def as_of(panel: BarPanel, session: int) -> datetime:
    close = panel.closes_utc[session].astype("datetime64[us]").item().replace(tzinfo=UTC)
    return close + timedelta(minutes=5)


def context(
    panel: BarPanel, session: int, account_id: int, settings: SettingsModel | None = None, signals=()
):
    now = as_of(panel, session)
    return CycleContext(
        cycle_id=f"cycle_{now:%Y%m%d_%H%M%S}",
        now=now,
        settings=settings or SettingsModel(),
        panel=panel.head(session + 1),
        account_id=account_id,
        sectors=dict(SECTORS),
        signals=list(signals),
    )


def buy_signal(
    panel: BarPanel, symbol: str, session: int, stop_pct: float = 2.0, reward: float = 3.0
) -> Signal:
    entry = float(panel.close[panel.row(symbol), session])
    stop = entry * (1 - stop_pct / 100)
    return Signal(
        symbol, Side.BUY, 80.0, 0.8, entry, stop, entry + reward * (entry - stop), "composite", ("test",)
    )
