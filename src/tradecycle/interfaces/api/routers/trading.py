"""The paper trading service's endpoints (the seed's paper_trading.py, port 5005).

POST /execute_trades risk-checks and submits signals now (they fill against the
next bar, in the next cycle's fills phase); the GETs read the account, positions,
orders and trades, the lists paginated and filterable.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field, model_validator
from sqlalchemy import select

from tradecycle.adapters.store import schema as s
from tradecycle.coordinator.clock import WallClock
from tradecycle.core.types import OrderStatus, Side, Signal, TradeStatus
from tradecycle.services import execution, portfolio

from ..deps import Authorized, Ctx
from ..pagination import Page, Paging, paginate, where_equal

router = APIRouter(tags=["trading"])

Symbol = Annotated[str | None, Query(max_length=16, description="only this symbol")]


class TradeSignal(BaseModel):
    symbol: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z.\-]+$")
    side: Side = Side.BUY
    entry_price: float = Field(gt=0)
    stop_loss: float = Field(gt=0)
    target_price: float = Field(gt=0)
    confidence: float = Field(0.5, ge=0, le=1)
    score: float = Field(60.0, ge=0, le=100)
    strategy_name: str = Field("api", max_length=64)
    reason: str | None = Field(None, max_length=500)

    def to_signal(self) -> Signal:
        return Signal(
            symbol=self.symbol.upper(),
            side=self.side,
            score=self.score,
            confidence=self.confidence,
            entry=self.entry_price,
            stop=self.stop_loss,
            target=self.target_price,
            strategy_name=self.strategy_name,
            reasons=(self.reason,) if self.reason else (),
        )


class ExecuteRequest(BaseModel):
    signals: list[TradeSignal] = Field(min_length=1, max_length=100)
    at: AwareDatetime | None = Field(None, description="decision time; default now")

    @model_validator(mode="after")
    def _unique_symbols(self) -> ExecuteRequest:
        symbols = [sig.symbol.upper() for sig in self.signals]
        if len(set(symbols)) != len(symbols):
            raise ValueError("signals: each symbol at most once per request")
        return self


@router.post("/execute_trades", dependencies=[Authorized])
def execute_trades(body: ExecuteRequest, ctx: Ctx) -> dict[str, Any]:
    """Size and risk-check each signal; submit the approved ones (filled against the next bar)."""
    now = body.at or WallClock().now()
    with ctx.engine.begin() as conn:
        decisions, orders = execution.execute_signals(
            conn, ctx.settings, [sig.to_signal() for sig in body.signals], now
        )
    return {
        "decisions": [
            {
                "symbol": d.symbol,
                "decision": "approve" if d.approved else "deny",
                "reason": d.reason.value,
                "detail": d.detail,
                "quantity": d.quantity,
                "position_value": round(d.position_value, 2),
                "risk_amount": round(d.risk_amount, 2),
            }
            for d in decisions
        ],
        "orders": [
            {
                "client_order_id": o.client_order_id,
                "symbol": o.symbol,
                "side": o.side.value,
                "quantity": o.quantity,
                "order_type": o.order_type.value,
                "status": o.status.value,
            }
            for o in orders
        ],
    }


@router.get("/account")
def account(ctx: Ctx) -> dict[str, Any]:
    """Cash, equity, P&L and the newest snapshot's risk figures (VaR95, Sharpe)."""
    with ctx.engine.connect() as conn:
        return portfolio.account_summary(conn, portfolio.find_account(conn, ctx.settings))


@router.get("/positions")
def positions(ctx: Ctx) -> dict[str, Any]:
    """Open positions, marked at the last cycle's closes."""
    with ctx.engine.connect() as conn:
        rows = portfolio.positions_table(conn, portfolio.find_account(conn, ctx.settings))
    return {"positions": rows, "count": len(rows)}


@router.get("/orders")
def orders(
    ctx: Ctx,
    page: Paging,
    status: Annotated[OrderStatus | None, Query(description="only orders in this status")] = None,
    symbol: Symbol = None,
    cycle_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page:
    """Orders, newest first."""
    o = s.orders.c
    query = select(
        o.order_id,
        o.client_order_id,
        o.symbol,
        o.side,
        o.order_type,
        o.time_in_force,
        o.quantity,
        o.filled_quantity,
        o.average_fill_price,
        o.price,
        o.stop_price,
        o.status,
        o.commission,
        o.intent,
        o.strategy_name,
        o.entry_reason,
        o.exit_reason,
        o.cycle_id,
        o.created_timestamp,
        o.updated_timestamp,
    ).order_by(o.created_timestamp.desc(), o.id.desc())
    query = where_equal(
        query,
        (o.status, status and status.value),
        (o.symbol, symbol and symbol.upper()),
        (o.cycle_id, cycle_id),
    )
    with ctx.engine.connect() as conn:
        return paginate(conn, query, page)


@router.get("/trades")
def trades(
    ctx: Ctx,
    page: Paging,
    status: Annotated[TradeStatus | None, Query(description="only trades in this status")] = None,
    symbol: Symbol = None,
) -> Page:
    """Round-trip trades (the seed's trades table), newest first."""
    t = s.trades.c
    query = select(
        t.id,
        t.symbol,
        t.signal_type,
        t.quantity,
        t.entry_price,
        t.exit_price,
        t.stop_loss,
        t.target_price,
        t.confidence,
        t.status,
        t.profit_loss,
        t.commission,
        t.exit_reason,
        t.strategy_name,
        t.trade_reason,
        t.entry_time,
        t.closed_at,
        t.cycle_id,
    ).order_by(t.created_at.desc(), t.id.desc())
    query = where_equal(query, (t.status, status and status.value), (t.symbol, symbol and symbol.upper()))
    with ctx.engine.connect() as conn:
        return paginate(conn, query, page)
