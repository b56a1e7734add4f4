"""The seed's composite strategy: the weighted signal score plus its validation checklist.

Scores every candidate and every held symbol (see tradecycle.core.scoring). A candidate
becomes a BUY signal when its score reaches signal.buy, at least
min_confirming_indicators readings say BUY, and (with require_pattern) a bullish
pattern reached min_pattern_confidence; reward/risk >= risk.min_reward_risk and the
stop within max_stop_pct hold by construction. A held symbol whose score falls to
signal.sell becomes a SELL (exit) signal. Short entries only with risk.allow_short.
ML direction predictions are read as the probability of an up move (0..1).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from tradecycle.core import scoring
from tradecycle.core.indicators import RULE_GROUPS, RULE_NAMES
from tradecycle.core.types import PredictionType, Side, Signal, SignalLabel
from tradecycle.services.analysis import level_params, score_weights, thresholds
from tradecycle.services.context import CycleContext
from tradecycle.services.technicals import rule_matrix, symbol_rows
from tradecycle.strategies.base import Evaluation, Strategy, register_strategy

_SIGNAL_VALUE = {SignalLabel.BUY: 1, SignalLabel.NEUTRAL: 0, SignalLabel.SELL: -1}


def evaluated_symbols(ctx: CycleContext) -> list[str]:
    """Candidates in scan order, then held symbols that are not candidates, sorted."""
    known = set(ctx.panel.symbols.tolist())
    symbols = [c.symbol for c in ctx.candidates]
    seen = set(symbols)
    symbols += sorted(s for s in ctx.cache.get("held_symbols", set()) if s not in seen and s in known)
    return symbols


def _pattern_inputs(ctx: CycleContext, symbols: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Best bullish / bearish confidence, the best bullish hit's target, and its name, per symbol."""
    pos = {s: i for i, s in enumerate(symbols)}
    bull = np.zeros(len(symbols))
    bear = np.zeros(len(symbols))
    target = np.full(len(symbols), np.nan)
    names: list = [None] * len(symbols)
    for hit in ctx.patterns:
        i = pos.get(hit.symbol)
        if i is None:
            continue
        if hit.direction == SignalLabel.BUY and hit.confidence > bull[i]:
            bull[i], target[i], names[i] = hit.confidence, hit.target_price, hit.pattern_name
        elif hit.direction == SignalLabel.SELL and hit.confidence > bear[i]:
            bear[i] = hit.confidence
    return bull, bear, target, names


def _per_symbol_mean(symbols: list[str], pairs) -> np.ndarray:
    """Weighted mean of (symbol, value, weight) triples per symbol; NaN where none."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for symbol, value, weight in pairs:
        acc = sums[symbol]
        acc[0] += value * weight
        acc[1] += weight
    return np.array([sums[s][0] / sums[s][1] if sums.get(s) and sums[s][1] > 0 else np.nan for s in symbols])


@register_strategy
class CompositeStrategy(Strategy):
    name = "composite"

    def evaluate(self, ctx: CycleContext) -> list[Evaluation]:
        return self.score_symbols(ctx, evaluated_symbols(ctx), {c.symbol for c in ctx.candidates})

    def score_symbols(self, ctx: CycleContext, symbols: list[str], entries: set[str]) -> list[Evaluation]:
        """Evaluate `symbols`; only those in `entries` (the candidates) may become entry signals."""
        if not symbols or ctx.panel.n_sessions == 0:
            return []
        settings = self.settings
        rows = symbol_rows(ctx.panel, symbols)
        _, signals = rule_matrix(ctx.panel, ctx.features, rows, settings)
        self._apply_readings(ctx, symbols, signals)
        bull, bear, pattern_target, pattern_names = _pattern_inputs(ctx, symbols)
        components = self._components(ctx, symbols, signals, bull, bear)
        score = scoring.composite(components, score_weights(settings))
        label = scoring.labels(score, thresholds(settings))
        conf = scoring.confidence(score)
        entry = ctx.panel.close[rows, -1].astype(np.float64)
        atr = ctx.features["atr_14"][rows, -1].astype(np.float64)
        held = ctx.cache.get("held_symbols", set())
        directional = RULE_GROUPS != "info"
        buys = (signals[:, directional] > 0).sum(axis=1)
        sells = (signals[:, directional] < 0).sum(axis=1)
        sig = settings.signal
        checks = {
            "score_buy": score >= sig.buy,
            "score_sell": score <= sig.sell,
            "confirming_buy": buys >= sig.min_confirming_indicators,
            "confirming_sell": sells >= sig.min_confirming_indicators,
            "pattern": (bull >= sig.min_pattern_confidence)
            if sig.require_pattern
            else np.ones(len(symbols), bool),
            "has_price": np.isfinite(entry) & (entry > 0),
        }
        is_candidate = np.array([s in entries for s in symbols])
        is_held = np.array([s in held for s in symbols])
        buy = is_candidate & ~is_held & checks["score_buy"] & checks["confirming_buy"] & checks["pattern"]
        exit_ = is_held & checks["score_sell"]
        short = is_candidate & ~is_held & checks["score_sell"] & checks["confirming_sell"]
        short &= settings.risk.allow_short
        buy &= checks["has_price"]
        exit_ &= checks["has_price"]
        short &= checks["has_price"]
        direction = np.where(exit_ | short, -1.0, 1.0)
        stop, target = scoring.levels(
            entry, atr, direction, level_params(settings), np.where(direction > 0, pattern_target, np.nan)
        )
        expected = scoring.expected_return(entry, stop, target, direction, conf)
        out = []
        for i, symbol in enumerate(symbols):
            comp = {k: float(v[i]) for k, v in components.items()}
            reasons = self._reasons(i, signals, pattern_names[i], comp)
            shared = {  # what the evaluation records and its signal (if any) carries
                "symbol": symbol,
                "score": float(score[i]),
                "confidence": float(conf[i]),
                "entry": float(entry[i]),
                "stop": float(stop[i]),
                "target": float(target[i]),
                "reasons": reasons,
                "components": comp,
            }
            signal = None
            if buy[i] or exit_[i] or short[i]:
                signal = Signal(side=Side.BUY if buy[i] else Side.SELL, strategy_name=self.name, **shared)
            out.append(
                Evaluation(
                    label=str(label[i]),
                    expected_return=float(expected[i]),
                    checks={k: bool(v[i]) for k, v in checks.items()} | {"held": bool(is_held[i])},
                    signal=signal,
                    **shared,
                )
            )
        return out

    @staticmethod
    def _components(
        ctx: CycleContext, symbols: list[str], signals: np.ndarray, bull: np.ndarray, bear: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The six 0..100 score components per symbol (see tradecycle.core.scoring)."""
        directions = (p for p in ctx.predictions if p.prediction_type == PredictionType.DIRECTION)
        ml = _per_symbol_mean(symbols, ((p.symbol, p.value, 1.0) for p in directions))
        sentiment = _per_symbol_mean(symbols, ((r.symbol, r.score, r.relevance) for r in ctx.sentiment))
        return {
            "pattern": scoring.pattern_scores(bull, bear),
            "indicator": scoring.group_scores(signals, RULE_GROUPS, "indicator"),
            "trend": scoring.group_scores(signals, RULE_GROUPS, "trend"),
            "volume": scoring.group_scores(signals, RULE_GROUPS, "volume"),
            "ml": scoring.ml_scores(ml),
            "sentiment": scoring.sentiment_scores(sentiment),
        }

    @staticmethod
    def _apply_readings(ctx: CycleContext, symbols: list[str], signals: np.ndarray) -> None:
        """Readings already on the context (the technicals phase, or a remote service) take precedence."""
        pos = {s: i for i, s in enumerate(symbols)}
        col = {n: j for j, n in enumerate(RULE_NAMES)}
        for r in ctx.indicators:
            i, j = pos.get(r.symbol), col.get(r.name)
            if i is not None and j is not None:
                signals[i, j] = _SIGNAL_VALUE[r.signal]

    @staticmethod
    def _reasons(i: int, signals: np.ndarray, pattern: str | None, comp: dict[str, float]) -> tuple[str, ...]:
        reasons = [f"pattern {pattern}"] if pattern else []
        reasons += [
            f"{RULE_NAMES[j]} {'BUY' if s > 0 else 'SELL'}" for j, s in enumerate(signals[i]) if s != 0
        ]
        if comp["ml"] != scoring.NEUTRAL_SCORE:
            reasons.append(f"ml {comp['ml']:.0f}")
        if comp["sentiment"] != scoring.NEUTRAL_SCORE:
            reasons.append(f"sentiment {comp['sentiment']:.0f}")
        return tuple(reasons)
