"""SMA crossover, long only, on the whole universe (not only the scan's candidates).

BUY a symbol not held when SMA(fast) crosses above SMA(slow) at the last session;
SELL (exit) a held symbol when it crosses below. The cross is the precomputed causal
feature "ma_cross" (+1 up, -1 down), so a cycle looks at one column. The order placed
from a signal fills at the next session's open (execution phase). Score is 100 for a
cross up and 0 for a cross down, confidence 1; stop and target use the same ATR rules
as the composite strategy so the risk phase can size the position.
"""

from __future__ import annotations

import numpy as np

from tradecycle.core import scoring
from tradecycle.core.types import Side, Signal
from tradecycle.services.analysis import level_params
from tradecycle.services.context import CycleContext
from tradecycle.strategies.base import Evaluation, Strategy, register_strategy


@register_strategy
class SmaCrossStrategy(Strategy):
    name = "sma_cross"
    reads = frozenset()  # the precomputed features only

    def evaluate(self, ctx: CycleContext) -> list[Evaluation]:
        if ctx.panel.n_sessions == 0:
            return []
        cross = ctx.features["ma_cross"][:, -1]
        close = ctx.panel.close[:, -1]
        held_set = ctx.cache.get("held_symbols", set())
        held = np.fromiter((s in held_set for s in ctx.panel.symbols.tolist()), bool, ctx.panel.n_symbols)
        traded = np.isfinite(close) & (close > 0)
        buy = (cross == 1) & ~held & traded
        sell = (cross == -1) & held & traded
        rows = np.flatnonzero(buy | sell)
        if rows.size == 0:
            return []
        order = np.argsort(ctx.panel.symbols[rows], kind="stable")
        rows = rows[order]
        direction = np.where(buy[rows], 1.0, -1.0)
        entry = close[rows].astype(np.float64)
        atr = ctx.features["atr_14"][rows, -1].astype(np.float64)
        stop, target = scoring.levels(entry, atr, direction, level_params(self.settings))
        conf = np.ones(rows.size)
        expected = scoring.expected_return(entry, stop, target, direction, conf)
        fast, slow = self.settings.strategy.sma_fast, self.settings.strategy.sma_slow
        out = []
        for k, row in enumerate(rows.tolist()):
            up = direction[k] > 0
            reason = f"SMA{fast} crossed {'above' if up else 'below'} SMA{slow}"
            score = 100.0 if up else 0.0
            signal = Signal(
                symbol=str(ctx.panel.symbols[row]),
                side=Side.BUY if up else Side.SELL,
                score=score,
                confidence=1.0,
                entry=float(entry[k]),
                stop=float(stop[k]),
                target=float(target[k]),
                strategy_name=self.name,
                reasons=(reason,),
            )
            out.append(
                Evaluation(
                    symbol=signal.symbol,
                    label="BUY" if up else "SELL",
                    score=score,
                    confidence=1.0,
                    entry=signal.entry,
                    stop=signal.stop,
                    target=signal.target,
                    expected_return=float(expected[k]),
                    reasons=(reason,),
                    checks={"held": not up},
                    signal=signal,
                )
            )
        return out
