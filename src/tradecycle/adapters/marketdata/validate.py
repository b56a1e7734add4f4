"""Validation at the door: every bar that enters the system passes these checks.

`validate_bars` is pure over a long-format DataFrame (date, symbol, open, high,
low, close, volume; optionally `row`, the row number in the source file) and
returns a report naming file, row, field and reason for every problem. Errors make
a row bad; split-like jumps are only flagged (unadjusted data has real splits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from tradecycle.errors import DataError

from . import calendar

PRICE_FIELDS = ("open", "high", "low", "close")
BAR_FIELDS = (*PRICE_FIELDS, "volume")
COLUMNS = ("date", "symbol", *BAR_FIELDS)
SPLIT_RATIO = 1.8  # a close-to-close move beyond x1.8 (or below 1/1.8) looks like a split


class Severity(StrEnum):
    ERROR = "error"
    FLAG = "flag"


class Reason(StrEnum):
    MISSING = "missing or unreadable value"
    NON_POSITIVE = "non-positive price"
    HIGH_BELOW_LOW = "high below low"
    OUTSIDE_RANGE = "outside [low, high]"
    NEGATIVE_VOLUME = "negative volume"
    DUPLICATE = "duplicate (symbol, date)"
    NOT_A_SESSION = "not an NYSE trading session"
    SPLIT_LIKE = "split-like jump"


@dataclass(frozen=True)
class BarIssue:
    file: str
    row: int
    symbol: str
    date: str
    field: str
    reason: Reason
    severity: Severity
    detail: str = ""

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.file}: row {self.row}: {self.symbol} {self.date}: {self.field}: {self.reason}{extra}"


@dataclass(frozen=True)
class ValidationReport:
    source: str
    n_rows: int
    issues: tuple[BarIssue, ...]
    bad: np.ndarray  # (n_rows,) bool, True where the row has at least one error

    @property
    def errors(self) -> list[BarIssue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def flags(self) -> list[BarIssue]:
        return [i for i in self.issues if i.severity is Severity.FLAG]

    @property
    def n_bad(self) -> int:
        return int(self.bad.sum())

    @property
    def ok(self) -> bool:
        return self.n_bad == 0

    def counts(self) -> dict[str, int]:
        """Issues per reason (a row with two problems counts under both)."""
        out: dict[str, int] = {}
        for issue in self.issues:
            out[issue.reason.value] = out.get(issue.reason.value, 0) + 1
        return out

    def raise_if_bad(self, limit: int = 10) -> None:
        """A DataError listing the first `limit` errors, if there are any."""
        if self.ok:
            return
        errors = self.errors
        lines = [str(i) for i in errors[:limit]]
        more = f"\n... and {len(errors) - limit} more" if len(errors) > limit else ""
        raise DataError(
            f"{self.source}: {self.n_bad} bad rows of {self.n_rows}; nothing was written "
            f"(use --skip-bad to store the good rows):\n" + "\n".join(lines) + more
        )

    def rejects_frame(self) -> pd.DataFrame:
        """One line per issue, for the rejects report."""
        columns = ["file", "row", "symbol", "date", "field", "reason", "severity", "detail"]
        return pd.DataFrame(
            [
                [i.file, i.row, i.symbol, i.date, i.field, i.reason.value, i.severity.value, i.detail]
                for i in self.issues
            ],
            columns=columns,
        )


def validate_bars(
    frame: pd.DataFrame, source_name: str, *, split_ratio: float = SPLIT_RATIO
) -> ValidationReport:
    """Check every row of a long-format bar frame; the frame itself is not changed."""
    missing_columns = [c for c in COLUMNS if c not in frame.columns]
    if missing_columns:
        raise DataError(
            f"{source_name}: missing column(s) {', '.join(missing_columns)} "
            f"(found: {', '.join(map(str, frame.columns))}); map them with --map date=Date,symbol=Name,..."
        )
    n = len(frame)
    rows = frame["row"].to_numpy() if "row" in frame.columns else np.arange(1, n + 1)
    symbols = frame["symbol"].astype("string").fillna("").to_numpy(dtype=object)
    dates = calendar.session_dates(frame["date"])
    raw_dates = frame["date"].to_numpy()

    def date_text(i: int) -> str:
        if not pd.isna(dates.iat[i]):
            return dates.iat[i].strftime("%Y-%m-%d")
        return "" if pd.isna(raw_dates[i]) else str(raw_dates[i])

    values = {f: pd.to_numeric(frame[f], errors="coerce").to_numpy(dtype=float) for f in BAR_FIELDS}
    high, low = values["high"], values["low"]
    checks: list[_Check] = [
        _Check(dates.isna().to_numpy(), "date", Reason.MISSING),
        _Check(symbols == "", "symbol", Reason.MISSING),
    ]
    checks += [_Check(np.isnan(values[f]), f, Reason.MISSING) for f in BAR_FIELDS]
    checks += [
        _Check(values[f] <= 0, f, Reason.NON_POSITIVE, lambda i, f=f: f"{f}={values[f][i]}")
        for f in PRICE_FIELDS
    ]
    checks.append(_Check(high < low, "high", Reason.HIGH_BELOW_LOW, lambda i: f"high={high[i]} low={low[i]}"))
    checks += [
        _Check(
            (values[f] < low) | (values[f] > high),
            f,
            Reason.OUTSIDE_RANGE,
            lambda i, f=f: f"{f}={values[f][i]} low={low[i]} high={high[i]}",
        )
        for f in ("open", "close")
    ]
    checks.append(
        _Check(
            values["volume"] < 0, "volume", Reason.NEGATIVE_VOLUME, lambda i: f"volume={values['volume'][i]}"
        )
    )
    keys = pd.DataFrame({"symbol": symbols, "date": dates})
    duplicate = keys.duplicated(keep="first").to_numpy() & dates.notna().to_numpy()
    first_row = rows
    if duplicate.any():
        group = keys.groupby(["symbol", "date"], sort=False).ngroup().to_numpy()
        first_row = pd.Series(rows).groupby(group).transform("first").to_numpy()
    checks.append(_Check(duplicate, "date", Reason.DUPLICATE, lambda i: f"first seen at row {first_row[i]}"))
    checks.append(_Check(_not_sessions(dates), "date", Reason.NOT_A_SESSION))

    bad = np.zeros(n, dtype=bool)
    for check in checks:
        bad |= check.mask
    jump, ratio = _split_like(symbols, dates, values["close"], bad, split_ratio)
    checks.append(
        _Check(
            jump,
            "close",
            Reason.SPLIT_LIKE,
            lambda i: f"close/previous close = {ratio[i]:.3f}",
            Severity.FLAG,
        )
    )
    issues = [
        BarIssue(
            source_name,
            int(rows[i]),
            str(symbols[i]),
            date_text(i),
            check.field,
            check.reason,
            check.severity,
            check.detail(i) if check.detail else "",
        )
        for check in checks
        for i in np.flatnonzero(check.mask)
    ]
    issues.sort(key=lambda issue: (issue.row, issue.severity is not Severity.ERROR))
    return ValidationReport(source=source_name, n_rows=n, issues=tuple(issues), bad=bad)


@dataclass(frozen=True)
class _Check:
    mask: np.ndarray
    field: str
    reason: Reason
    detail: Callable[[int], str] | None = None
    severity: Severity = Severity.ERROR


def _not_sessions(dates: pd.Series) -> np.ndarray:
    """True where a (parsed) date is not an XNYS session (or lies outside the calendar's range)."""
    days = dates.dt.normalize()
    covered = days.notna() & (days >= calendar.CALENDAR_START) & (days <= calendar.CALENDAR_END)
    out = (days.notna() & ~covered).to_numpy(dtype=bool, copy=True)
    known = days[covered]
    if not known.empty:
        valid = calendar.sessions(known.min(), known.max())
        out[covered.to_numpy()] = ~known.isin(valid).to_numpy()
    return out


def _split_like(
    symbols: np.ndarray, dates: pd.Series, close: np.ndarray, bad: np.ndarray, ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """Flag good rows whose close differs from the symbol's previous good close by `ratio` or more."""
    good = np.flatnonzero(~bad)
    order = good[np.lexsort((dates.to_numpy()[good], symbols[good]))]
    sym, px = symbols[order], close[order]
    change = np.full(len(close), np.nan)
    same = sym[1:] == sym[:-1]
    change[order[1:][same]] = px[1:][same] / px[:-1][same]
    with np.errstate(invalid="ignore"):
        jump = (change >= ratio) | (change <= 1.0 / ratio)
    return jump, change
