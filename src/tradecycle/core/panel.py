"""The symbols x sessions bar panel every analysis works on.

A panel is plain numpy: one 2-D float array per field, rows are symbols, columns
are sessions, NaN where a symbol did not trade. `asof` is the only way a phase
sees bars, and it keeps only sessions whose close is at or before the clock, so
no phase can read a bar that was not complete yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

FIELDS = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True, eq=False)
class BarPanel:
    symbols: np.ndarray  # (n_symbols,) str
    sessions: np.ndarray  # (n_sessions,) datetime64[D], session labels
    closes_utc: np.ndarray  # (n_sessions,) datetime64[ns], UTC close time of each session
    open: np.ndarray  # (n_symbols, n_sessions) float64
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __post_init__(self) -> None:
        shape = (len(self.symbols), len(self.sessions))
        for name in FIELDS:
            arr = getattr(self, name)
            if arr.shape != shape:
                raise ValueError(f"panel field {name} has shape {arr.shape}, expected {shape}")
        if len(self.closes_utc) != len(self.sessions):
            raise ValueError("closes_utc must have one entry per session")

    @property
    def n_symbols(self) -> int:
        return len(self.symbols)

    @property
    def n_sessions(self) -> int:
        return len(self.sessions)

    def visible_sessions(self, now: datetime) -> int:
        """How many sessions are complete at `now` (a tz-aware datetime)."""
        if now.tzinfo is None:
            raise ValueError("as-of time must be timezone-aware")
        t = np.datetime64(now.astimezone(UTC).replace(tzinfo=None), "ns")
        return int(np.searchsorted(self.closes_utc, t, side="right"))

    def asof(self, now: datetime) -> BarPanel:
        """The panel as it was known at `now`: only sessions closed by then."""
        return self.head(self.visible_sessions(now))

    def head(self, n_sessions: int) -> BarPanel:
        """The first `n_sessions` sessions (views, no copies)."""
        return BarPanel(
            symbols=self.symbols,
            sessions=self.sessions[:n_sessions],
            closes_utc=self.closes_utc[:n_sessions],
            open=self.open[:, :n_sessions],
            high=self.high[:, :n_sessions],
            low=self.low[:, :n_sessions],
            close=self.close[:, :n_sessions],
            volume=self.volume[:, :n_sessions],
        )

    def select(self, symbols: list[str] | np.ndarray) -> BarPanel:
        """A panel restricted to `symbols` (in the order given); unknown symbols raise KeyError."""
        index = {s: i for i, s in enumerate(self.symbols.tolist())}
        missing = [s for s in symbols if s not in index]
        if missing:
            raise KeyError(f"unknown symbols: {', '.join(missing[:10])}")
        rows = np.array([index[s] for s in symbols], dtype=np.intp)
        return BarPanel(
            symbols=self.symbols[rows],
            sessions=self.sessions,
            closes_utc=self.closes_utc,
            open=self.open[rows],
            high=self.high[rows],
            low=self.low[rows],
            close=self.close[rows],
            volume=self.volume[rows],
        )

    def row(self, symbol: str) -> int:
        hits = np.flatnonzero(self.symbols == symbol)
        if hits.size == 0:
            raise KeyError(symbol)
        return int(hits[0])
