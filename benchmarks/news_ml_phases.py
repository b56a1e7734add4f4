"""Per-cycle cost of the news and ML phases, and of one ML retrain, on the bundled data.

Usage: python benchmarks/news_ml_phases.py [--cycles 100]

Replays sessions 2014-06..2014-10 (inside the bundled posts) over the whole
universe with 20 candidates a cycle, writing to a scratch SQLite file, and
prints milliseconds per cycle for each phase (excluding the commit) plus the retrain time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine

from tradecycle.adapters.marketdata.bundled import load_bundled_panel
from tradecycle.adapters.store.schema import metadata
from tradecycle.config import SettingsModel
from tradecycle.core.types import Candidate, ScanType
from tradecycle.services import ml, news
from tradecycle.services.analysis import precompute_features
from tradecycle.services.context import CycleContext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=100)
    args = parser.parse_args()
    settings = SettingsModel()
    panel = load_bundled_panel()
    features = precompute_features(panel, settings)
    news._bundled_scores()  # one-off per process: score every bundled post
    engine = create_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    metadata.create_all(engine)
    first = int(np.searchsorted(panel.sessions, np.datetime64("2014-06-02")))
    rng = np.random.default_rng(0)
    timings: dict[str, list[float]] = {"news": [], "ml": []}
    cache: dict = {}
    retrain = []
    for index in range(first, first + args.cycles):
        now = (
            panel.closes_utc[index].astype("datetime64[us]").item().replace(tzinfo=__import__("datetime").UTC)
        )
        picks = rng.choice(panel.n_symbols, size=20, replace=False)
        ctx = CycleContext(
            cycle_id=f"cycle_{now:%Y%m%d_%H%M%S}",
            now=now,
            settings=settings,
            panel=panel.head(index + 1),
            features=features.head(index + 1),
            account_id=1,
            candidates=[
                Candidate(str(panel.symbols[i]), ScanType.MOMENTUM, 1.0, 1.0, 1.0, 1.0) for i in picks
            ],
            cache=cache,
        )
        for name, phase in (("news", news.run_phase), ("ml", ml.run_phase)):
            with engine.begin() as conn:  # the commit is the coordinator's cost, not the phase's
                started = time.perf_counter()
                phase(conn, ctx)
                elapsed = time.perf_counter() - started
            if name == "ml" and ml.model_index(index, settings) == index:
                retrain.append(elapsed)
            else:
                timings[name].append(elapsed)
    for name, values in timings.items():
        ms = np.array(values) * 1000
        print(f"{name} phase: median {np.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms per cycle")
    if retrain:
        print(f"ml retrain cycles: {', '.join(f'{t:.3f}s' for t in retrain)}")
    started = time.perf_counter()
    model = ml.train_at(panel, features, 1008, settings)
    print(
        f"one retrain at session 1008: {time.perf_counter() - started:.3f}s ({model.metrics['samples']} samples)"
    )


if __name__ == "__main__":
    main()
