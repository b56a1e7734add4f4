"""Precomputed causal feature arrays, cut to the same sessions as the as-of panel.

A FeaturePanel is a bag of named numpy arrays whose LAST axis is sessions (most are
symbols x sessions; the candlestick block "cdl" is patterns x symbols x sessions).
Every value at session s was computed only from bars at or before s, so slicing the
first n sessions (`head`) gives exactly what a cycle at session n-1 may see. Replay
computes the panel once and each cycle takes a view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class FeaturePanel:
    arrays: Mapping[str, np.ndarray]
    cdl_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        lengths = {arr.shape[-1] for arr in self.arrays.values()}
        if len(lengths) > 1:
            raise ValueError(f"feature arrays disagree on the number of sessions: {sorted(lengths)}")

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.arrays[name]
        except KeyError:
            raise KeyError(f"no feature {name!r} (have: {', '.join(self.names)})") from None

    def __contains__(self, name: object) -> bool:
        return name in self.arrays

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.arrays)

    @property
    def n_sessions(self) -> int:
        return next(iter(self.arrays.values())).shape[-1] if self.arrays else 0

    def head(self, n_sessions: int) -> FeaturePanel:
        """The first `n_sessions` sessions of every array (views, no copies)."""
        return FeaturePanel({k: v[..., :n_sessions] for k, v in self.arrays.items()}, self.cdl_names)

    def snapshot(
        self, rows: np.ndarray | None = None, session: int = -1, names: tuple[str, ...] | None = None
    ) -> dict[str, np.ndarray]:
        """Each symbols x sessions feature (or those `names`) at one session as float64, optionally for some rows."""
        out = {}
        for name in self.names if names is None else names:
            arr = self[name]
            if arr.ndim != 2:
                continue
            column = arr[:, session] if rows is None else arr[rows, session]
            out[name] = column.astype(np.float64)
        return out
