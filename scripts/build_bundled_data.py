"""Regenerate the bundled market data in src/tradecycle/data/ from ../shared/data.

    python scripts/build_bundled_data.py [--shared ../shared/data]

Writes sp500_daily_2013_2018.parquet (long format, zstd, bad rows dropped),
sp500_daily_2013_2018_rejects.csv (every issue found, incl. flagged split-like jumps)
and symbols.csv (symbol, name, GICS sector, sub-industry). Deterministic: the same
inputs give byte-identical outputs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tradecycle.adapters.marketdata.bundled import BARS_FILE, DATA_DIR, REJECTS_FILE, SYMBOLS_FILE
from tradecycle.adapters.marketdata.validate import validate_bars

ROOT = Path(__file__).resolve().parents[1]
BARS_SOURCE = "sp500_daily_2013_2018.csv.gz"
SECTORS_2018 = "sp500_constituents_2018-04-02.csv"
SECTORS_NOW = "sp500_constituents.csv"


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """Write to a temporary file beside `target`, then rename: readers never see a half-written file."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def build_bars(shared: Path) -> pd.DataFrame:
    raw = pd.read_csv(shared / BARS_SOURCE, dtype={"Name": str}).rename(columns={"Name": "symbol"})
    raw["row"] = raw.index + 2  # line number in the CSV (the header is line 1)
    report = validate_bars(raw, BARS_SOURCE)
    with _atomic(DATA_DIR / REJECTS_FILE) as tmp:
        report.rejects_frame().to_csv(tmp, index=False, lineterminator="\n")
    good = raw.loc[~report.bad].copy()
    good["date"] = pd.to_datetime(good["date"]).dt.date
    good = good.sort_values(["symbol", "date"], kind="stable")
    table = pa.table(
        {
            "symbol": pa.array(good["symbol"].tolist()).dictionary_encode(),
            "date": pa.array(good["date"].tolist(), type=pa.date32()),
            **{f: pa.array(good[f].to_numpy(dtype="float64")) for f in ("open", "high", "low", "close")},
            "volume": pa.array(good["volume"].to_numpy(dtype="int64")),
        }
    )
    with _atomic(DATA_DIR / BARS_FILE) as tmp:
        pq.write_table(table, tmp, compression="zstd", compression_level=19, use_dictionary=["symbol"])
    print(f"{BARS_SOURCE}: {report.n_rows} rows, {report.n_bad} dropped, {len(good)} kept")
    for reason, count in report.counts().items():
        print(f"  {reason}: {count}")
    return good


def build_symbols(shared: Path, symbols: list[str]) -> pd.DataFrame:
    old = pd.read_csv(shared / SECTORS_2018, dtype=str).set_index("Symbol")
    now = pd.read_csv(shared / SECTORS_NOW, dtype=str).set_index("Symbol")
    frame = pd.DataFrame({"symbol": sorted(symbols)})
    frame["name"] = frame["symbol"].map(old["Name"]).fillna(frame["symbol"].map(now["Security"])).fillna("")
    frame["sector"] = frame["symbol"].map(old["Sector"]).fillna("Unknown")
    frame["sub_industry"] = frame["symbol"].map(now["GICS Sub-Industry"]).fillna("Unknown")
    with _atomic(DATA_DIR / SYMBOLS_FILE) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
    unknown = frame.loc[frame["sector"] == "Unknown", "symbol"].tolist()
    print(
        f"symbols: {len(frame)}, sector Unknown: {len(unknown)} ({', '.join(unknown)}), "
        f"sub-industry Unknown: {int((frame['sub_industry'] == 'Unknown').sum())}"
    )
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    bars = build_bars(args.shared)
    build_symbols(args.shared, bars["symbol"].unique().tolist())


if __name__ == "__main__":
    main()
