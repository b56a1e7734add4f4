"""The equity curve reports are computed on: one point per New York trading day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Connection, String, func, select, type_coerce

from tradecycle.adapters.store import schema as s

MARKET_TZ = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class EquityCurve:
    """One point per session: the last portfolio mark of each New York trading day."""

    dates: tuple[date, ...]
    equity: np.ndarray
    cash: np.ndarray
    positions_value: np.ndarray
    benchmark: np.ndarray

    def __len__(self) -> int:
        return len(self.dates)

    def tail(self, n: int) -> EquityCurve:
        return EquityCurve(
            self.dates[-n:], self.equity[-n:], self.cash[-n:], self.positions_value[-n:], self.benchmark[-n:]
        )


def default_account(conn: Connection) -> int | None:
    """The account reports describe when none is named: the oldest active one."""
    return conn.execute(
        select(func.min(s.accounts.c.id)).where(s.accounts.c.status == "active")
    ).scalar_one_or_none()


def market_day(ts: datetime) -> date:
    return ts.astimezone(MARKET_TZ).date()


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a New York calendar day, in UTC."""
    start = datetime.combine(day, time(0), MARKET_TZ)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def load_equity_curve(conn: Connection, account_id: int | None) -> EquityCurve:
    """Whole-column conversion (pandas), not per-row datetime objects: a 5-year curve loads in a few ms."""
    ps = s.portfolio_status
    query = select(
        type_coerce(ps.c.timestamp, String),
        ps.c.total_value,
        ps.c.cash_balance,
        ps.c.positions_value,
        ps.c.benchmark_value,
    )
    if account_id is not None:
        query = query.where(ps.c.account_id == account_id)
    rows = conn.execute(query.order_by(ps.c.timestamp, ps.c.id)).all()
    if not rows:
        empty = np.empty(0, dtype=np.float64)
        return EquityCurve((), empty, empty, empty, empty)
    stamps, equity, cash, positions, benchmark = zip(*rows, strict=True)
    local_days = (
        pd.to_datetime(pd.Series(stamps), utc=True, format="ISO8601")
        .dt.tz_convert(MARKET_TZ.key)
        .dt.tz_localize(None)
        .to_numpy()
        .astype("datetime64[D]")
    )
    last_of_day = np.append(local_days[1:] != local_days[:-1], True)
    values = np.array([equity, cash, positions, benchmark], dtype=np.float64).T[last_of_day]
    return EquityCurve(
        dates=tuple(local_days[last_of_day].tolist()),
        equity=values[:, 0],
        cash=values[:, 1],
        positions_value=values[:, 2],
        benchmark=values[:, 3],
    )


def count_rows(conn: Connection, query) -> int:
    return int(conn.execute(query).scalar_one() or 0)
