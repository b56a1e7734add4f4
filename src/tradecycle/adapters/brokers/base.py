"""The broker interface: what execution needs from any broker, paper or Alpaca.

Orders are identified by our client order id (cycle:symbol:intent), so a broker
that already knows an id returns the existing order instead of placing a second
one. Money crosses this boundary as Decimal, never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from tradecycle.core.types import OrderStatus, OrderType, Side, TimeInForce


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An order we want placed. A bracket entry carries its protective stop and target."""

    client_order_id: str
    symbol: str
    side: Side
    quantity: int
    order_type: OrderType = OrderType.MARKET
    time_in_force: TimeInForce = TimeInForce.DAY
    limit_price: float | None = None
    stop_price: float | None = None
    take_profit: float | None = None
    stop_loss: float | None = None
    intent: str = "entry"
    strategy_name: str | None = None
    reason: str | None = None
    confidence: float | None = None

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError(f"order {self.client_order_id}: quantity must be positive, got {self.quantity}")
        needs_limit = self.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        needs_stop = self.order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
        if needs_limit and not (self.limit_price and self.limit_price > 0):
            raise ValueError(f"order {self.client_order_id}: {self.order_type} needs a positive limit_price")
        if needs_stop and not (self.stop_price and self.stop_price > 0):
            raise ValueError(f"order {self.client_order_id}: {self.order_type} needs a positive stop_price")


@dataclass(frozen=True, slots=True)
class BrokerOrder:
    """An order as the broker knows it."""

    client_order_id: str
    broker_order_id: str
    symbol: str
    side: Side
    quantity: int
    order_type: OrderType
    time_in_force: TimeInForce
    status: OrderStatus
    filled_quantity: int = 0
    average_fill_price: float | None = None
    limit_price: float | None = None
    stop_price: float | None = None


@dataclass(frozen=True, slots=True)
class BrokerPosition:
    symbol: str
    quantity: int
    average_cost: Decimal
    market_value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BrokerAccount:
    account_id: str
    cash: Decimal
    equity: Decimal
    buying_power: Decimal
    currency: str = "USD"


@runtime_checkable
class Broker(Protocol):
    """Submit and cancel orders and read open orders, positions and the account."""

    name: str

    def submit(self, order: OrderRequest) -> BrokerOrder:
        """Place `order`; an already known client_order_id returns the existing order unchanged."""
        ...

    def cancel(self, client_order_id: str) -> BrokerOrder:
        """Cancel an open order; NotFoundError if the id is unknown."""
        ...

    def open_orders(self) -> list[BrokerOrder]: ...

    def positions(self) -> list[BrokerPosition]: ...

    def account(self) -> BrokerAccount: ...
