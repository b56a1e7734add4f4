"""Analysis speed on the bundled universe (505 symbols x 1259 sessions), without DB writes.

Prints:
  - precompute: every indicator feature and the 61 candlestick arrays for the whole panel
    (what replay does once, and what a live cycle does from scratch);
  - one cycle: scan + patterns + technicals + strategy at one session, from the
    precomputed features (mean / median / max over the sessions measured);
  - all sessions: precompute + one cycle of analysis at every session;
  - one live cycle from scratch: indicator features only (the patterns phase then runs the
    candlestick functions on a short window for the candidates), then the cycle.
Goal: one cycle <= 0.3 s.

    python benchmarks/analysis.py [--strategy composite|sma_cross] [--sessions N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.config import SettingsModel
from tradecycle.services.analysis import precompute_features
from tradecycle.services.context import CycleContext
from tradecycle.services.patterns import detect
from tradecycle.services.scanner import scan_panel
from tradecycle.services.technicals import readings_for
from tradecycle.strategies import get_strategy

STAGES = ("scan", "patterns", "technicals", "strategy")


def one_cycle(panel, features, settings, stages: dict[str, list[float]]) -> tuple[int, list]:
    """The analysis of one cycle at the panel's last session; returns (number of candidates, signals)."""
    ctx = CycleContext("bench", datetime(2018, 1, 1, tzinfo=UTC), settings, panel, 1, features=features)
    ctx.cache["held_symbols"] = set(panel.symbols[:10].tolist())
    t0 = time.perf_counter()
    ctx.candidates, _ = scan_panel(panel, features, settings)
    symbols = [c.symbol for c in ctx.candidates]
    t1 = time.perf_counter()
    ctx.patterns = detect(panel, features, symbols, settings)
    t2 = time.perf_counter()
    ctx.indicators = readings_for(panel, features, symbols, settings)
    t3 = time.perf_counter()
    signals = get_strategy(settings).generate(ctx)
    t4 = time.perf_counter()
    for name, dt in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
        stages[name].append(dt)
    return len(symbols), signals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", default="composite")
    parser.add_argument("--sessions", type=int, default=0, help="measure only the last N sessions (0: all)")
    args = parser.parse_args()
    settings = SettingsModel(strategy={"name": args.strategy})
    panel = load_bundled_panel()

    t0 = time.perf_counter()
    features = precompute_features(panel, settings)
    precompute = time.perf_counter() - t0
    t0 = time.perf_counter()
    precompute_features(panel, settings, candlesticks=False)
    indicators_only = time.perf_counter() - t0

    t0 = time.perf_counter()
    light = precompute_features(panel, settings, candlesticks=False)
    _, live_signals = one_cycle(panel, light, settings, {name: [] for name in STAGES})
    live = time.perf_counter() - t0

    first = 1 if not args.sessions else panel.n_sessions - args.sessions
    times, candidates, signals = [], 0, 0
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    for n in range(max(first, 1), panel.n_sessions + 1):
        t0 = time.perf_counter()
        c, last_signals = one_cycle(panel.head(n), features.head(n), settings, stages)
        times.append(time.perf_counter() - t0)
        candidates += c
        signals += len(last_signals)

    print(f"universe: {panel.n_symbols} symbols x {panel.n_sessions} sessions, strategy {args.strategy}")
    print(f"precompute features (indicators + 61 candlesticks): {precompute:.3f} s")
    print(f"  of which indicators only:                          {indicators_only:.3f} s")
    print(
        f"one cycle (scan+patterns+technicals+strategy): mean {statistics.mean(times) * 1e3:.1f} ms, "
        f"median {statistics.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms over {len(times)} sessions"
    )
    print(
        "  median per stage: "
        + ", ".join(f"{k} {statistics.median(v) * 1e3:.1f} ms" for k, v in stages.items())
    )
    print(f"one cycle from scratch (precompute + last cycle): {precompute + times[-1]:.3f} s")
    same = "same signals as replay" if repr(live_signals) == repr(last_signals) else "DIFFERENT signals"
    print(f"one live cycle from scratch (indicators only, CDL on a short window): {live:.3f} s ({same})")
    print(
        f"all {len(times)} sessions: {precompute + sum(times):.2f} s ({candidates} candidates, {signals} signals)"
    )


if __name__ == "__main__":
    main()
