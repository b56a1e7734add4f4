"""Patterns benchmark on the bundled universe (505 symbols, 2013-2018).

Prints: the 61 TA-Lib candlestick arrays for the whole universe; one cycle's
pattern detection for 20 candidates (precomputed CDL codes, and computing them on
the fly), averaged over many sessions; the hits per cycle. No DB writes (the phase
writes its few rows through insert_rows in one batch).

    python benchmarks/patterns.py [--cycles 200] [--candidates 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.config import SettingsModel
from tradecycle.core.candlesticks import candlestick_arrays
from tradecycle.core.features import FeaturePanel
from tradecycle.services.patterns import detect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--candidates", type=int, default=20)
    args = parser.parse_args()

    panel = load_bundled_panel()
    settings = SettingsModel()
    print(f"universe: {panel.n_symbols} symbols x {panel.n_sessions} sessions")

    start = time.process_time()
    names, codes = candlestick_arrays(panel)
    print(f"candlestick_arrays (61 CDL x all symbols, once): CPU {time.process_time() - start:.2f} s")
    features = FeaturePanel({"cdl": codes}, tuple(names))

    rng = np.random.default_rng(0)
    sessions = np.linspace(260, panel.n_sessions, args.cycles, dtype=int)
    for label, feats in (("precomputed CDL", features), ("CDL on the fly", None)):
        elapsed, hits = [], 0
        for n in sessions:
            symbols = rng.choice(panel.symbols, args.candidates, replace=False).tolist()
            p, f = panel.head(n), feats.head(n) if feats is not None else None
            t0 = time.process_time()
            hits += len(detect(p, f, symbols, settings))
            elapsed.append(time.process_time() - t0)
        ms = np.array(elapsed) * 1000
        print(
            f"one cycle, {args.candidates} candidates, {label}: mean {ms.mean():.1f} ms CPU, "
            f"p95 {np.percentile(ms, 95):.1f} ms, {hits / len(sessions):.1f} hits/cycle"
        )


if __name__ == "__main__":
    main()
