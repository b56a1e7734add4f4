"""The patterns phase on SQLite and PostgreSQL, its helpers for the API, and causality."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tradecycle.adapters.store import schema
from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import SettingsModel
from tradecycle.core.candlesticks import candlestick_arrays
from tradecycle.core.features import FeaturePanel
from tradecycle.core.pattern_scoring import levels_ok
from tradecycle.core.types import Candidate, PatternType, ScanType
from tradecycle.errors import ConfigError, DataError
from tradecycle.services import patterns
from tradecycle.services.context import CycleContext
from tradecycle.settings import load_settings


def features_of(panel) -> FeaturePanel:
    names, codes = candlestick_arrays(panel)
    return FeaturePanel({"cdl": codes}, tuple(names))


def candidate(symbol: str) -> Candidate:
    return Candidate(symbol, ScanType.MOMENTUM, 10.0, 1e6, 6.0, 2.0)


def context(panel, features, symbols, held=()) -> CycleContext:
    ctx = CycleContext(
        cycle_id="cycle_20240101_210000",
        now=datetime(2024, 6, 1, 21, tzinfo=UTC),
        settings=SettingsModel(),
        panel=panel,
        account_id=1,
        features=features,
        candidates=[candidate(s) for s in symbols],
    )
    ctx.cache["held_symbols"] = set(held)
    return ctx


@pytest.fixture
def big_universe(make_random_panel):
    return make_random_panel(n_symbols=30, n_sessions=260, seed=11)


def _all_hits_over_time(panel, features, symbols, settings, start=100):
    out = []
    for n in range(start, panel.n_sessions + 1):
        out.append(patterns.detect(panel.head(n), features.head(n), symbols, settings))
    return out


def test_run_phase_writes_every_hit(db_url, big_universe):
    engine = prepare_database(db_url)
    features = features_of(big_universe)
    symbols = big_universe.symbols[:20].tolist()
    ctx = context(big_universe, features, symbols, held={"SYM25", "SYM0"})
    with engine.begin() as conn:
        result = patterns.run_phase(conn, ctx)
    assert result.processed == 21  # 20 candidates + SYM25 held (SYM0 is a candidate already)
    assert ctx.patterns, "a 30-symbol random universe should show some pattern"
    assert {h.symbol for h in ctx.patterns} <= set(symbols) | {"SYM25"}
    with engine.connect() as conn:
        rows = conn.execute(select(schema.pattern_analysis)).mappings().all()
    assert len(rows) == len(ctx.patterns) == result.metadata["patterns"]
    row = rows[0]
    hit = ctx.patterns[0]
    assert (row["symbol"], row["pattern_name"], row["direction"]) == (
        hit.symbol,
        hit.pattern_name,
        hit.direction,
    )
    assert row["cycle_id"] == ctx.cycle_id
    assert row["detection_timestamp"].replace(tzinfo=UTC) == ctx.now
    assert {r["pattern_type"] for r in rows} <= {t.value for t in PatternType}
    engine.dispose()


def test_empty_candidates_write_nothing(sqlite_url, big_universe):
    engine = prepare_database(sqlite_url)
    ctx = context(big_universe, features_of(big_universe), [])
    with engine.begin() as conn:
        result = patterns.run_phase(conn, ctx)
        count = conn.execute(select(func.count()).select_from(schema.pattern_analysis)).scalar()
    assert (result.processed, count, ctx.patterns) == (0, 0, [])
    engine.dispose()


def test_precomputed_and_on_the_fly_candles_agree(big_universe):
    settings = SettingsModel()
    symbols = big_universe.symbols[:10].tolist()
    features = features_of(big_universe)
    for n in (80, 150, 260):
        with_features = patterns.detect(big_universe.head(n), features.head(n), symbols, settings)
        without = patterns.detect(big_universe.head(n), None, symbols, settings)
        assert with_features == without


def test_causal_perturbing_later_bars_changes_nothing(big_universe):
    settings = SettingsModel()
    symbols = big_universe.symbols[:8].tolist()
    cut = 180
    before = _all_hits_over_time(big_universe, features_of(big_universe), symbols, settings, start=cut - 20)
    rng = np.random.default_rng(5)
    for field in ("open", "high", "low", "close", "volume"):
        arr = getattr(big_universe, field)
        arr[:, cut:] *= rng.uniform(0.7, 1.3, arr[:, cut:].shape)
    after = _all_hits_over_time(big_universe, features_of(big_universe), symbols, settings, start=cut - 20)
    assert before[:21] == after[:21]
    assert any(before[21:]), "the later sessions must see some hits for this test to mean anything"
    assert before[21:] != after[21:]


def test_min_confidence_filters(big_universe):
    settings = SettingsModel()
    symbols = big_universe.symbols.tolist()
    features = features_of(big_universe)
    hits = patterns.detect(big_universe, features, symbols, settings)
    settings.patterns.min_confidence = 0.6
    strong = patterns.detect(big_universe, features, symbols, settings)
    assert strong == [h for h in hits if h.confidence >= 0.6]


def test_families_can_be_switched_off(big_universe):
    settings = SettingsModel()
    settings.patterns.candlestick = False
    settings.patterns.volume = False
    hits = patterns.detect(big_universe, None, big_universe.symbols.tolist(), settings)
    assert {h.pattern_type for h in hits} <= {PatternType.CHART}


def test_detect_for_symbol_and_unknown_symbol(big_universe):
    settings = SettingsModel()
    features = features_of(big_universe)
    hits = patterns.detect_for_symbol(big_universe, features, "SYM3", settings)
    assert all(h.symbol == "SYM3" for h in hits)
    with pytest.raises(KeyError, match="NOPE"):
        patterns.detect_for_symbol(big_universe, features, "NOPE", settings)


def test_features_must_match_the_panel(big_universe):
    with pytest.raises(DataError, match="sessions"):
        patterns.detect(big_universe.head(100), features_of(big_universe), ["SYM1"], SettingsModel())


def test_supported_patterns_lists_every_detector():
    supported = patterns.supported_patterns()
    assert supported["counts"] == {"candlestick": 61, "chart": 12, "volume": 3}
    hammer = next(p for p in supported["candlestick"] if p["name"] == "CDLHAMMER")
    assert hammer["display_name"] == "Hammer" and hammer["candles"] == 1
    assert {p["direction"] for p in supported["chart"]} == {"BUY", "SELL"}
    assert "clarity" in supported["confidence_rule"]


def test_pattern_settings_are_validated():
    settings = load_settings(None, {"patterns": {"chart_lookback": 90, "min_confidence": 0.5}})
    assert (settings.patterns.chart_lookback, settings.patterns.min_confidence) == (90, 0.5)
    with pytest.raises(ConfigError, match="pattern confidence weights must sum to 1"):
        load_settings(None, {"patterns": {"clarity_weight": 0.5}})
    with pytest.raises(ConfigError, match="chart_flag_min_bars"):
        load_settings(None, {"patterns": {"chart_flag_min_bars": 20}})


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    vol=st.floats(0.005, 0.06),
    gaps=st.booleans(),
)
def test_every_hit_is_well_formed_on_any_walk(make_panel, seed, vol, gaps):
    rng = np.random.default_rng(seed)
    close = 30 * np.exp(np.cumsum(rng.normal(0, vol, (4, 160)), axis=1))
    open_ = close * np.exp(rng.normal(0, vol / 2, close.shape))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, vol, close.shape))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, vol, close.shape))
    volume = rng.lognormal(14, 0.6, close.shape)
    if gaps:
        for arr in (open_, high, low, close, volume):
            arr[1, 40:45] = np.nan
            arr[2, -1] = np.nan
    panel = make_panel(close, volume=volume, open_=open_)
    panel.high[:], panel.low[:] = high, low
    hits = patterns.detect(panel, features_of(panel), panel.symbols.tolist(), SettingsModel())
    for h in hits:
        sign = -1 if h.direction.value == "SELL" else 1
        assert levels_ok(sign, h.entry_price, h.stop_loss, h.target_price), h
        assert 0.0 <= h.confidence <= 1.0
        assert h.entry_price == pytest.approx(panel.close[panel.row(h.symbol), -1], abs=1e-4)
    if gaps:
        assert not [h for h in hits if h.symbol == "SYM2"]
