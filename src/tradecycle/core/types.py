"""Typed values that pass between services.

Every status the database stores comes from one of these enums, so a CHECK
constraint, a service and the API all agree on the same spelling.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class SignalLabel(StrEnum):
    BUY = "BUY"
    SELL = "SELL"
    NEUTRAL = "NEUTRAL"


class OrderType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP = "STOP"
    STOP_LIMIT = "STOP_LIMIT"


class TimeInForce(StrEnum):
    DAY = "day"
    GTC = "gtc"


class OrderStatus(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    PARTIAL = "partial"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class TradeStatus(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class CycleStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class PhaseStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class ServiceStatus(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    ERROR = "error"


class PatternType(StrEnum):
    CANDLESTICK = "candlestick"
    CHART = "chart"
    VOLUME = "volume"
    ADVANCED = "advanced"


class ScanType(StrEnum):
    MOMENTUM = "momentum"
    BREAKOUT = "breakout"
    OVERSOLD = "oversold"
    VALUE = "value"


class SentimentLabel(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


class PredictionType(StrEnum):
    DIRECTION = "direction"
    PRICE = "price"
    VOLATILITY = "volatility"


class TransactionKind(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    BUY = "buy"
    SELL = "sell"
    COMMISSION = "commission"


class ExitReason(StrEnum):
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    TRAILING_STOP = "trailing_stop"
    TIME_STOP = "time_stop"
    OPPOSITE_SIGNAL = "opposite_signal"


def pickled_by_fields(cls):
    """Pickle a slotted frozen dataclass as a call with its field values.

    Python restores such objects through dataclasses.fields() one by one, several times
    slower; the replay's helper process sends a few hundred of them every cycle.
    """
    names = tuple(f.name for f in fields(cls))

    def __reduce__(self):
        return (cls, tuple(getattr(self, name) for name in names))

    cls.__reduce__ = __reduce__
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Candidate:
    """A symbol the scanner selected, with the values that got it selected."""

    symbol: str
    scan_type: ScanType
    price: float
    volume: float
    change_percent: float
    relative_volume: float
    criteria: dict[str, bool] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PatternHit:
    symbol: str
    pattern_type: PatternType
    pattern_name: str
    direction: SignalLabel
    confidence: float
    entry_price: float
    stop_loss: float
    target_price: float
    timeframe: str = "1d"
    metadata: dict = field(default_factory=dict)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class IndicatorReading:
    symbol: str
    name: str
    value: float
    signal: SignalLabel
    timeframe: str = "1d"
    metadata: dict = field(default_factory=dict)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SentimentReading:
    symbol: str
    headline: str
    source: str
    article_time: str
    score: float
    label: SentimentLabel
    relevance: float
    impact: float


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Prediction:
    symbol: str
    model_name: str
    model_version: str
    prediction_type: PredictionType
    value: float
    confidence: float
    features_used: tuple[str, ...]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Signal:
    """A strategy's wish to trade: what, which way, how sure, and where it is wrong."""

    symbol: str
    side: Side
    score: float
    confidence: float
    entry: float
    stop: float
    target: float
    strategy_name: str
    reasons: tuple[str, ...] = ()
    components: dict[str, float] = field(default_factory=dict)

    @property
    def risk_per_share(self) -> float:
        return abs(self.entry - self.stop)

    @property
    def reward_risk(self) -> float:
        risk = self.risk_per_share
        return abs(self.target - self.entry) / risk if risk > 0 else 0.0
