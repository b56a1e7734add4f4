"""The seed's news_service endpoints: a symbol's sentiment, one or many at a time.

With `at`, the configured news sources are scored as of that time (only posts
published at or before it, within news.lookback_hours); without it, the rows the
cycles recorded in news_sentiment are served, newest analysis first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime
from sqlalchemy import Connection, func, select

from tradecycle.adapters.store.schema import news_sentiment
from tradecycle.errors import DataError
from tradecycle.services.news import analyse

from ..deps import ApiContext, Ctx
from ..pagination import Paging, paginate

router = APIRouter(tags=["news"])
SYMBOL_PATTERN = r"^[A-Za-z][A-Za-z0-9.\-]{0,9}$"
Symbol = Annotated[str, Path(pattern=SYMBOL_PATTERN, description="ticker, e.g. AAPL")]
At = Annotated[
    AwareDatetime | None,
    Query(description="score the sources as of this time (ISO, with timezone); default: the recorded rows"),
]
MAX_BULK = 100
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _live(api: ApiContext, symbols: list[str], at: datetime) -> dict[str, Any]:
    if not EARLIEST <= at.astimezone(UTC) <= LATEST:
        raise DataError(
            f"query.at: must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}, got {at.isoformat()}"
        )
    articles, summary, errors = analyse(symbols, at.astimezone(UTC), api.settings)
    by_symbol = {s.symbol: s for s in summary}
    counts: dict[str, int] = {}
    for a in articles:
        counts[a.symbol] = counts.get(a.symbol, 0) + 1
    results = {}
    for symbol in symbols:
        s = by_symbol.get(symbol)
        results[symbol] = {
            "sentiment_score": s.score if s else None,
            "sentiment_label": s.label.value if s else None,
            "impact_score": s.impact if s else None,
            "articles": counts.get(symbol, 0),
            "top_headline": s.headline if s else None,
            "latest_article": s.article_time if s else None,
        }
    return {"as_of": at.isoformat(), "results": results, "articles": articles, "source_errors": errors}


def _recorded_summary(conn: Connection, symbol: str) -> dict[str, Any]:
    """Relevance-weighted mean score of the symbol's newest recorded analysis."""
    t = news_sentiment.c
    latest = conn.execute(
        select(func.max(t.analysis_timestamp)).where(t.symbol == symbol)
    ).scalar_one_or_none()
    if latest is None:
        return {"sentiment_score": None, "sentiment_label": None, "articles": 0, "analysed_at": None}
    rows = conn.execute(
        select(t.sentiment_score, t.relevance_score, t.headline, t.impact_score)
        .where(t.symbol == symbol, t.analysis_timestamp == latest)
        .order_by(t.id)  # the first of equal impact scores is the top headline
    ).all()
    weights = sum(r.relevance_score or 0.0 for r in rows)
    score = (
        sum((r.sentiment_score or 0.0) * (r.relevance_score or 0.0) for r in rows) / weights
        if weights
        else 0.0
    )
    threshold = 0.15
    label = "positive" if score > threshold else "negative" if score < -threshold else "neutral"
    top = max(rows, key=lambda r: r.impact_score or 0.0)
    return {
        "sentiment_score": round(score, 6),
        "sentiment_label": label,
        "articles": len(rows),
        "top_headline": top.headline,
        "analysed_at": latest.isoformat(),
    }


@router.get("/news_sentiment/{symbol}")
def news_sentiment_for(symbol: Symbol, ctx: Ctx, page: Paging, at: At = None) -> dict[str, Any]:
    """One symbol's sentiment and its posts: scored as of `at`, or as recorded by the cycles."""
    symbol = symbol.upper()
    if at is not None:
        live = _live(ctx, [symbol], at)
        posts = [
            {
                "headline": a.headline,
                "source": a.source,
                "article_date": a.article_time,
                "sentiment_score": a.score,
                "sentiment_label": a.label.value,
                "relevance_score": a.relevance,
                "impact_score": a.impact,
            }
            for a in reversed(live["articles"])
        ]
        window = posts[page.offset : page.offset + page.limit]
        return {
            "symbol": symbol,
            "as_of": live["as_of"],
            **live["results"][symbol],
            "items": window,
            "total": len(posts),
            "limit": page.limit,
            "offset": page.offset,
            "source_errors": live["source_errors"],
        }
    t = news_sentiment.c
    query = (
        select(news_sentiment)
        .where(t.symbol == symbol)
        .order_by(t.analysis_timestamp.desc(), t.article_date.desc(), t.id.desc())
    )
    with ctx.engine.connect() as conn:
        summary = _recorded_summary(conn, symbol)
        rows = paginate(conn, query, page)
    return {"symbol": symbol, "as_of": None, **summary, **rows.model_dump(), "articles": summary["articles"]}


@router.get("/bulk_news_sentiment")
def bulk_news_sentiment(
    ctx: Ctx,
    symbols: Annotated[str, Query(min_length=1, max_length=2000, description="comma-separated tickers")],
    at: At = None,
) -> dict[str, Any]:
    """Sentiment of many symbols at once (at most 100): as of `at`, or their newest recorded analysis."""
    wanted = list(dict.fromkeys(s.strip().upper() for s in symbols.split(",") if s.strip()))
    if not wanted:
        raise DataError("query.symbols: give at least one ticker")
    if len(wanted) > MAX_BULK:
        raise DataError(f"query.symbols: at most {MAX_BULK} tickers, got {len(wanted)}")
    if at is not None:
        live = _live(ctx, wanted, at)
        return {"as_of": live["as_of"], "results": live["results"], "source_errors": live["source_errors"]}
    with ctx.engine.connect() as conn:
        return {"as_of": None, "results": {s: _recorded_summary(conn, s) for s in wanted}}
