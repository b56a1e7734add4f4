"""A tiny context factory for the news phase tests."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from tradecycle.config import SettingsModel
from tradecycle.core.panel import BarPanel
from tradecycle.core.types import Candidate, ScanType
from tradecycle.services.context import CycleContext


def tiny_panel(symbols: list[str]) -> BarPanel:
    sessions = np.array(["2015-02-26", "2015-02-27", "2015-03-02"], dtype="datetime64[D]")
    closes = sessions.astype("datetime64[ns]") + np.timedelta64(21, "h")
    ones = np.ones((len(symbols), len(sessions)))
    return BarPanel(np.array(symbols), sessions, closes, ones, ones, ones, ones, ones * 1e6)


@pytest.fixture
def make_ctx():
    def make(symbols: list[str], now: datetime, settings: SettingsModel | None = None) -> CycleContext:
        candidates = [Candidate(s, ScanType.MOMENTUM, 100.0, 1e6, 5.0, 2.0) for s in symbols]
        return CycleContext(
            cycle_id=f"cycle_{now:%Y%m%d_%H%M%S}",
            now=now,
            settings=settings or SettingsModel(),
            panel=tiny_panel(symbols),
            account_id=1,
            candidates=candidates,
        )

    return make
