"""What a strategy is: a small class that turns the as-of analysis into evaluations and signals.

A strategy sees one CycleContext (candidates, patterns, indicator readings, predictions,
sentiment, the as-of panel and features, and the held symbols in
ctx.cache["held_symbols"]). `evaluate` returns one Evaluation per symbol it looked at
(these become strategy_evaluations rows); those carrying a Signal are what the risk
phase sizes. Strategies register by name; settings.strategy.name picks one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from tradecycle.config import SettingsModel
from tradecycle.core.types import Signal
from tradecycle.errors import ConfigError
from tradecycle.services.context import CycleContext


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A strategy's verdict on one symbol this cycle, acted on or not."""

    symbol: str
    label: str  # STRONG_BUY | BUY | HOLD | SELL | STRONG_SELL
    score: float
    confidence: float
    entry: float
    stop: float
    target: float
    expected_return: float
    reasons: tuple[str, ...] = ()
    components: dict[str, float] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    signal: Signal | None = None

    @property
    def reward_risk(self) -> float:
        risk = abs(self.entry - self.stop)
        return abs(self.target - self.entry) / risk if risk > 0 else 0.0


# The analysis phases; each fills one part of the CycleContext a strategy may read.
ANALYSIS_PHASES = frozenset({"scan", "news", "patterns", "technicals", "ml"})


class Strategy(ABC):
    name: ClassVar[str]
    # Analysis phases whose output (candidates, sentiment, patterns, indicators, predictions)
    # `evaluate` reads; with strategy.analysis = "read" the others do not run.
    reads: ClassVar[frozenset[str]] = ANALYSIS_PHASES

    def __init__(self, settings: SettingsModel) -> None:
        self.settings = settings

    @abstractmethod
    def evaluate(self, ctx: CycleContext) -> list[Evaluation]:
        """Every symbol this strategy judged this cycle, in a deterministic order."""

    def generate(self, ctx: CycleContext) -> list[Signal]:
        return [e.signal for e in self.evaluate(ctx) if e.signal is not None]


_REGISTRY: dict[str, type[Strategy]] = {}


def register_strategy(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: make `cls` selectable as settings.strategy.name = cls.name."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a strategy named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def strategy_names() -> list[str]:
    return sorted(_REGISTRY)


def strategy_class(settings: SettingsModel) -> type[Strategy]:
    """The class settings.strategy.name names (ConfigError naming the known ones if none)."""
    name = settings.strategy.name
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"strategy.name {name!r} is not a registered strategy (have: {', '.join(strategy_names())})"
        ) from None


def get_strategy(settings: SettingsModel) -> Strategy:
    """The strategy settings.strategy.name names, built for these settings."""
    return strategy_class(settings)(settings)
