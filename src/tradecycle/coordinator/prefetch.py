"""A second process works out a replay cycle's analysis before the cycle needs it.

The scan, the indicator readings, the patterns and the ML probabilities of a session depend
only on its as-of bars (see tradecycle.services.prefetched). The replay asks this worker for
session s + 1 as soon as cycle s's first analysis phase has taken its own answer, naming the
symbols held after the latest fills; the worker scans that session's as-of panel, reads the
candidates' indicators, detects the candidates' and held symbols' patterns and predicts
their direction (fitting the walk-forward model when a new one is due) while cycle s
finishes and cycle s + 1 books its fills. The answer is handed to cycle s + 1 only, when it
starts; its phases work out whatever the worker did not cover (a symbol bought at that
session's open, another model), so the result never depends on the guess: it is the same
as a one-process run, row for row (tested). The worker cuts the panel and features at the
session it is asked for, as the cycle does.

The worker is a fork of the replaying process (the panel and features are shared
copy-on-write, not copied), started before any thread exists; it exits when the pipe to
its parent closes, so a killed replay leaves no worker behind. Where fork is not
available, or the replay runs phases as remote services, there is no worker and the
phases do all the work, as they do in live cycles.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tradecycle.config import SettingsModel
from tradecycle.core.features import FeaturePanel
from tradecycle.core.panel import BarPanel
from tradecycle.services.prefetched import PREFETCH_KEY, PrefetchedPredictions, SessionAnalysis

__all__ = [
    "ANALYSED_PHASES",
    "PREFETCH_KEY",
    "AnalysisPrefetch",
    "ModelFits",
    "OneCycleAhead",
    "analyse_session",
]

# The phases whose work the worker does ahead, in the order a cycle runs them.
ANALYSED_PHASES = ("scan", "patterns", "technicals", "ml")
# A walk-forward fit takes as long as several cycles: the worker starts it this many sessions early.
FIT_AHEAD_SESSIONS = 16


class ModelFits:
    """The worker's walk-forward models, fitted when an answer needs one or ahead of time.

    A model fitted at session m reads only the panel cut at m, whenever it is fitted, and goes
    out only in answers for the sessions that use it; fitting it in a thread of the worker
    while the worker answers the sessions before m means the cycle at m does not wait for it.
    """

    def __init__(self, panel: BarPanel, features: FeaturePanel, settings: SettingsModel) -> None:
        self.panel, self.features, self.settings = panel, features, settings
        self.ready: dict[tuple[str, str], tuple[Any, str]] = {}
        self.running: dict[tuple[str, str], threading.Thread] = {}
        self.sent: set[tuple[str, str]] = set()
        self.keys: dict[int, tuple[str, str]] = {}

    def _key(self, m: int) -> tuple[str, str]:
        """(name, version) of the model fitted at m, worked out once (the version hashes the universe)."""
        from tradecycle.services import ml

        if m not in self.keys:
            self.keys[m] = (ml.model_name(self.settings), ml.model_version(self.panel, m, self.settings))
        return self.keys[m]

    def _fit(self, key: tuple[str, str], m: int) -> None:
        from tradecycle.services import ml

        model = ml.train_at(self.panel.head(m + 1), self.features.head(m + 1), m, self.settings)
        self.ready[key] = (model, model.serialise()[1])

    def get(self, m: int) -> tuple[Any, str, bool]:
        """(model fitted at m, its checksum, whether this is the first answer that uses it)."""
        key = self._key(m)
        running = self.running.pop(key, None)
        if running is not None:
            running.join()
        if key not in self.ready:
            self._fit(key, m)  # a fit that fails raises here, as it would in the cycle
        model, checksum = self.ready[key]
        first = key not in self.sent
        self.sent.add(key)
        return model, checksum, first

    def fit_ahead(self, index: int) -> None:
        """Start fitting the next due model in a thread once its session is near."""
        from tradecycle.services import ml

        every = self.settings.ml.retrain_every_sessions
        m = (index // every + 1) * every
        if (
            m - index > FIT_AHEAD_SESSIONS
            or m >= self.panel.n_sessions
            or ml.model_index(m, self.settings) != m
        ):
            return
        key = self._key(m)
        if key in self.ready or key in self.running:
            return
        self.running[key] = threading.Thread(target=self._fit_quietly, args=(key, m), daemon=True)
        self.running[key].start()

    def _fit_quietly(self, key: tuple[str, str], m: int) -> None:
        try:
            self._fit(key, m)
        except Exception:  # noqa: BLE001 - get() fits again in the answer's path and raises there
            return


def analyse_session(
    panel: BarPanel,
    features: FeaturePanel,
    settings: SettingsModel,
    phases: frozenset[str],
    index: int,
    held: Iterable[str],
    fits: ModelFits,
) -> SessionAnalysis:
    """Session `index`'s analysis for the enabled `phases`, as its cycle would work it out.

    `fits` keeps the worker's models between requests; a model goes out with the first
    answer that uses it only.
    """
    from tradecycle.services import ml
    from tradecycle.services.patterns import detect_by_symbol, symbols_to_detect
    from tradecycle.services.scanner import scan_panel
    from tradecycle.services.technicals import readings_for

    visible, cut = panel.head(index + 1), features.head(index + 1)
    candidates = scan_panel(visible, cut, settings)[0] if "scan" in phases else []
    symbols = symbols_to_detect(visible, candidates, held)  # what those phases will ask for
    readings = patterns = predictions = None
    if "technicals" in phases:
        readings = tuple(readings_for(visible, cut, [c.symbol for c in candidates], settings))
    if "patterns" in phases:
        patterns = detect_by_symbol(visible, cut, symbols, settings)
    m = ml.model_index(index, settings)
    if "ml" in phases and m is not None and symbols:
        model, checksum, first = fits.get(m)
        probabilities = ml.predict(model, visible, cut, symbols, settings)
        predictions = PrefetchedPredictions(
            model=model if first else None,
            checksum=checksum,
            symbols=tuple(symbols),
            probabilities=tuple(float(p) for p in probabilities),
        )
    return SessionAnalysis(index, tuple(candidates), readings, patterns, predictions)


def _serve(
    conn: Any, panel: BarPanel, features: FeaturePanel, settings: SettingsModel, phases: frozenset[str]
) -> None:
    """The worker: (session index, held symbols) in, SessionAnalysis out, until EOF."""
    fits = ModelFits(panel, features, settings)
    while True:
        try:
            index, held = conn.recv()
        except (EOFError, OSError):
            break
        answer = analyse_session(panel, features, settings, phases, index, held, fits)
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            break
        if "ml" in phases:
            fits.fit_ahead(index)
    conn.close()


def _run_worker(
    conn: Any,
    parent_end: Any,
    panel: BarPanel,
    features: FeaturePanel,
    settings: SettingsModel,
    phases: frozenset[str],
) -> None:
    parent_end.close()  # the fork's copy of it: without this the pipe never reaches EOF here
    try:
        _serve(conn, panel, features, settings, phases)
    finally:
        os._exit(0)  # never run the parent's inherited cleanup (its database connections) here


class AnalysisPrefetch:
    """The worker process and the one request it may have in flight."""

    def __init__(
        self,
        panel: BarPanel,
        features: FeaturePanel,
        settings: SettingsModel,
        phases: Iterable[str] = ANALYSED_PHASES,
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_run_worker,
            args=(child, self._conn, panel, features, settings, frozenset(phases) & set(ANALYSED_PHASES)),
            daemon=True,
            name="analysis-prefetch",
        )
        self._process.start()
        child.close()
        self._pending = False
        self._alive = True

    @classmethod
    def start_if_possible(
        cls,
        panel: BarPanel,
        features: FeaturePanel | None,
        settings: SettingsModel,
        phase_names: Iterable[str],
    ) -> AnalysisPrefetch | None:
        """A worker when it can help: local analysis phases, precomputed features, fork, one thread."""
        phases = set(phase_names) & set(ANALYSED_PHASES)
        if (
            features is None
            or not phases
            or settings.distributed.mode == "remote"
            or "fork" not in multiprocessing.get_all_start_methods()
            or threading.active_count() > 1  # forking a threaded process can copy a held lock
        ):
            return None
        return cls(panel, features, settings, phases)

    def request(self, index: int, held: Iterable[str]) -> Callable[[], SessionAnalysis | None]:
        """Ask for session `index`; the returned callable waits for the answer (once)."""
        self._drain()
        if self._alive:
            try:
                self._conn.send((int(index), sorted(set(held))))
                self._pending = True
            except OSError:  # the worker died (BrokenPipeError): the phases do all the work
                self._alive = False
        return self._answer

    def _answer(self) -> SessionAnalysis | None:
        if not self._pending:
            return None
        self._pending = False
        try:
            return self._conn.recv()
        except (EOFError, OSError):  # the worker died: the phases do all the work
            self._alive = False
            return None

    def _drain(self) -> None:
        """Discard an answer nobody took (a cycle skipped as complete, or failed before its analysis)."""
        self._answer()

    def close(self) -> None:
        self._conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


class OneCycleAhead:
    """Keeps the worker one cycle ahead of a replay.

    The next cycle's request goes out as soon as this cycle's first analysis phase (`after`)
    has taken its own answer, so the worker runs while this cycle's remaining phases do. The
    answer is put in the shared cycle cache (PREFETCH_KEY, read through
    services.prefetched) only when the cycle of its session starts: no phase of an earlier
    cycle can reach it.
    """

    def __init__(
        self, prefetch: AnalysisPrefetch, cache: dict[str, Any], sessions: Sequence[int], after: str
    ) -> None:
        """`sessions`: the session indices of the cycles that will run, in order; `cache`: the
        runner's cache shared by all cycles (it holds the symbols held after the latest fills)."""
        self.prefetch, self.cache, self.after = prefetch, cache, after
        self.following = dict(zip(sessions, sessions[1:], strict=False))
        self.to_run, self.current = set(sessions), None
        self.requested: tuple[int, Callable[[], SessionAnalysis | None]] | None = None

    @staticmethod
    def first_analysed(phase_names: Iterable[str]) -> str | None:
        """The phase that takes a cycle's answer: the first analysed one the cycle runs."""
        enabled = set(phase_names)
        return next((name for name in ANALYSED_PHASES if name in enabled), None)

    def cycle_starts(self, index: int) -> None:
        self.current = index
        self.cache.pop(PREFETCH_KEY, None)
        if index not in self.to_run:
            return  # complete already: skipped, nothing to hand over
        if self.requested is None or self.requested[0] != index:
            self._request(index)
        self.cache[PREFETCH_KEY] = self.requested[1]

    def phase_done(self, name: str) -> None:
        following = self.following.get(self.current)
        if name == self.after and following is not None:
            self._request(following)

    def _request(self, index: int) -> None:
        held = self.cache.get("held_symbols", set())
        self.requested = (index, self.prefetch.request(index, held))
