"""Symbols with their GICS sector and sub-industry (the risk rules' sector cap needs them).

The bundled table (src/tradecycle/data/symbols.csv) takes the sector from the
2018-04-02 S&P 500 constituents list (close to the bar data) and the sub-industry
from the current list where it still has the symbol; anything else is 'Unknown'.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from sqlalchemy import Connection, bindparam, select, update

from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.adapters.store.schema import symbols as symbols_table

from .bundled import DATA_DIR, SYMBOLS_FILE

UNKNOWN = "Unknown"


@lru_cache(maxsize=1)
def bundled_symbols() -> pd.DataFrame:
    """symbol, name, sector, sub_industry for every bundled symbol (sorted by symbol)."""
    return pd.read_csv(DATA_DIR / SYMBOLS_FILE, dtype=str, keep_default_na=False)


def seed_symbols(conn: Connection) -> int:
    """Insert the bundled symbols, or refresh name/sector/sub-industry of existing ones; return rows touched."""
    bundled = bundled_symbols()
    existing = {
        row.symbol: (row.name, row.sector, row.sub_industry)
        for row in conn.execute(
            select(
                symbols_table.c.symbol,
                symbols_table.c.name,
                symbols_table.c.sector,
                symbols_table.c.sub_industry,
            )
        )
    }
    new_rows, changed = [], []
    for rec in bundled.itertuples(index=False):
        values = (rec.name or None, rec.sector, rec.sub_industry)
        if rec.symbol not in existing:
            new_rows.append(
                {
                    "symbol": rec.symbol,
                    "name": values[0],
                    "sector": rec.sector,
                    "sub_industry": rec.sub_industry,
                }
            )
        elif existing[rec.symbol] != values:
            changed.append(
                {
                    "b_symbol": rec.symbol,
                    "name": values[0],
                    "sector": rec.sector,
                    "sub_industry": rec.sub_industry,
                }
            )
    insert_rows(conn, symbols_table, new_rows)
    if changed:
        conn.execute(
            update(symbols_table).where(symbols_table.c.symbol == bindparam("b_symbol")),
            changed,
        )
    return len(new_rows) + len(changed)


def ensure_symbols(conn: Connection, symbols: list[str]) -> int:
    """Make sure every symbol exists (bars reference it); unknown ones get the bundled sector or 'Unknown'."""
    wanted = set(symbols)
    if not wanted:
        return 0
    present = set(conn.execute(select(symbols_table.c.symbol)).scalars())
    missing = sorted(wanted - present)
    known = bundled_symbols().set_index("symbol")
    rows = [
        {
            "symbol": s,
            "name": (known.at[s, "name"] or None) if s in known.index else None,
            "sector": known.at[s, "sector"] if s in known.index else UNKNOWN,
            "sub_industry": known.at[s, "sub_industry"] if s in known.index else UNKNOWN,
        }
        for s in missing
    ]
    return insert_rows(conn, symbols_table, rows)


def sector_map(conn: Connection | None = None) -> dict[str, str]:
    """symbol -> GICS sector: the bundled table, overridden by the `symbols` table when a connection is given.

    The bundled sectors are the fallback so the sector cap works even before `data seed`.
    """
    frame = bundled_symbols()
    sectors = dict(zip(frame["symbol"], frame["sector"], strict=True))
    if conn is not None:
        rows = conn.execute(select(symbols_table.c.symbol, symbols_table.c.sector))
        sectors.update({symbol: sector or UNKNOWN for symbol, sector in rows})
    return sectors
