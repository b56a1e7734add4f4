import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecycle.core.fills import (
    LIMIT,
    MARKET,
    STOP,
    STOP_LIMIT,
    FillCosts,
    bracket_exits,
    commission_cents,
    fill_orders,
    notional_cents,
)

COSTS = FillCosts(slippage_bps=10.0, commission_per_share=0.005, min_commission=1.0, max_volume_fraction=0.1)


def one(sign, kind, qty, limit, stop, o, h, lo, v=1e6, costs=COSTS):
    result = fill_orders(
        np.array([sign]),
        np.array([kind]),
        np.array([qty]),
        np.array([limit]),
        np.array([stop]),
        np.array([o]),
        np.array([h]),
        np.array([lo]),
        np.array([v]),
        costs,
    )
    return int(result.quantity[0]), float(result.price[0])


def test_market_buy_pays_slippage_on_the_open():
    qty, price = one(1, MARKET, 100, np.nan, np.nan, 100.0, 105.0, 95.0)
    assert qty == 100 and price == pytest.approx(100.1)


def test_market_sell_receives_less_than_the_open():
    assert one(-1, MARKET, 100, np.nan, np.nan, 100.0, 105.0, 95.0)[1] == pytest.approx(99.9)


def test_slippage_never_leaves_the_bar():
    # open at the high: a buy cannot pay more than the high
    assert one(1, MARKET, 10, np.nan, np.nan, 100.0, 100.0, 95.0)[1] == 100.0


def test_buy_limit_fills_only_when_reached_and_at_limit_or_better():
    assert one(1, LIMIT, 10, 94.0, np.nan, 100.0, 105.0, 95.0)[0] == 0
    assert one(1, LIMIT, 10, 97.0, np.nan, 100.0, 105.0, 95.0) == (10, 97.0)
    assert one(1, LIMIT, 10, 110.0, np.nan, 100.0, 105.0, 95.0)[1] == pytest.approx(100.1)


def test_sell_stop_inside_bar_fills_at_stop_minus_slippage():
    qty, price = one(-1, STOP, 10, np.nan, 97.0, 100.0, 105.0, 95.0)
    assert qty == 10 and price == pytest.approx(97.0 * 0.999, abs=1e-4)


def test_gap_through_a_stop_fills_at_the_open():
    qty, price = one(-1, STOP, 10, np.nan, 97.0, 90.0, 92.0, 88.0)
    assert qty == 10 and price == pytest.approx(90.0 * 0.999, abs=1e-4)


def test_stop_not_reached_does_not_fill():
    assert one(-1, STOP, 10, np.nan, 90.0, 100.0, 105.0, 95.0)[0] == 0
    assert one(1, STOP, 10, np.nan, 106.0, 100.0, 105.0, 95.0)[0] == 0


def test_stop_limit_gapping_past_the_limit_waits_for_the_limit():
    # buy stop 101 limit 102; opens at 104 (past the limit), trades down to 101.5 -> fills at 102
    assert one(1, STOP_LIMIT, 10, 102.0, 101.0, 104.0, 106.0, 101.5) == (10, 102.0)
    # never comes back to the limit -> no fill
    assert one(1, STOP_LIMIT, 10, 102.0, 101.0, 104.0, 106.0, 103.0)[0] == 0


def test_partial_fill_capped_by_bar_volume():
    assert one(1, MARKET, 5000, np.nan, np.nan, 10.0, 11.0, 9.0, v=20_000)[0] == 2000


def test_no_fill_on_a_bar_without_trading():
    assert one(1, MARKET, 10, np.nan, np.nan, np.nan, np.nan, np.nan)[0] == 0


def test_bracket_stop_first_when_both_inside_the_bar():
    stop_hit, target_hit, price = bracket_exits(
        np.array([95.0, 95.0, 95.0, 95.0]),
        np.array([110.0, 110.0, 110.0, 110.0]),
        np.array([100.0, 100.0, 90.0, 112.0]),
        np.array([111.0, 109.0, 91.0, 113.0]),
        np.array([94.0, 96.0, 89.0, 111.0]),
        0.0,
    )
    assert stop_hit.tolist() == [True, False, True, False]
    assert target_hit.tolist() == [False, False, False, True]
    assert price[0] == 95.0 and price[2] == 90.0 and price[3] == 112.0
    assert np.isnan(price[1])


def test_money_in_cents():
    assert notional_cents(10.005, 3) == 3002  # 30.015 -> half-even 30.02
    assert commission_cents(100, COSTS) == 100  # minimum $1
    assert commission_cents(1000, COSTS) == 500
    assert commission_cents(0, COSTS) == 0


prices = st.floats(1.0, 1000.0, allow_nan=False)


@st.composite
def bar_and_order(draw):
    a, b, c, d = sorted(draw(st.lists(prices, min_size=4, max_size=4)))
    o = draw(st.sampled_from([a, b, c, d]))
    return dict(
        sign=draw(st.sampled_from([1, -1])),
        kind=draw(st.sampled_from([MARKET, LIMIT, STOP, STOP_LIMIT])),
        qty=draw(st.integers(1, 10_000)),
        limit=draw(prices),
        stop=draw(prices),
        o=o,
        h=d,
        lo=a,
        v=draw(st.floats(0, 1e7)),
        slip=draw(st.floats(0, 500)),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(bar_and_order(), min_size=1, max_size=20))
def test_fills_never_outside_the_bar_nor_above_quantity_or_volume(cases):
    arr = {k: np.array([c[k] for c in cases]) for k in cases[0]}
    for slip in (0.0, cases[0]["slip"]):
        costs = FillCosts(slippage_bps=slip, max_volume_fraction=0.25)
        result = fill_orders(
            arr["sign"],
            arr["kind"],
            arr["qty"],
            arr["limit"],
            arr["stop"],
            arr["o"],
            arr["h"],
            arr["lo"],
            arr["v"],
            costs,
        )
        filled = result.quantity > 0
        assert np.all(result.price[filled] >= arr["lo"][filled])
        assert np.all(result.price[filled] <= arr["h"][filled])
        assert np.all(result.quantity <= arr["qty"])
        assert np.all(result.quantity <= np.floor(arr["v"] * 0.25))
        # a limit is never worse than its limit price
        lim = filled & (arr["kind"] == LIMIT)
        worse = np.where(arr["sign"] > 0, result.price - arr["limit"], arr["limit"] - result.price)
        assert np.all(worse[lim] <= 1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(bar_and_order(), min_size=1, max_size=10))
def test_bracket_prices_inside_the_bar(cases):
    arr = {k: np.array([c[k] for c in cases]) for k in cases[0]}
    stop_hit, target_hit, price = bracket_exits(
        arr["stop"], arr["limit"], arr["o"], arr["h"], arr["lo"], 10.0
    )
    hit = stop_hit | target_hit
    assert not np.any(stop_hit & target_hit)
    assert np.all(price[hit] >= arr["lo"][hit]) and np.all(price[hit] <= arr["h"][hit])
