"""The seed's scanner, pattern and technical-analysis endpoints, over the as-of panel.

Bars come from the bundled sample (settings.data.provider = "bundled") or from the
database's market_data (any other provider: that is where their imports land). Every
endpoint takes `asof` (a session date, default the newest) and sees only bars up to it,
exactly what a cycle at that session would see. Nothing here writes to the database;
PUT /criteria changes the scanner settings of this running API only.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Body, Query
from pydantic import ValidationError

from tradecycle.config import ScannerSettings
from tradecycle.core.features import FeaturePanel
from tradecycle.core.panel import BarPanel
from tradecycle.errors import ConfigError, DataError, NotFoundError
from tradecycle.interfaces.api.deps import ApiContext, Authorized, Ctx
from tradecycle.services import patterns, scanner
from tradecycle.services.analysis import feature_params, precompute_features
from tradecycle.services.context import CycleContext
from tradecycle.services.technicals import readings_for
from tradecycle.strategies import CompositeStrategy, get_strategy

router = APIRouter(tags=["analysis"])
AsOf = Annotated[date | None, Query(description="session date (YYYY-MM-DD); default: the newest session")]
_CACHE_KEY = "analysis_features"


def _load_panel(api: ApiContext) -> BarPanel:
    if api.settings.data.provider == "bundled":
        from tradecycle.adapters.marketdata.bundled import load_bundled_panel

        return load_bundled_panel()
    from tradecycle.adapters.marketdata.store import load_panel

    with api.engine.connect() as conn:
        return load_panel(conn)


def _data(api: ApiContext, asof: date | None) -> tuple[BarPanel, FeaturePanel]:
    """The panel and features as of `asof`; features are computed once per panel and settings."""
    panel = _load_panel(api)
    if panel.n_sessions == 0:
        raise DataError("no market data: import bars first (tradecycle data seed)")
    key = (
        api.settings.data.provider,
        feature_params(api.settings),
        panel.n_symbols,
        panel.n_sessions,
        str(panel.sessions[-1]),
    )
    cached = api.extras.get(_CACHE_KEY)
    if cached is None or cached[0] != key:
        cached = api.extras[_CACHE_KEY] = (key, precompute_features(panel, api.settings))
    features = cached[1]
    n = (
        panel.n_sessions
        if asof is None
        else int(np.searchsorted(panel.sessions, np.datetime64(asof), "right"))
    )
    if n == 0:
        raise NotFoundError(f"no session on or before asof={asof} (data starts {panel.sessions[0]})")
    return panel.head(n), features.head(n)


def _symbol(panel: BarPanel, symbol: str) -> str:
    symbol = symbol.upper()
    if symbol not in set(panel.symbols.tolist()):
        raise NotFoundError(f"unknown symbol {symbol!r}: not in the {panel.n_symbols}-symbol universe")
    return symbol


def _json(value: Any) -> Any:
    """Dataclasses, enums and non-finite floats as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def _detect(panel: BarPanel, features: FeaturePanel, symbols: list[str], settings) -> list:
    """Pattern hits for `symbols` at the last session: the same code as the patterns phase."""
    return patterns.detect(panel, features, symbols, settings)


def _session_close(panel: BarPanel) -> datetime:
    return datetime.fromtimestamp(panel.closes_utc[-1].astype("datetime64[s]").astype(int), UTC)


def _context(api: ApiContext, panel: BarPanel, features: FeaturePanel) -> CycleContext:
    return CycleContext(
        cycle_id="api",
        now=_session_close(panel),
        settings=api.settings,
        panel=panel,
        account_id=0,
        features=features,
    )


@router.get("/scan_securities")
def scan_securities(ctx: Ctx, asof: AsOf = None) -> dict:
    """Candidates of the configured scan at the as-of session, ranked, with criteria and values."""
    panel, features = _data(ctx, asof)
    candidates, _ = scanner.scan_panel(panel, features, ctx.settings)
    return {"asof": str(panel.sessions[-1]), "count": len(candidates), "candidates": _json(candidates)}


@router.get("/criteria")
def get_criteria(ctx: Ctx) -> dict:
    return ctx.settings.scanner.model_dump()


@router.put("/criteria", dependencies=[Authorized])
def put_criteria(ctx: Ctx, changes: Annotated[dict[str, Any], Body()]) -> dict:
    """Change scanner criteria for this running API; a bad value is a 422 naming the field."""
    try:
        updated = ScannerSettings.model_validate(ctx.settings.scanner.model_dump() | changes)
    except ValidationError as exc:
        raise ConfigError("; ".join(_describe(e) for e in exc.errors())) from None
    ctx.settings.scanner = updated
    return updated.model_dump()


def _describe(error: dict) -> str:
    field = ".".join(str(p) for p in error.get("loc", ()))
    return f"scanner.{field}: {error.get('msg')}" if field else f"scanner: {error.get('msg')}"


@router.get("/supported_patterns")
def supported_patterns() -> dict:
    return _json(patterns.supported_patterns())


def _patterns(ctx: ApiContext, symbol: str, asof: date | None, kinds: tuple[str, ...] | None = None) -> dict:
    panel, features = _data(ctx, asof)
    symbol = _symbol(panel, symbol)
    hits = _detect(panel, features, [symbol], ctx.settings)
    if kinds is not None:
        hits = [h for h in hits if h.pattern_type.value in kinds]
    return {"symbol": symbol, "asof": str(panel.sessions[-1]), "count": len(hits), "patterns": _json(hits)}


@router.get("/analyze_patterns/{symbol}")
def analyze_patterns(ctx: Ctx, symbol: str, asof: AsOf = None) -> dict:
    """Every pattern (candlestick, chart, volume) found for `symbol` at the as-of session."""
    result = _patterns(ctx, symbol, asof)
    confidences = [p["confidence"] for p in result["patterns"]]
    result["confidence"] = max(confidences) if confidences else 0.0
    return result


@router.get("/detect_advanced_patterns/{symbol}")
def detect_advanced_patterns(ctx: Ctx, symbol: str, asof: AsOf = None) -> dict:
    """Patterns grouped by category, with the best confidence of each category."""
    result = _patterns(ctx, symbol, asof)
    groups: dict[str, list] = {"candlestick": [], "chart": [], "volume": []}
    for hit in result.pop("patterns"):
        groups.setdefault(hit["pattern_type"], []).append(hit)
    result["patterns"] = groups
    result["category_confidence"] = {
        k: max((h["confidence"] for h in v), default=0.0) for k, v in groups.items()
    }
    return result


@router.get("/candlestick_patterns/{symbol}")
def candlestick_patterns(ctx: Ctx, symbol: str, asof: AsOf = None) -> dict:
    return _patterns(ctx, symbol, asof, ("candlestick",))


@router.get("/chart_patterns/{symbol}")
def chart_patterns(ctx: Ctx, symbol: str, asof: AsOf = None) -> dict:
    return _patterns(ctx, symbol, asof, ("chart",))


@router.get("/generate_signals", operation_id="generate_signals_get")
@router.post("/generate_signals", operation_id="generate_signals_post")
def generate_signals(ctx: Ctx, asof: AsOf = None) -> dict:
    """The whole analysis of one cycle (scan, patterns, indicators, strategy) without recording it."""
    panel, features = _data(ctx, asof)
    cycle = _context(ctx, panel, features)
    cycle.candidates, _ = scanner.scan_panel(panel, features, ctx.settings)
    symbols = [c.symbol for c in cycle.candidates]
    cycle.patterns = _detect(panel, features, symbols, ctx.settings)
    cycle.indicators = readings_for(panel, features, symbols, ctx.settings)
    strategy = get_strategy(ctx.settings)
    evaluations = strategy.evaluate(cycle)
    return {
        "asof": str(panel.sessions[-1]),
        "strategy": strategy.name,
        "candidates": symbols,
        "signals": _json([e.signal for e in evaluations if e.signal is not None]),
        "evaluations": _json([dataclasses.replace(e, signal=None) for e in evaluations]),
    }


@router.get("/analyze/{symbol}")
def analyze(ctx: Ctx, symbol: str, asof: AsOf = None) -> dict:
    """One symbol as if it were a candidate: indicator readings, patterns and the composite score."""
    panel, features = _data(ctx, asof)
    symbol = _symbol(panel, symbol)
    cycle = _context(ctx, panel, features)
    cycle.patterns = _detect(panel, features, [symbol], ctx.settings)
    cycle.indicators = readings_for(panel, features, [symbol], ctx.settings)
    evaluation = CompositeStrategy(ctx.settings).score_symbols(cycle, [symbol], {symbol})
    return {
        "symbol": symbol,
        "asof": str(panel.sessions[-1]),
        "indicators": _json(cycle.indicators),
        "patterns": _json(cycle.patterns),
        "evaluation": _json(evaluation[0]) if evaluation else None,
    }
