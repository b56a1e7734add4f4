"""The replay's analysis worker: the same rows as a one-process replay, and no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date

import pytest
from sqlalchemy import select

from tradecycle.adapters.store import schema as s
from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator import replay as replay_module
from tradecycle.coordinator.prefetch import AnalysisPrefetch
from tradecycle.services import ml
from tradecycle.settings import load_settings

from .helpers import decision_state

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the worker is a fork")

SYMBOLS = [
    "AAPL",
    "MSFT",
    "JPM",
    "XOM",
    "JNJ",
    "PG",
    "KO",
    "WMT",
    "CVX",
    "PFE",
    "INTC",
    "CSCO",
    "BA",
    "CAT",
    "HD",
    "MCD",
    "DIS",
    "GS",
    "IBM",
    "UNH",
    "AMZN",
    "GOOGL",
    "NVDA",
    "ORCL",
    "T",
    "VZ",
    "MRK",
    "ABT",
    "C",
    "BAC",
    "WFC",
    "MMM",
    "HON",
    "GE",
    "F",
    "GM",
    "NKE",
    "SBUX",
    "TGT",
    "LOW",
]


def _replay(url: str, prefetch: bool, monkeypatch) -> tuple[list, dict[str, int]]:
    """Replay two months; returns the worker's answers and how often this process predicted and fitted."""
    taken: list = []
    work = {"predict": 0, "train_at": 0}
    for name in work:  # counted in this process only: the worker is forked before the replay runs
        original = getattr(ml, name)

        def counting(*args, _name=name, _original=original, **kwargs):
            work[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(ml, name, counting)
    if prefetch:

        class Counting(AnalysisPrefetch):
            def _answer(self):
                pending = self._pending  # else it is request() draining nothing
                found = super()._answer()
                if pending:
                    taken.append(found)
                return found

        # the test process runs threads (xdist), so the guard would refuse: start it anyway
        monkeypatch.setattr(
            replay_module.AnalysisPrefetch,
            "start_if_possible",
            classmethod(lambda cls, p, f, st, names: Counting(p, f, st, names)),
        )
    else:
        monkeypatch.setattr(
            replay_module.AnalysisPrefetch, "start_if_possible", classmethod(lambda cls, *args: None)
        )
    settings = load_settings(None, {"database_url": url, "data": {"provider": "bundled"}})
    summary = replay_module.replay(
        prepare_database(url), settings, date(2014, 3, 3), date(2014, 4, 30), SYMBOLS
    )
    assert summary.ok and summary.cycles_run > 30
    monkeypatch.undo()
    return taken, work


def _analysis_rows(url: str) -> dict[str, list[tuple]]:
    """Every analysis row the replay wrote, in id order (so the order of writing counts too)."""
    engine = prepare_database(url)
    p, t, m, r = s.pattern_analysis.c, s.technical_indicators.c, s.ml_predictions.c, s.scanning_results.c
    queries = {
        "patterns": select(p.cycle_id, p.symbol, p.pattern_name, p.confidence, p.metadata).order_by(p.id),
        "indicators": select(t.cycle_id, t.symbol, t.indicator_name, t.indicator_value, t.signal).order_by(
            t.id
        ),
        "predictions": select(m.cycle_id, m.symbol, m.model_version, m.prediction_value).order_by(m.id),
        "scans": select(r.cycle_id, r.symbol, r.scan_type, r.metadata).order_by(r.id),
        "models": select(s.ml_models.c.model_version, s.ml_models.c.checksum).order_by(s.ml_models.c.id),
    }
    with engine.connect() as conn:
        rows = {name: [tuple(row) for row in conn.execute(query)] for name, query in queries.items()}
    engine.dispose()
    return rows


def test_replay_with_the_worker_writes_what_one_process_writes(tmp_path, monkeypatch):
    alone, helped = f"sqlite:///{tmp_path / 'alone.db'}", f"sqlite:///{tmp_path / 'helped.db'}"
    taken, work_alone = _replay(alone, prefetch=False, monkeypatch=monkeypatch)
    assert taken == [] and work_alone["train_at"] >= 1
    taken, work_helped = _replay(helped, prefetch=True, monkeypatch=monkeypatch)
    # the worker's answers were used: every part, and its model and probabilities
    assert len(taken) > 30 and all(a is not None and a.candidates for a in taken)
    assert sum(len(a.patterns) for a in taken) > 0 and sum(len(a.readings) for a in taken) > 0
    assert any(a.predictions is not None and a.predictions.model is not None for a in taken)
    assert work_helped["train_at"] == 0  # the worker fitted the model this process stored
    assert work_helped["predict"] < work_alone["predict"] / 2
    rows = _analysis_rows(alone)
    assert all(rows.values()), {k: len(v) for k, v in rows.items()}
    assert _analysis_rows(helped) == rows  # the same rows, in the same order (ids)
    reference, state = decision_state(alone), decision_state(helped)
    for table, expected in reference.items():
        assert state[table] == expected, table


def test_close_ends_the_worker_and_a_killed_parent_leaves_none(tmp_path):
    script = textwrap.dedent(
        """
        import sys, time
        from tradecycle.adapters.marketdata.bundled import load_bundled_panel
        from tradecycle.coordinator.prefetch import AnalysisPrefetch
        from tradecycle.services.analysis import precompute_features
        from tradecycle.settings import load_settings

        settings = load_settings(None, {})
        panel = load_bundled_panel(end="2013-06-28", symbols=["AAPL", "MSFT", "KO"])
        features = precompute_features(panel, settings)
        worker = AnalysisPrefetch(panel, features, settings)
        answer = worker.request(panel.n_sessions - 1, ["KO"])()
        assert set(answer.patterns) >= {"KO"}, answer
        if sys.argv[1] == "close":
            worker.close()
            print(worker._process.exitcode, flush=True)
        else:
            print(worker._process.pid, flush=True)
            time.sleep(60)
        """
    )
    env = {**os.environ, "TRADECYCLE_SHARED": os.environ.get("TRADECYCLE_SHARED", "")}
    closed = subprocess.run(
        [sys.executable, "-c", script, "close"], capture_output=True, text=True, timeout=120, env=env
    )
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.strip() == "0"  # exited by itself on EOF, not killed

    parent = subprocess.Popen(
        [sys.executable, "-c", script, "kill"], stdout=subprocess.PIPE, text=True, env=env
    )
    worker_pid = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _running(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker_pid), "the worker outlived its killed parent"


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan is reaped by init, but may linger a moment)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_dead_worker_only_means_the_phase_does_the_work():
    from tradecycle.adapters.marketdata.bundled import load_bundled_panel
    from tradecycle.services.analysis import precompute_features

    settings = load_settings(None, {})
    panel = load_bundled_panel(end=date(2013, 6, 28), symbols=["AAPL", "MSFT", "KO"])
    worker = AnalysisPrefetch(panel, precompute_features(panel, settings), settings)
    try:
        assert "KO" in worker.request(panel.n_sessions - 1, ["KO"])().patterns
        worker._process.kill()
        worker._process.join()
        for _ in range(2):  # the first answer finds the pipe closed, the next request knows it
            assert worker.request(panel.n_sessions - 1, ["KO"])() is None
    finally:
        worker.close()


def test_the_next_cycles_answer_is_handed_over_only_when_that_cycle_starts():
    """While cycle 10 runs its later phases the worker already works on session 12 (11 is
    complete and skipped), but nothing in the cycles' cache leads to that answer until
    cycle 12 starts."""
    from tradecycle.coordinator.prefetch import PREFETCH_KEY, OneCycleAhead

    class FakeWorker:
        def __init__(self):
            self.asked = []

        def request(self, index, held):
            self.asked.append((index, sorted(held)))
            return lambda: {"session": index}

    cache, worker = {}, FakeWorker()
    ahead = OneCycleAhead(worker, cache, [10, 12], after="scan")
    ahead.cycle_starts(10)
    assert cache.pop(PREFETCH_KEY)() == {"session": 10}  # the scan phase takes it
    cache["held_symbols"] = {"S1"}
    ahead.phase_done("fills")
    assert worker.asked == [(10, [])]
    ahead.phase_done("scan")
    assert worker.asked[-1] == (12, ["S1"])  # the next cycle to run, asked for at once
    assert PREFETCH_KEY not in cache  # ... but out of this cycle's reach
    ahead.cycle_starts(11)
    assert PREFETCH_KEY not in cache
    ahead.cycle_starts(12)
    assert cache[PREFETCH_KEY]() == {"session": 12}
    assert len(worker.asked) == 2


def test_the_answer_is_taken_by_the_first_analysis_phase_the_cycle_runs():
    from tradecycle.coordinator.prefetch import OneCycleAhead

    assert OneCycleAhead.first_analysed(["fills", "scan", "news", "patterns", "ml"]) == "scan"
    assert OneCycleAhead.first_analysed(["fills", "news", "patterns", "strategy"]) == "patterns"
    assert OneCycleAhead.first_analysed(["fills", "strategy", "execution"]) is None


def test_a_cycle_ignores_an_answer_for_another_session():
    from tradecycle.services.context import CycleContext
    from tradecycle.services.prefetched import PREFETCH_KEY, SessionAnalysis, prefetched

    from .helpers import tiny_panel

    panel = tiny_panel(n_sessions=12)
    ctx = CycleContext("c", None, load_settings(None, {}), panel, 1)
    ctx.cache[PREFETCH_KEY] = lambda: SessionAnalysis(session_index=10, candidates=())
    assert prefetched(ctx) is None  # the panel's last session is 11
    ctx.cache[PREFETCH_KEY] = lambda: SessionAnalysis(session_index=11, candidates=())
    assert prefetched(ctx) == SessionAnalysis(session_index=11, candidates=())
    assert prefetched(ctx) is ctx.cache[PREFETCH_KEY]  # asked for once, then kept for the later phases


def test_a_model_fitted_ahead_is_the_model_the_cycle_would_fit():
    from tradecycle.adapters.marketdata.bundled import load_bundled_panel
    from tradecycle.coordinator.prefetch import FIT_AHEAD_SESSIONS, ModelFits
    from tradecycle.services.analysis import precompute_features

    settings = load_settings(None, {})
    panel = load_bundled_panel(end=date(2014, 6, 30), symbols=SYMBOLS[:6])
    features = precompute_features(panel, settings)
    due = 5 * settings.ml.retrain_every_sessions  # 315: a model is fitted there
    assert panel.n_sessions > due + 3
    fits = ModelFits(panel, features, settings)
    fits.fit_ahead(due - FIT_AHEAD_SESSIONS - 1)
    assert not fits.running  # too early to start
    fits.fit_ahead(due - FIT_AHEAD_SESSIONS)
    assert len(fits.running) == 1
    model, checksum, first = fits.get(due)
    assert first and not fits.running
    # what the cycle of session due + 3 fits when it has no model: the same bytes
    inline = ml.train_at(panel.head(due + 4), features.head(due + 4), due, settings)
    assert inline.serialise()[1] == checksum and inline.version == model.version
    assert fits.get(due)[2] is False  # the model went out once
    fits.fit_ahead(panel.n_sessions - 2)
    assert not fits.running  # the next due session lies beyond the panel: nothing to fit
