"""The typed values phases pass around survive a trip through pickle (the replay's worker sends them)."""

from __future__ import annotations

import pickle
from dataclasses import fields

import pytest

from tradecycle.core.types import (
    Candidate,
    IndicatorReading,
    PatternHit,
    PatternType,
    Prediction,
    PredictionType,
    ScanType,
    SentimentLabel,
    SentimentReading,
    Side,
    Signal,
    SignalLabel,
)

EXAMPLES = [
    Candidate("AAPL", ScanType.VALUE, 101.5, 2e6, -1.25, 1.7, {"volume": True}, {"score": 0.4}),
    PatternHit(
        "MSFT", PatternType.CHART, "double_bottom", SignalLabel.BUY, 0.71, 50.0, 47.5, 56.0, "1d", {"k": 1}
    ),
    IndicatorReading("KO", "rsi_14", 28.4, SignalLabel.BUY, "1d", {"group": "momentum"}),
    SentimentReading(
        "XOM", "Oil rises", "reuters", "2014-01-02T15:00:00Z", 0.4, SentimentLabel.POSITIVE, 0.9, 0.3
    ),
    Prediction("JPM", "direction", "s00252", PredictionType.DIRECTION, 0.55, 0.55, ("ret_1", "rsi")),
    Signal(
        "GS", Side.BUY, 0.62, 0.7, 150.0, 145.0, 160.0, "composite", ("rsi oversold",), {"technical": 0.6}
    ),
]


@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: type(v).__name__)
def test_every_field_comes_back(value):
    copy = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(copy) is type(value)
    for f in fields(value):
        assert getattr(copy, f.name) == getattr(value, f.name), f.name
    assert copy == value
