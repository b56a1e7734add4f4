"""Pre-trade risk: every rule a small object with one question and a typed answer.

`evaluate` walks the strategy's entry signals best score first. Account-level
rules (daily loss limit, circuit breaker) can halt every entry; order-level rules
deny one signal; sizing turns an approved signal into shares:
    shares = equity x risk% / (entry - stop), capped by max position % of equity and
    by the cash left above the reserve.
Each approval consumes capacity (positions, sector slots, cash) for the signals
after it, so the decisions of one cycle are consistent with each other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np

from tradecycle.core.metrics import sharpe, simple_returns
from tradecycle.core.types import Side, Signal


class RiskReason(StrEnum):
    APPROVED = "approved"
    SHORT_NOT_ALLOWED = "short_not_allowed"
    ALREADY_HELD = "already_held"
    MAX_OPEN_POSITIONS = "max_open_positions"
    SECTOR_LIMIT = "sector_limit"
    REWARD_RISK = "reward_risk_below_minimum"
    INVALID_STOP = "invalid_stop"
    DAILY_LOSS_LIMIT = "daily_loss_limit"
    CIRCUIT_BREAKER = "circuit_breaker"
    CASH_RESERVE = "cash_reserve"
    TOO_SMALL = "position_too_small"


@dataclass(frozen=True, slots=True)
class RiskLimits:
    risk_per_trade_pct: float = 1.0
    max_position_pct: float = 10.0
    max_open_positions: int = 10
    cash_reserve_pct: float = 20.0
    max_positions_per_sector: int = 3
    min_reward_risk: float = 3.0
    daily_loss_limit_pct: float = 5.0
    circuit_breaker_losses: int = 3
    circuit_breaker_cooldown_sessions: int = 2
    allow_short: bool = False

    @classmethod
    def from_settings(cls, risk) -> RiskLimits:
        return cls(**{name: getattr(risk, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class AccountState:
    """What the database says about the account at the cycle's time."""

    equity: float
    cash: float
    held: frozenset[str]
    sector_counts: Mapping[str, int]
    day_start_equity: float | None = None
    consecutive_losses: int = 0
    sessions_since_last_loss: int | None = None

    @property
    def daily_loss_pct(self) -> float:
        if not self.day_start_equity or self.day_start_equity <= 0:
            return 0.0
        return max(0.0, (self.day_start_equity - self.equity) / self.day_start_equity * 100.0)


@dataclass(slots=True)
class Book:
    """The account as this cycle's approvals change it."""

    account: AccountState
    limits: RiskLimits
    held: set[str] = field(default_factory=set)
    sector_counts: dict[str, int] = field(default_factory=dict)
    committed: float = 0.0

    @classmethod
    def open(cls, account: AccountState, limits: RiskLimits) -> Book:
        return cls(account, limits, set(account.held), dict(account.sector_counts))

    @property
    def spendable(self) -> float:
        reserve = self.account.equity * self.limits.cash_reserve_pct / 100.0
        return max(0.0, self.account.cash - reserve - self.committed)


@dataclass(frozen=True, slots=True)
class Denial:
    reason: RiskReason
    detail: str


@dataclass(frozen=True, slots=True)
class RiskDecision:
    signal: Signal
    sector: str
    reason: RiskReason
    detail: str
    quantity: int = 0
    risk_amount: float = 0.0
    position_value: float = 0.0

    @property
    def approved(self) -> bool:
        return self.reason is RiskReason.APPROVED

    @property
    def symbol(self) -> str:
        return self.signal.symbol


class AccountRule(Protocol):
    def halt(self, account: AccountState, limits: RiskLimits) -> Denial | None: ...


class OrderRule(Protocol):
    def deny(self, signal: Signal, sector: str, book: Book) -> Denial | None: ...


class DailyLossLimit:
    def halt(self, account: AccountState, limits: RiskLimits) -> Denial | None:
        loss = account.daily_loss_pct
        if loss >= limits.daily_loss_limit_pct:
            return Denial(
                RiskReason.DAILY_LOSS_LIMIT,
                f"down {loss:.2f}% today, limit {limits.daily_loss_limit_pct:.2f}%: no new entries today",
            )
        return None


class CircuitBreaker:
    def halt(self, account: AccountState, limits: RiskLimits) -> Denial | None:
        if account.consecutive_losses < limits.circuit_breaker_losses:
            return None
        since = account.sessions_since_last_loss
        if since is not None and since >= limits.circuit_breaker_cooldown_sessions:
            return None
        return Denial(
            RiskReason.CIRCUIT_BREAKER,
            f"{account.consecutive_losses} consecutive losing trades (limit {limits.circuit_breaker_losses}); "
            f"cooling down {limits.circuit_breaker_cooldown_sessions} sessions, {since or 0} elapsed",
        )


class LongOnly:
    def deny(self, signal: Signal, sector: str, book: Book) -> Denial | None:
        if signal.side is Side.SELL:
            why = "the paper ledger is long-only" if book.limits.allow_short else "risk.allow_short is off"
            return Denial(RiskReason.SHORT_NOT_ALLOWED, f"short entries are not taken: {why}")
        return None


class NoSecondPosition:
    def deny(self, signal: Signal, sector: str, book: Book) -> Denial | None:
        if signal.symbol in book.held:
            return Denial(RiskReason.ALREADY_HELD, f"{signal.symbol} is already held or ordered")
        return None


class ValidStop:
    def deny(self, signal: Signal, sector: str, book: Book) -> Denial | None:
        long = signal.side is Side.BUY
        ok = (
            signal.entry > 0
            and signal.stop > 0
            and (signal.stop < signal.entry if long else signal.stop > signal.entry)
        )
        if not ok or not math.isfinite(signal.risk_per_share):
            return Denial(
                RiskReason.INVALID_STOP,
                f"stop {signal.stop:.4f} is not on the losing side of {signal.entry:.4f}",
            )
        return None


class MinRewardRisk:
    def deny(self, signal: Signal, sector: str, book: Book) -> Denial | None:
        if signal.reward_risk + 1e-9 < book.limits.min_reward_risk:
            return Denial(
                RiskReason.REWARD_RISK,
                f"reward/risk {signal.reward_risk:.2f} below minimum {book.limits.min_reward_risk:.2f}",
            )
        return None


class MaxOpenPositions:
    def deny(self, signal: Signal, sector: str, book: Book) -> Denial | None:
        if len(book.held) >= book.limits.max_open_positions:
            return Denial(
                RiskReason.MAX_OPEN_POSITIONS,
                f"{len(book.held)} positions open or ordered, maximum {book.limits.max_open_positions}",
            )
        return None


class SectorLimit:
    def deny(self, signal: Signal, sector: str, book: Book) -> Denial | None:
        count = book.sector_counts.get(sector, 0)
        if count >= book.limits.max_positions_per_sector:
            return Denial(
                RiskReason.SECTOR_LIMIT,
                f"{count} positions in {sector}, maximum {book.limits.max_positions_per_sector}",
            )
        return None


ACCOUNT_RULES: tuple[AccountRule, ...] = (DailyLossLimit(), CircuitBreaker())
ORDER_RULES: tuple[OrderRule, ...] = (
    LongOnly(),
    NoSecondPosition(),
    ValidStop(),
    MinRewardRisk(),
    MaxOpenPositions(),
    SectorLimit(),
)


def position_size(signal: Signal, book: Book) -> tuple[int, RiskReason, str]:
    """Shares for `signal`: stop-based risk sizing, capped by position size and spendable cash."""
    limits, equity = book.limits, book.account.equity
    by_risk = math.floor(equity * limits.risk_per_trade_pct / 100.0 / signal.risk_per_share)
    by_position = math.floor(equity * limits.max_position_pct / 100.0 / signal.entry)
    by_cash = math.floor(book.spendable / signal.entry)
    shares = min(by_risk, by_position, by_cash)
    if shares > 0:
        return (
            shares,
            RiskReason.APPROVED,
            f"{shares} shares (risk {by_risk}, position cap {by_position}, cash {by_cash})",
        )
    if by_cash <= 0 < min(by_risk, by_position):
        return (
            0,
            RiskReason.CASH_RESERVE,
            f"only {book.spendable:.2f} spendable above the {limits.cash_reserve_pct:.0f}% cash reserve",
        )
    return 0, RiskReason.TOO_SMALL, f"size rounds to zero shares (risk {by_risk}, position cap {by_position})"


def evaluate(
    signals: Sequence[Signal],
    account: AccountState,
    limits: RiskLimits,
    sectors: Mapping[str, str],
) -> list[RiskDecision]:
    """A decision for every entry signal, best score first (ties by symbol)."""
    book = Book.open(account, limits)
    halt = next((d for rule in ACCOUNT_RULES if (d := rule.halt(account, limits))), None)
    decisions = []
    for signal in sorted(signals, key=lambda s: (-s.score, s.symbol)):
        sector = sectors.get(signal.symbol, "Unknown")
        denial = halt or next((d for rule in ORDER_RULES if (d := rule.deny(signal, sector, book))), None)
        if denial:
            decisions.append(RiskDecision(signal, sector, denial.reason, denial.detail))
            continue
        shares, reason, detail = position_size(signal, book)
        if reason is not RiskReason.APPROVED:
            decisions.append(RiskDecision(signal, sector, reason, detail))
            continue
        value = shares * signal.entry
        book.held.add(signal.symbol)
        book.sector_counts[sector] = book.sector_counts.get(sector, 0) + 1
        book.committed += value
        decisions.append(
            RiskDecision(signal, sector, reason, detail, shares, shares * signal.risk_per_share, value)
        )
    return decisions


def positive_tail(equity_curve: np.ndarray) -> np.ndarray:
    """The curve after its last non-positive point (an emptied account has no returns to speak of)."""
    curve = np.asarray(equity_curve, dtype=np.float64)
    bad = np.flatnonzero(~(np.isfinite(curve) & (curve > 0)))
    return curve[bad[-1] + 1 :] if bad.size else curve


def value_at_risk_95(equity_curve: np.ndarray, min_points: int = 20) -> float | None:
    """One-period historical VaR at 95% in currency (a positive number is a loss)."""
    curve = positive_tail(equity_curve)
    returns = simple_returns(curve)
    if returns.size < min_points:
        return None
    return float(max(0.0, -np.percentile(returns, 5)) * curve[-1])


def sharpe_ratio(
    equity_curve: np.ndarray, risk_free_rate: float = 0.0, periods_per_year: int = 252
) -> float | None:
    return sharpe(simple_returns(positive_tail(equity_curve)), risk_free_rate, periods_per_year)
