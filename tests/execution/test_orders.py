import pytest

from tradecycle.adapters.brokers.base import OrderRequest
from tradecycle.core.orders import (
    TRANSITIONS,
    IllegalTransition,
    OrderIntent,
    client_order_id,
    status_after_fill,
    transition,
)
from tradecycle.core.types import OrderStatus, OrderType, Side

S = OrderStatus


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_transition_is_either_allowed_or_raises(current, target):
    if target in TRANSITIONS[current]:
        assert transition("o1", current, target) is target
    else:
        with pytest.raises(IllegalTransition, match=f"o1: illegal transition {current} -> {target}"):
            transition("o1", current, target)


def test_lifecycle_paths():
    assert transition("o", S.PENDING, S.SUBMITTED) is S.SUBMITTED
    assert transition("o", S.SUBMITTED, S.PARTIAL) is S.PARTIAL
    assert transition("o", S.PARTIAL, S.FILLED) is S.FILLED
    with pytest.raises(IllegalTransition):
        transition("o", S.FILLED, S.CANCELLED)
    with pytest.raises(IllegalTransition):
        transition("o", S.PENDING, S.FILLED)


def test_status_after_fill():
    assert status_after_fill(3, 10) is S.PARTIAL
    assert status_after_fill(10, 10) is S.FILLED
    with pytest.raises(ValueError):
        status_after_fill(11, 10)


def test_client_order_id_is_deterministic():
    assert (
        client_order_id("cycle_20180102_210000", "AAPL", OrderIntent.ENTRY)
        == "cycle_20180102_210000:AAPL:entry"
    )
    with pytest.raises(ValueError):
        client_order_id("c", "AAPL", "bogus")


def test_order_request_validates_prices():
    with pytest.raises(ValueError, match="quantity"):
        OrderRequest("c:A:entry", "A", Side.BUY, 0)
    with pytest.raises(ValueError, match="limit_price"):
        OrderRequest("c:A:entry", "A", Side.BUY, 1, OrderType.LIMIT)
    with pytest.raises(ValueError, match="stop_price"):
        OrderRequest("c:A:entry", "A", Side.BUY, 1, OrderType.STOP_LIMIT, limit_price=10.0)
