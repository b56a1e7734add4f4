"""What a panel covers: rows, date range and missing sessions per symbol (for `data info`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradecycle.core.panel import BarPanel


@dataclass(frozen=True)
class SymbolCoverage:
    symbol: str
    bars: int
    first: str | None  # first session with a bar
    last: str | None
    missing: int  # sessions of the panel without a bar
    interior_gaps: int  # sessions without a bar between the symbol's first and last bar


@dataclass(frozen=True)
class Coverage:
    symbols: int
    sessions: int
    first: str | None
    last: str | None
    bars: int
    per_symbol: tuple[SymbolCoverage, ...]

    @property
    def incomplete(self) -> list[SymbolCoverage]:
        """Symbols missing at least one session, most missing first."""
        return sorted((c for c in self.per_symbol if c.missing), key=lambda c: (-c.missing, c.symbol))


def coverage(panel: BarPanel) -> Coverage:
    """Count bars and gaps of every symbol from the close array (NaN = no bar)."""
    have = ~np.isnan(panel.close)
    n_sessions = panel.n_sessions
    counts = have.sum(axis=1)
    any_bar = counts > 0
    if n_sessions:
        first_idx = np.where(any_bar, have.argmax(axis=1), -1)
        last_idx = np.where(any_bar, n_sessions - 1 - have[:, ::-1].argmax(axis=1), -1)
    else:
        first_idx = last_idx = np.full(panel.n_symbols, -1)
    span = np.where(any_bar, last_idx - first_idx + 1, 0)
    labels = [str(d) for d in panel.sessions]
    per_symbol = tuple(
        SymbolCoverage(
            symbol=str(sym),
            bars=int(counts[i]),
            first=labels[first_idx[i]] if any_bar[i] else None,
            last=labels[last_idx[i]] if any_bar[i] else None,
            missing=int(n_sessions - counts[i]),
            interior_gaps=int(span[i] - counts[i]),
        )
        for i, sym in enumerate(panel.symbols)
    )
    return Coverage(
        symbols=panel.n_symbols,
        sessions=n_sessions,
        first=labels[0] if labels else None,
        last=labels[-1] if labels else None,
        bars=int(counts.sum()),
        per_symbol=per_symbol,
    )
