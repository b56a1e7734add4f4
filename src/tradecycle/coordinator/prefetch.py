"""A second process finds a replay cycle's patterns before the cycle needs them.

Pattern detection is the largest piece of a cycle and depends only on the as-of bars
of the symbols it looks at. The replay asks this worker for session s + 1 as soon as
cycle s's patterns phase has taken its own answer, naming the symbols held after the
latest fills; the worker computes the scan's candidates itself from the session's as-of
panel and detects their patterns and the held symbols' while cycle s finishes and cycle
s + 1 books its fills. The answer is handed to cycle s + 1 only, when it starts; its
patterns phase detects any symbol the worker did not cover, so the result never depends
on the guess: it is the same as a one-process run, row for row (tested). The worker cuts
the panel and features at the session it is asked for, as the cycle does.

The worker is a fork of the replaying process (the panel and features are shared
copy-on-write, not copied), started before any thread exists; it exits when the pipe to
its parent closes, so a killed replay leaves no worker behind. Where fork is not
available, or the replay runs phases as remote services, there is no worker and the
patterns phase does all the work, as it does in live cycles.
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
from tradecycle.services.patterns import PREFETCH_KEY, SymbolPatterns

__all__ = ["PREFETCH_KEY", "OneCycleAhead", "PatternPrefetch"]


def _serve(conn: Any, panel: BarPanel, features: FeaturePanel, settings: SettingsModel) -> None:
    """The worker: (session index, extra symbols) in, {symbol: SymbolPatterns} out, until EOF."""
    from tradecycle.services.patterns import detect_by_symbol, symbols_to_detect
    from tradecycle.services.scanner import scan_panel

    while True:
        try:
            index, extra = conn.recv()
        except (EOFError, OSError):
            break
        visible, cut = panel.head(index + 1), features.head(index + 1)
        candidates, _ = scan_panel(visible, cut, settings)
        symbols = symbols_to_detect(visible, candidates, extra)  # what that cycle's phase will ask for
        try:
            conn.send(detect_by_symbol(visible, cut, symbols, settings))
        except (BrokenPipeError, OSError):
            break
    conn.close()


def _run_worker(
    conn: Any, parent_end: Any, panel: BarPanel, features: FeaturePanel, settings: SettingsModel
) -> None:
    parent_end.close()  # the fork's copy of it: without this the pipe never reaches EOF here
    try:
        _serve(conn, panel, features, settings)
    finally:
        os._exit(0)  # never run the parent's inherited cleanup (its database connections) here


class PatternPrefetch:
    """The worker process and the one request it may have in flight."""

    def __init__(self, panel: BarPanel, features: FeaturePanel, settings: SettingsModel) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_run_worker,
            args=(child, self._conn, panel, features, settings),
            daemon=True,
            name="pattern-prefetch",
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
    ) -> PatternPrefetch | None:
        """A worker when it can help: local patterns phase, precomputed features, fork, one thread."""
        if (
            features is None
            or "patterns" not in set(phase_names)
            or settings.distributed.mode == "remote"
            or "fork" not in multiprocessing.get_all_start_methods()
            or threading.active_count() > 1  # forking a threaded process can copy a held lock
        ):
            return None
        return cls(panel, features, settings)

    def request(self, index: int, extra_symbols: Iterable[str]) -> Callable[[], dict[str, SymbolPatterns]]:
        """Ask for session `index`; the returned callable waits for the answer (once)."""
        self._drain()
        if self._alive:
            try:
                self._conn.send((int(index), sorted(set(extra_symbols))))
                self._pending = True
            except OSError:  # the worker died (BrokenPipeError): the phase detects everything itself
                self._alive = False
        return self._answer

    def _answer(self) -> dict[str, SymbolPatterns]:
        if not self._pending:
            return {}
        self._pending = False
        try:
            return self._conn.recv()
        except (EOFError, OSError):  # the worker died: the phase detects everything itself
            self._alive = False
            return {}

    def _drain(self) -> None:
        """Discard an answer nobody took (a cycle skipped as complete, or failed before patterns)."""
        self._answer()

    def close(self) -> None:
        self._conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


class OneCycleAhead:
    """Keeps the worker one cycle ahead of a replay.

    The next cycle's request goes out as soon as this cycle's patterns phase has taken its
    own answer, so the worker runs while this cycle's remaining phases do. The answer is
    put in the shared cycle cache (PREFETCH_KEY, read by the patterns phase) only when the
    cycle of its session starts: no phase of an earlier cycle can reach it.
    """

    def __init__(self, prefetch: PatternPrefetch, cache: dict[str, Any], sessions: Sequence[int]) -> None:
        """`sessions`: the session indices of the cycles that will run, in order; `cache`: the
        runner's cache shared by all cycles (it holds the symbols held after the latest fills)."""
        self.prefetch, self.cache = prefetch, cache
        self.following = dict(zip(sessions, sessions[1:], strict=False))
        self.to_run, self.current = set(sessions), None
        self.requested: tuple[int, Callable[[], dict[str, SymbolPatterns]]] | None = None

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
        if name == "patterns" and following is not None:
            self._request(following)

    def _request(self, index: int) -> None:
        held = self.cache.get("held_symbols", set())
        self.requested = (index, self.prefetch.request(index, held))
