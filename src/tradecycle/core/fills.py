"""The paper fill model: which orders fill against one bar, how many shares, at what price.

Pure and vectorised over orders: every argument is an array with one entry per
order (the bar fields are that order's symbol's bar). Orders fill against the bar
AFTER the one that produced them; the caller guarantees that. The model is
deliberately unflattering:
- market orders pay slippage on the open;
- a stop triggered inside the bar fills at the stop plus slippage, a gap through
  the stop fills at the (worse) open;
- a limit fills at the limit or better, never with slippage beyond it;
- a fill never exceeds `max_volume_fraction` of the bar's volume (the rest stays open);
- every price is clipped into the bar's [low, high], so no fill is impossible.
A bar with NaN fields (the symbol did not trade) fills nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from tradecycle.core.types import OrderType, Side

TYPE_CODES = {OrderType.MARKET: 0, OrderType.LIMIT: 1, OrderType.STOP: 2, OrderType.STOP_LIMIT: 3}
MARKET, LIMIT, STOP, STOP_LIMIT = 0, 1, 2, 3
PRICE_DECIMALS = 4


@dataclass(frozen=True, slots=True)
class FillCosts:
    slippage_bps: float = 5.0
    commission_per_share: float = 0.005
    min_commission: float = 1.0
    max_volume_fraction: float = 0.1


@dataclass(frozen=True, slots=True)
class BarFills:
    """Per order: shares filled (0 = no fill) and the fill price (NaN when nothing filled)."""

    quantity: np.ndarray  # int64
    price: np.ndarray  # float64

    @property
    def filled(self) -> np.ndarray:
        return self.quantity > 0


def side_sign(sides) -> np.ndarray:
    """+1 for BUY, -1 for SELL."""
    return np.array([1 if Side(s) is Side.BUY else -1 for s in sides], dtype=np.int8)


def type_codes(order_types) -> np.ndarray:
    return np.array([TYPE_CODES[OrderType(t)] for t in order_types], dtype=np.int8)


def fill_orders(
    sign: np.ndarray,
    kind: np.ndarray,
    quantity: np.ndarray,
    limit_price: np.ndarray,
    stop_price: np.ndarray,
    bar_open: np.ndarray,
    bar_high: np.ndarray,
    bar_low: np.ndarray,
    bar_volume: np.ndarray,
    costs: FillCosts,
) -> BarFills:
    """Fill each order (remaining `quantity` shares) against its bar; see the module doc for the rules."""
    sign = np.asarray(sign, dtype=np.float64)
    kind = np.asarray(kind)
    limit = np.asarray(limit_price, dtype=np.float64)
    stop = np.asarray(stop_price, dtype=np.float64)
    o, h, lo = (np.asarray(a, dtype=np.float64) for a in (bar_open, bar_high, bar_low))
    buy = sign > 0
    slip = costs.slippage_bps / 10_000.0
    valid_bar = np.isfinite(o) & np.isfinite(h) & np.isfinite(lo) & (lo > 0) & (h >= lo)

    with np.errstate(invalid="ignore"):
        stop_hit = np.where(buy, h >= stop, lo <= stop)
        trigger = np.where(buy, np.fmax(o, stop), np.fmin(o, stop))  # gap through the stop -> the open
        trigger_slipped = trigger * (1.0 + sign * slip)
        market_price = o * (1.0 + sign * slip)
        limit_reached = np.where(buy, lo <= limit, h >= limit)
        limit_price_fill = np.where(buy, np.fmin(o * (1.0 + slip), limit), np.fmax(o * (1.0 - slip), limit))
        # a triggered stop-limit acts as a limit from the trigger on
        sl_marketable = np.where(buy, trigger <= limit, trigger >= limit)
        sl_price = np.where(
            sl_marketable,
            np.where(buy, np.fmin(trigger_slipped, limit), np.fmax(trigger_slipped, limit)),
            limit,
        )
        sl_fills = stop_hit & (sl_marketable | limit_reached)

    fills = (
        np.select(
            [kind == MARKET, kind == LIMIT, kind == STOP, kind == STOP_LIMIT],
            [np.ones_like(buy), limit_reached, stop_hit, sl_fills],
            default=False,
        ).astype(bool)
        & valid_bar
    )
    price = np.select(
        [kind == MARKET, kind == LIMIT, kind == STOP, kind == STOP_LIMIT],
        [market_price, limit_price_fill, trigger_slipped, sl_price],
        default=np.nan,
    )
    price = np.round(price, PRICE_DECIMALS)
    has_limit = (kind == LIMIT) | (kind == STOP_LIMIT)
    price = np.where(has_limit, np.where(buy, np.fmin(price, limit), np.fmax(price, limit)), price)
    price = np.clip(price, lo, h)
    cap = volume_cap(bar_volume, costs.max_volume_fraction)
    qty = np.where(fills, np.minimum(np.asarray(quantity, dtype=np.int64), cap), 0)
    return BarFills(quantity=qty, price=np.where(qty > 0, price, np.nan))


def volume_cap(bar_volume: np.ndarray, max_volume_fraction: float) -> np.ndarray:
    """Most shares one order may take from a bar."""
    volume = np.nan_to_num(np.asarray(bar_volume, dtype=np.float64), nan=0.0)
    return np.floor(np.maximum(volume, 0.0) * max_volume_fraction).astype(np.int64)


def bracket_exits(
    stop: np.ndarray,
    target: np.ndarray,
    bar_open: np.ndarray,
    bar_high: np.ndarray,
    bar_low: np.ndarray,
    slippage_bps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Protective stop and profit target of long positions against one bar (one-cancels-other).

    Returns (stop_hit, target_hit, price). When both are inside one bar the stop is
    assumed first (we cannot know the order inside a daily bar, so assume the worse).
    """
    stop = np.asarray(stop, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    o, h, lo = (np.asarray(a, dtype=np.float64) for a in (bar_open, bar_high, bar_low))
    valid = np.isfinite(o) & np.isfinite(h) & np.isfinite(lo)
    slip = slippage_bps / 10_000.0
    with np.errstate(invalid="ignore"):
        stop_hit = valid & (lo <= stop)
        target_hit = valid & ~stop_hit & (h >= target)
        stop_price = np.fmin(o, stop) * (1.0 - slip)
        target_price = np.fmax(o, target)
    price = np.where(stop_hit, stop_price, np.where(target_hit, target_price, np.nan))
    price = np.clip(np.round(price, PRICE_DECIMALS), lo, h)
    return stop_hit, target_hit, price


def to_cents(amount: float | Decimal) -> int:
    """Dollars to integer cents, half-even (the one rounding rule of the ledger)."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def notional_cents(price: float, quantity: int) -> int:
    return int((Decimal(str(price)) * quantity * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def commission_cents(quantity: int, costs: FillCosts) -> int:
    """Per-share commission with a minimum per fill; nothing for no shares."""
    if quantity <= 0:
        return 0
    return max(to_cents(costs.min_commission), to_cents(Decimal(str(costs.commission_per_share)) * quantity))
