"""Analysis shared by the scan, technicals and strategy phases and the analysis API.

`precompute_features` runs every indicator and the 61 TA-Lib candlestick functions over
the whole panel once (replay calls it once, then each cycle takes `features.head(n)`).
The *_params helpers translate settings into the small parameter objects core uses,
so core never sees the settings model.
"""

from __future__ import annotations

import json

from tradecycle.adapters.store.bulk import to_json
from tradecycle.config import SettingsModel
from tradecycle.core.features import FeaturePanel
from tradecycle.core.indicators import FeatureParams, RuleParams, indicator_arrays
from tradecycle.core.panel import BarPanel
from tradecycle.core.scan import ScanParams
from tradecycle.core.scoring import LevelParams, Thresholds
from tradecycle.core.types import ScanType


def dump_json(meta: dict) -> str | None:
    """Metadata of plain values as compact JSON, fast; anything else through the store's converter."""
    try:
        return json.dumps(meta, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return to_json(meta)


def feature_params(settings: SettingsModel) -> FeatureParams:
    return FeatureParams(
        lookback=settings.scanner.lookback_sessions,
        breakout_lookback=settings.scanner.breakout_lookback,
        sma_fast=settings.strategy.sma_fast,
        sma_slow=settings.strategy.sma_slow,
    )


def rule_params(settings: SettingsModel) -> RuleParams:
    return RuleParams(min_relative_volume=settings.scanner.min_relative_volume)


def scan_params(settings: SettingsModel) -> ScanParams:
    s = settings.scanner
    return ScanParams(
        min_volume=s.min_volume,
        min_price=s.min_price,
        max_price=s.max_price,
        min_change_pct=s.min_change_pct,
        min_relative_volume=s.min_relative_volume,
        oversold_rsi=s.oversold_rsi,
        value_near_low_pct=s.value_near_low_pct,
        scan_types=tuple(ScanType(t) for t in s.scan_types),
        max_candidates=s.max_candidates,
    )


def thresholds(settings: SettingsModel) -> Thresholds:
    s = settings.signal
    return Thresholds(strong_buy=s.strong_buy, buy=s.buy, sell=s.sell, strong_sell=s.strong_sell)


def level_params(settings: SettingsModel) -> LevelParams:
    return LevelParams(
        atr_stop_multiple=settings.signal.atr_stop_multiple,
        max_stop_pct=settings.signal.max_stop_pct,
        min_reward_risk=settings.risk.min_reward_risk,
    )


def score_weights(settings: SettingsModel) -> dict[str, float]:
    s = settings.signal
    return {
        "pattern": s.pattern_weight,
        "indicator": s.indicator_weight,
        "trend": s.trend_weight,
        "volume": s.volume_weight,
        "ml": s.ml_weight,
        "sentiment": s.sentiment_weight,
    }


def precompute_features(panel: BarPanel, settings: SettingsModel, candlesticks: bool = True) -> FeaturePanel:
    """Causal indicator arrays (symbols x sessions) plus the candlestick block "cdl".

    The value at session s uses only bars at or before s. `candlesticks=False` skips the
    61 CDL functions (for callers that never look at patterns).
    """
    arrays = indicator_arrays(
        panel.open, panel.high, panel.low, panel.close, panel.volume, feature_params(settings)
    )
    names: tuple[str, ...] = ()
    if candlesticks:
        from tradecycle.core.candlesticks import candlestick_arrays  # H3b's module: 61 TA-Lib CDL functions

        cdl_names, cdl = candlestick_arrays(panel)
        arrays["cdl"] = cdl
        names = tuple(cdl_names)
    return FeaturePanel(arrays, names)
