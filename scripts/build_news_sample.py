"""Build the bundled headline sample from StockNet's tweets (shared/data/headlines_2013_2018.csv.gz).

Usage: python scripts/build_news_sample.py [--src PATH] [--out src/tradecycle/data/news/headlines.parquet]

De-duplicates per symbol on the normalised text (retweet prefix, URLs and case
removed), keeps at most --per-day posts per symbol and UTC day (the first ones,
so the sample stays causal: later posts never displace earlier ones), and
writes a compact zstd parquet: symbol, published (UTC), headline, source, and
score: the shipped sentiment model's score, a cache so a process need not score
70k posts before its first ML fit (rebuild after scripts/train_sentiment.py; a
test checks the cache against the model).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from tradecycle.core.sentiment import default_model

SRC = Path("/work/shared/data/headlines_2013_2018.csv.gz")
OUT = Path(__file__).resolve().parents[1] / "src" / "tradecycle" / "data" / "news" / "headlines.parquet"


def build(src: Path, per_day: int) -> pd.DataFrame:
    raw = pd.read_csv(src, dtype=str, keep_default_na=False)
    raw["published"] = pd.to_datetime(raw["created_at_utc"], utc=True, format="ISO8601")
    raw = raw.sort_values(["published", "symbol"], kind="stable")
    norm = (
        raw["headline"]
        .str.replace(r"^RT @\w+:\s*", "", regex=True)
        .str.replace(r"https?://\S*|…", "", regex=True)
        .str.lower()
        .str.strip()
    )
    kept = raw.loc[~pd.DataFrame({"s": raw["symbol"], "n": norm}).duplicated()]
    kept = kept.groupby([kept["symbol"], kept["date"]], sort=False).head(per_day)
    out = kept[["symbol", "published", "headline", "source"]].reset_index(drop=True)
    out["symbol"] = out["symbol"].astype("category")
    model = default_model()
    out["score"] = np.array([model.score(h).score for h in out["headline"]], dtype=np.float32)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, default=SRC)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--per-day", type=int, default=8)
    args = parser.parse_args()
    frame = build(args.src, args.per_day)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(args.out, compression="zstd", compression_level=19, index=False)
    print(
        f"{len(frame)} posts, {frame['symbol'].nunique()} symbols, "
        f"{frame['published'].min()} .. {frame['published'].max()}; wrote {args.out} ({args.out.stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main()
