"""Scan, technicals and strategy phases against real SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import func, select

from tradecycle.adapters.store import schema
from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import SettingsModel
from tradecycle.core.types import PatternHit, PatternType, Side, SignalLabel
from tradecycle.errors import ConfigError
from tradecycle.services import scanner, strategy, technicals
from tradecycle.services.analysis import precompute_features
from tradecycle.services.context import CycleContext
from tradecycle.strategies import get_strategy, strategy_names

NOW = datetime(2017, 3, 1, 21, 0, tzinfo=UTC)


def _loose() -> SettingsModel:
    """Criteria loose enough that the synthetic universe yields candidates."""
    return SettingsModel(
        scanner={"min_volume": 0, "min_change_pct": -100, "min_relative_volume": 0, "max_candidates": 5},
        signal={"require_pattern": False, "buy": 50.0, "min_confirming_indicators": 0},
    )


def _ctx(panel, settings, held=()):
    features = precompute_features(panel, settings, candlesticks=False)
    return CycleContext(
        "cycle_20170301_210000", NOW, settings, panel, 1, features=features, cache={"held_symbols": set(held)}
    )


def test_phases_write_their_rows(db_url, panel):
    engine = prepare_database(db_url)
    ctx = _ctx(panel, _loose())
    with engine.begin() as conn:
        r1 = scanner.run_phase(conn, ctx)
        r2 = technicals.run_phase(conn, ctx)
        r3 = strategy.run_phase(conn, ctx)
    assert r1.succeeded == len(ctx.candidates) == 5
    assert r2.metadata["readings"] == len(ctx.indicators) > 5 * 10
    assert r3.processed == 5 and ctx.signals
    with engine.connect() as conn:
        scans = conn.execute(select(schema.scanning_results)).mappings().all()
        assert [s["symbol"] for s in scans] == [c.symbol for c in ctx.candidates]
        meta = json.loads(scans[0]["metadata"])
        assert set(meta["criteria"]) >= {"volume", "price", "change", "relative_volume"}
        assert meta["values"]["price"] == pytest.approx(scans[0]["price"])
        assert scans[0]["cycle_id"] == ctx.cycle_id and scans[0]["scan_timestamp"] == NOW
        n = conn.execute(select(func.count()).select_from(schema.technical_indicators)).scalar_one()
        assert n == len(ctx.indicators)
        evals = conn.execute(select(schema.strategy_evaluations)).mappings().all()
        assert {e["strategy_name"] for e in evals} == {"composite"}
        assert all(e["position_size"] is None and e["risk_reward_ratio"] >= 3 - 1e-9 for e in evals)
        assert all(0 <= e["confidence_score"] <= 1 for e in evals)
    engine.dispose()


def test_composite_needs_a_pattern_when_required(panel):
    settings = _loose()
    ctx = _ctx(panel, settings)
    ctx.candidates, _ = scanner.scan_panel(ctx.panel, ctx.features, settings)
    strict = settings.model_copy(
        update={"signal": settings.signal.model_copy(update={"require_pattern": True})}
    )
    assert get_strategy(strict).generate(ctx) == []
    top = ctx.candidates[0].symbol
    price = float(panel.close[panel.row(top), -1])
    ctx.patterns = [
        PatternHit(
            top, PatternType.CHART, "bull_flag", SignalLabel.BUY, 0.9, price, price * 0.97, price * 1.3
        )
    ]
    signals = get_strategy(strict).generate(ctx)
    assert [s.symbol for s in signals] == [top]
    assert signals[0].target == pytest.approx(price * 1.3)  # the pattern's projection beats 3R
    assert "pattern bull_flag" in signals[0].reasons


def test_held_symbol_with_a_weak_score_gets_an_exit(panel):
    settings = _loose().model_copy(update={"signal": _loose().signal.model_copy(update={"sell": 99.0})})
    ctx = _ctx(panel, settings, held=["S3"])
    ctx.candidates = []
    signals = get_strategy(settings).generate(ctx)
    assert [(s.symbol, s.side) for s in signals] == [("S3", Side.SELL)]
    assert signals[0].stop > signals[0].entry > signals[0].target


def test_sma_cross_buys_crosses_up_and_exits_held_crosses_down(panel):
    settings = SettingsModel(strategy={"name": "sma_cross", "sma_fast": 5, "sma_slow": 20})
    full = precompute_features(panel, settings, candlesticks=False)
    cross = full["ma_cross"]
    s_up = next(s for s in range(30, panel.n_sessions) if (cross[:, s] == 1).any())
    row = int(np.flatnonzero(cross[:, s_up] == 1)[0])
    symbol = str(panel.symbols[row])
    ctx = CycleContext("c", NOW, settings, panel.head(s_up + 1), 1, features=full.head(s_up + 1))
    ctx.cache["held_symbols"] = set()
    signals = get_strategy(settings).generate(ctx)
    assert symbol in [s.symbol for s in signals if s.side == Side.BUY]
    assert all(s.strategy_name == "sma_cross" for s in signals)
    ctx.cache["held_symbols"] = {symbol}
    assert symbol not in [s.symbol for s in get_strategy(settings).generate(ctx)]
    s_down = next(s for s in range(s_up + 1, panel.n_sessions) if cross[row, s] == -1)
    ctx = CycleContext("c", NOW, settings, panel.head(s_down + 1), 1, features=full.head(s_down + 1))
    ctx.cache["held_symbols"] = {symbol}
    exits = [s for s in get_strategy(settings).generate(ctx) if s.side == Side.SELL]
    assert [s.symbol for s in exits] == [symbol]


def test_unknown_strategy_is_a_config_error():
    assert {"composite", "sma_cross"} <= set(strategy_names())
    with pytest.raises(ConfigError, match="strategy.name 'nope'"):
        get_strategy(SettingsModel(strategy={"name": "nope"}))


def test_empty_panel_gives_no_candidates(panel):
    settings = _loose()
    ctx = _ctx(panel.head(0), settings)
    assert scanner.scan_panel(ctx.panel, ctx.features, settings)[0] == []
    assert get_strategy(settings).evaluate(ctx) == []
