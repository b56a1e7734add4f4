"""What every market data provider offers: daily bars in long format.

Online providers (Yahoo, Alpaca) implement this protocol; whatever they fetch goes
through `validate.validate_bars` and `store.write_bars`, exactly like a file import.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

import pandas as pd

BAR_COLUMNS = ("date", "symbol", "open", "high", "low", "close", "volume")


@runtime_checkable
class MarketDataProvider(Protocol):
    name: str

    def fetch_bars(self, symbols: list[str], start: date, end: date) -> pd.DataFrame:
        """Daily bars for `symbols` with session dates in [start, end].

        Returns a long-format frame with columns BAR_COLUMNS (date as datetime64 session
        label, symbol upper case, prices as floats, volume as integers), one row per
        symbol and session, unadjusted or adjusted as the provider documents.
        """
        ...
