"""Orders as a state machine, and the client order id that makes a retry idempotent.

An order moves only along TRANSITIONS; anything else raises, so a bug can never
silently rewrite an order's history. A client order id is derived from (cycle,
symbol, intent): re-running a cycle produces the same id, and the unique
constraint on orders.client_order_id turns a second submission into a no-op.
"""

from __future__ import annotations

from enum import StrEnum

from tradecycle.core.types import OrderStatus
from tradecycle.errors import TradecycleError

S = OrderStatus

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.SUBMITTED, S.CANCELLED, S.REJECTED}),
    S.SUBMITTED: frozenset({S.PARTIAL, S.FILLED, S.CANCELLED, S.REJECTED}),
    S.PARTIAL: frozenset({S.PARTIAL, S.FILLED, S.CANCELLED}),
    S.FILLED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
}
OPEN_STATUSES: frozenset[OrderStatus] = frozenset({S.PENDING, S.SUBMITTED, S.PARTIAL})
TERMINAL_STATUSES: frozenset[OrderStatus] = frozenset({S.FILLED, S.CANCELLED, S.REJECTED})


class IllegalTransition(TradecycleError):
    """An order was asked to move to a status its current status cannot reach."""


class OrderIntent(StrEnum):
    """Why an order exists; part of its client order id."""

    ENTRY = "entry"
    EXIT = "exit"
    BRACKET = "bracket"


def transition(order_id: str, current: OrderStatus | str, target: OrderStatus | str) -> OrderStatus:
    """The new status if `current -> target` is legal; IllegalTransition otherwise."""
    current, target = OrderStatus(current), OrderStatus(target)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(f"order {order_id}: illegal transition {current.value} -> {target.value}")
    return target


def status_after_fill(filled_quantity: int, quantity: int) -> OrderStatus:
    """PARTIAL until the whole quantity is filled."""
    if filled_quantity <= 0 or filled_quantity > quantity:
        raise ValueError(f"filled quantity {filled_quantity} outside 1..{quantity}")
    return S.FILLED if filled_quantity == quantity else S.PARTIAL


def client_order_id(cycle_id: str, symbol: str, intent: OrderIntent | str) -> str:
    return f"{cycle_id}:{symbol}:{OrderIntent(intent).value}"


def placed_by(cycle_id: str, client_order_id: str | None) -> bool:
    """Whether the order with this client order id was placed by cycle `cycle_id`."""
    return client_order_id is not None and client_order_id.startswith(f"{cycle_id}:")
