"""Pluggable strategies; importing this package registers the built-in ones."""

from tradecycle.strategies.base import Evaluation, Strategy, get_strategy, register_strategy, strategy_names
from tradecycle.strategies.composite import CompositeStrategy
from tradecycle.strategies.sma_cross import SmaCrossStrategy

__all__ = [
    "CompositeStrategy",
    "Evaluation",
    "SmaCrossStrategy",
    "Strategy",
    "get_strategy",
    "register_strategy",
    "strategy_names",
]
