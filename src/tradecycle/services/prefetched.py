"""A session's analysis worked out before its cycle starts, by the replay's helper process.

The scan's candidates, the indicator readings, the pattern hits and the ML probabilities
of a session depend only on the as-of panel and features (patterns and ML also on which
symbols are asked for), so the replay has a second process compute them for the next
session while the current cycle writes. The coordinator puts a callable returning a
`SessionAnalysis` in the cycle cache under PREFETCH_KEY when the cycle starts; each phase
takes its part through `prefetched(ctx)` and works out anything the helper did not cover
(a symbol bought at this session's open, a model it did not fit) itself, so the rows never
depend on what was prefetched. Live cycles have no helper: every phase does all the work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tradecycle.core.types import Candidate, IndicatorReading
    from tradecycle.services.ml_model import DirectionModel
    from tradecycle.services.patterns import SymbolPatterns

    from .context import CycleContext

PREFETCH_KEY = "prefetched_analysis"


@dataclass(frozen=True)
class PrefetchedPredictions:
    """P(up) of `symbols`, in that order, from the model whose serialised bytes hash to `checksum`;
    the model itself rides along only with the first answer that uses it (else None)."""

    model: DirectionModel | None
    checksum: str
    symbols: tuple[str, ...]
    probabilities: tuple[float, ...]


@dataclass(frozen=True)
class SessionAnalysis:
    """What the helper found for one session; a part is None when its phase does not run."""

    session_index: int
    candidates: tuple[Candidate, ...]
    readings: tuple[IndicatorReading, ...] | None = None
    patterns: Mapping[str, SymbolPatterns] | None = None
    predictions: PrefetchedPredictions | None = None


def prefetched(ctx: CycleContext) -> SessionAnalysis | None:
    """This cycle's prefetched analysis, or None. The first phase to ask waits for the helper;
    an answer for another session (which the hand-over never gives) is ignored."""
    entry = ctx.cache.get(PREFETCH_KEY)
    if entry is None:
        return None
    if callable(entry):
        entry = entry()
        ctx.cache[PREFETCH_KEY] = entry
    if entry is None or entry.session_index != ctx.session_index:
        return None
    return entry
