"""Pluggable strategies; importing this package registers the built-in ones."""

from tradecycle.strategies.base import (
    ANALYSIS_PHASES,
    Evaluation,
    Strategy,
    get_strategy,
    register_strategy,
    strategy_class,
    strategy_names,
)
from tradecycle.strategies.composite import CompositeStrategy
from tradecycle.strategies.sma_cross import SmaCrossStrategy

__all__ = [
    "ANALYSIS_PHASES",
    "CompositeStrategy",
    "Evaluation",
    "SmaCrossStrategy",
    "Strategy",
    "get_strategy",
    "register_strategy",
    "strategy_class",
    "strategy_names",
]
