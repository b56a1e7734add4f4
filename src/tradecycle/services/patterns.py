"""Patterns phase: candlestick, chart and volume patterns at the cycle's last session.

Runs for this cycle's candidates and the symbols already held (the strategy
scores held symbols for exits, and a bearish pattern is part of that score).
Candlestick codes come from the precomputed "cdl" block of ctx.features when it
is there, else TA-Lib runs on a short trailing window of just those rows (the
CDL functions only use fixed-length look-backs, so the last value is the same).
ATR, relative volume and chart pivots are computed for all these symbols at
once; the chart and volume detectors then read each symbol's trailing bars. All
of it only sees the as-of panel, so nothing after the cycle's clock is read.
Hits below settings.patterns.min_confidence are dropped; the rest become
ctx.patterns and one pattern_analysis row each, written in one batch.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from sqlalchemy import Connection
from talib import abstract

from tradecycle.adapters.store import schema
from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.config import PatternSettings, SettingsModel
from tradecycle.core import chart_patterns as chart
from tradecycle.core import pattern_scoring
from tradecycle.core import volume_patterns as volume
from tradecycle.core.candlesticks import (
    CANDLE_COUNTS,
    CDL_NAMES,
    candlestick_arrays,
    candlestick_hits,
    pattern_role,
)
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import Candidate, PatternHit
from tradecycle.errors import DataError
from tradecycle.services.context import CycleContext, PhaseResult
from tradecycle.services.prefetched import prefetched

# Trailing bars TA-Lib needs to reproduce the last CDL value (its longest look-back is ~15).
CANDLE_WINDOW = 64


def history_needed(p: PatternSettings) -> int:
    """Trailing sessions the detectors read; older bars cannot change a result."""
    return (
        max(
            p.chart_lookback,
            p.volume_dryup_baseline + p.volume_dryup_bars,
            p.volume_breakout_lookback,
            p.volume_lookback,
            CANDLE_WINDOW,
        )
        + p.trend_lookback
        + p.atr_period
        + 2
    )


def _candle_codes(panel: BarPanel, features, rows: np.ndarray, width: int) -> tuple[list[str], np.ndarray]:
    """CDL codes (61, len(rows)) at the last session, precomputed if possible."""
    if features is not None and "cdl" in features:
        if features.n_sessions != panel.n_sessions:
            raise DataError(
                f"features cover {features.n_sessions} sessions but the panel {panel.n_sessions}: "
                "cut both to the same as-of time"
            )
        names = list(getattr(features, "cdl_names", ()) or CDL_NAMES)
        return names, np.asarray(features["cdl"][:, rows, -1])
    window = BarPanel(
        symbols=panel.symbols[rows],
        sessions=panel.sessions[-width:],
        closes_utc=panel.closes_utc[-width:],
        open=panel.open[rows, -width:],
        high=panel.high[rows, -width:],
        low=panel.low[rows, -width:],
        close=panel.close[rows, -width:],
        volume=panel.volume[rows, -width:],
    )
    names, codes = candlestick_arrays(window)
    return names, codes[:, :, -1]


def symbol_rows(panel: BarPanel, symbols: list[str]) -> np.ndarray:
    """Panel rows of `symbols` (KeyError naming the unknown ones); cheap for a few symbols."""
    found = [np.flatnonzero(panel.symbols == s) for s in symbols]
    missing = [s for s, f in zip(symbols, found, strict=True) if f.size == 0]
    if missing:
        raise KeyError(f"unknown symbols: {', '.join(missing[:10])}")
    return np.array([f[0] for f in found], dtype=np.intp)


@dataclass(frozen=True)
class SymbolPatterns:
    """One symbol's hits at a session: candlestick hits with their pattern's place in the
    CDL list (the batch orders them by it), then chart and volume hits."""

    candles: tuple[tuple[int, PatternHit], ...] = ()
    others: tuple[PatternHit, ...] = ()


def detect_by_symbol(
    panel: BarPanel, features, symbols: list[str], settings: SettingsModel
) -> dict[str, SymbolPatterns]:
    """Every enabled pattern of each of `symbols` at the panel's last session, unfiltered.

    A symbol's hits depend on its own bars only, so any split of `symbols` gives the
    same hits per symbol (the replay's prefetch worker relies on that).
    """
    p = settings.patterns
    if panel.n_sessions == 0 or not symbols:
        return {}
    rows = symbol_rows(panel, symbols)
    width = min(panel.n_sessions, history_needed(p))
    high, low = panel.high[rows, -width:], panel.low[rows, -width:]
    close, vol = panel.close[rows, -width:], panel.volume[rows, -width:]
    candles: dict[str, list[tuple[int, PatternHit]]] = {s: [] for s in symbols}
    if p.candlestick:
        names, codes = _candle_codes(panel, features, rows, min(width, CANDLE_WINDOW))
        place = {name: k for k, name in enumerate(names)}
        for hit in candlestick_hits(symbols, names, codes, high, low, close, vol, p):
            candles[hit.symbol].append((place[hit.pattern_name], hit))
    no_hits = [[] for _ in symbols]
    charts = chart.chart_hits_by_row(symbols, high, low, close, vol, p) if p.chart else no_hits
    volumes = volume.volume_hits_by_row(symbols, high, low, close, vol, p) if p.volume else no_hits
    return {
        symbol: SymbolPatterns(tuple(candles[symbol]), tuple(chart_hits + volume_hits))
        for symbol, chart_hits, volume_hits in zip(symbols, charts, volumes, strict=True)
    }


def assemble(symbols: list[str], found: Mapping[str, SymbolPatterns], p: PatternSettings) -> list[PatternHit]:
    """The hits of `symbols` in the batch's order (candlesticks by pattern, then symbol; then
    each symbol's chart and volume hits), those under min_confidence dropped."""
    position = {symbol: i for i, symbol in enumerate(symbols)}
    candles = sorted(
        ((k, position[symbol], hit) for symbol in symbols for k, hit in found[symbol].candles),
        key=lambda item: item[:2],
    )
    hits = [hit for _, _, hit in candles]
    for symbol in symbols:
        hits += found[symbol].others
    return [h for h in hits if h.confidence >= p.min_confidence]


def detect(panel: BarPanel, features, symbols: list[str], settings: SettingsModel) -> list[PatternHit]:
    """Every enabled pattern for `symbols` at the panel's last session (confidence >= min_confidence)."""
    symbols = list(dict.fromkeys(symbols))
    return assemble(symbols, detect_by_symbol(panel, features, symbols, settings), settings.patterns)


def detect_for_symbol(panel: BarPanel, features, symbol: str, settings: SettingsModel) -> list[PatternHit]:
    """Patterns of one symbol at the panel's last session (for the API); KeyError if unknown."""
    return detect(panel, features, [symbol], settings)


def phase_symbols(ctx: CycleContext) -> list[str]:
    """The symbols this cycle's patterns and ML phases look at (see `symbols_to_detect`)."""
    return symbols_to_detect(ctx.panel, ctx.candidates, ctx.cache.get("held_symbols", set()))


def symbols_to_detect(panel: BarPanel, candidates: Iterable[Candidate], held: Iterable[str]) -> list[str]:
    """Candidates in scan order, then held symbols that are not candidates (sorted), all in the panel."""
    known = set(panel.symbols.tolist())
    symbols = list(dict.fromkeys(c.symbol for c in candidates if c.symbol in known))
    seen = set(symbols)
    symbols += sorted(s for s in held if s not in seen and s in known)
    return symbols


def pattern_rows(hits: list[PatternHit], ctx: CycleContext) -> list[dict]:
    session = str(ctx.panel.sessions[-1]) if ctx.panel.n_sessions else None
    return [
        {
            "symbol": h.symbol,
            "pattern_type": h.pattern_type.value,
            "pattern_name": h.pattern_name,
            "confidence": h.confidence,
            "entry_price": h.entry_price,
            "stop_loss": h.stop_loss,
            "target_price": h.target_price,
            "timeframe": h.timeframe,
            "detection_timestamp": ctx.now,
            "metadata": {**h.metadata, "session": session},
            "created_at": ctx.now,
            "cycle_id": ctx.cycle_id,
            "direction": h.direction.value,
        }
        for h in hits
    ]


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    symbols = phase_symbols(ctx)
    ahead = prefetched(ctx)
    found = dict(ahead.patterns) if ahead is not None and ahead.patterns is not None else {}
    missing = [s for s in symbols if s not in found]
    found.update(detect_by_symbol(ctx.panel, ctx.features, missing, ctx.settings))
    hits = assemble(symbols, found, ctx.settings.patterns)
    ctx.patterns = hits
    written = insert_rows(conn, schema.pattern_analysis, pattern_rows(hits, ctx))
    by_type: dict[str, int] = {}
    for h in hits:
        by_type[h.pattern_type.value] = by_type.get(h.pattern_type.value, 0) + 1
    return PhaseResult(
        processed=len(symbols),
        succeeded=len({h.symbol for h in hits}),
        metadata={"patterns": written, "by_type": by_type},
    )


def supported_patterns() -> dict:
    """Every pattern this system detects, by category, with direction rule and the confidence rule."""
    return copy.deepcopy(_supported())


@cache
def _supported() -> dict:
    candles = [
        {
            "name": name,
            "display_name": abstract.Function(name).info["display_name"],
            "candles": CANDLE_COUNTS[name],
            "role": pattern_role(name),
        }
        for name in CDL_NAMES
    ]
    charts = [
        {"name": name, "direction": d.direction.value, "description": _first_line(d.detect.__doc__)}
        for name, d in chart.DETECTORS.items()
    ]
    volumes = [
        {"name": name, "description": line}
        for name, line in (
            ("volume_climax", "exhaustion volume on a wide bar; points against the move it ends"),
            ("volume_dry_up", "volume fades to under half its baseline; points with the move it pauses"),
            ("volume_breakout", "close leaves the recent range on heavy volume; points with the break"),
        )
        if name in volume.DETECTORS
    ]
    return {
        "candlestick": candles,
        "chart": charts,
        "volume": volumes,
        "counts": {"candlestick": len(candles), "chart": len(charts), "volume": len(volumes)},
        "confidence_rule": _first_paragraph(pattern_scoring.__doc__),
    }


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0] if doc else ""


def _first_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[1].split()) if doc else ""
