"""News phase: score the candidates' headlines as of the clock and record them.

Every configured source is asked for posts in (now - lookback, now]; each post
is scored by the offline finance model (tradecycle.core.sentiment) and written
to news_sentiment. ctx.sentiment gets ONE aggregate SentimentReading per symbol
with news: a relevance- and recency-weighted mean score, the most telling
headline, and the newest post's time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection

from tradecycle.adapters.news.base import NewsItem, NewsSource
from tradecycle.adapters.news.bundled import bundled_source
from tradecycle.adapters.news.registry import build_sources
from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.adapters.store.schema import news_sentiment
from tradecycle.config import SettingsModel
from tradecycle.core.sentiment import Score, score_text
from tradecycle.core.types import SentimentLabel, SentimentReading
from tradecycle.errors import TradecycleError
from tradecycle.services.context import CycleContext, PhaseResult

_CASHTAG = re.compile(r"\$([A-Za-z][A-Za-z.\-]{0,6})\b")


@lru_cache(maxsize=8_192)
def _score(text: str) -> Score:
    """Scores are a pure function of the text, so memoising them cannot change a replay. A cycle
    looks back a few days, so a few thousand recent posts is all the memo needs; a bigger one
    only grows with the replay (every bundled post ends up in it)."""
    return score_text(text)


def relevance(symbol: str, headline: str) -> float:
    """1 for a post about this symbol alone, 1/k when it tags k tickers, 0.3 when it only names it in passing."""
    tags = {t.upper() for t in _CASHTAG.findall(headline)}
    if symbol.upper() in tags:
        return 1.0 / len(tags)
    return 0.3


def gather(symbols: Sequence[str], now: datetime, settings: SettingsModel, sources: Sequence[NewsSource]):
    """Posts for `symbols` from every source as of `now`; one online source failing does not stop the rest."""
    lookback = timedelta(hours=settings.news.lookback_hours)
    items: dict[tuple[str, str, datetime], NewsItem] = {}
    errors: dict[str, str] = {}
    for source in sources:
        try:
            found = source.fetch(list(symbols), now, lookback)
        except TradecycleError as exc:
            if source.name == "bundled":
                raise
            errors[source.name] = str(exc)
            continue
        for item in found:
            if now - lookback < item.published <= now:
                items.setdefault((item.symbol, item.headline, item.published), item)
    return sorted(items.values(), key=lambda i: (i.published, i.symbol, i.headline)), errors


def score_articles(
    items: Sequence[NewsItem], now: datetime, settings: SettingsModel
) -> tuple[list[SentimentReading], list[float]]:
    """One reading per post and its weight, relevance x recency (half-life settings.news.half_life_hours).

    A post's impact is |score| x weight.
    """
    half_life = settings.news.half_life_hours
    readings, weights = [], []
    for item in items:
        scored = _score(item.headline)
        rel = relevance(item.symbol, item.headline)
        age_hours = max((now - item.published).total_seconds() / 3600.0, 0.0)
        weight = rel * 0.5 ** (age_hours / half_life)
        weights.append(weight)
        readings.append(
            SentimentReading(
                symbol=item.symbol,
                headline=item.headline,
                source=item.source,
                article_time=item.published.astimezone(UTC).isoformat(),
                score=round(scored.score, 6),
                label=scored.label,
                relevance=round(rel, 6),
                impact=round(min(abs(scored.score) * weight, 1.0), 6),
            )
        )
    return readings, weights


def aggregate(
    articles: Sequence[SentimentReading], weights: Sequence[float], threshold: float
) -> list[SentimentReading]:
    """One reading per symbol (sorted by symbol): weighted mean score; impact grows with the weight of evidence."""
    by_symbol: dict[str, list[tuple[SentimentReading, float]]] = {}
    for a, w in zip(articles, weights, strict=True):
        by_symbol.setdefault(a.symbol, []).append((a, w))
    out = []
    for symbol in sorted(by_symbol):
        pairs = by_symbol[symbol]
        group = [a for a, _ in pairs]
        weights_arr = np.array([w for _, w in pairs])
        scores = np.array([a.score for a in group])
        total = float(weights_arr.sum())
        score = float(np.dot(weights_arr, scores) / total) if total > 0 else 0.0
        label = (
            SentimentLabel.POSITIVE
            if score > threshold
            else SentimentLabel.NEGATIVE
            if score < -threshold
            else SentimentLabel.NEUTRAL
        )
        top = max(group, key=lambda a: (a.impact, a.article_time))
        out.append(
            SentimentReading(
                symbol=symbol,
                headline=top.headline,
                source=top.source,
                article_time=max(a.article_time for a in group),
                score=round(max(min(score, 1.0), -1.0), 6),
                label=label,
                relevance=round(max(a.relevance for a in group), 6),
                impact=round(abs(score) * (1.0 - math.exp(-total)), 6),
            )
        )
    return out


def analyse(
    symbols: Sequence[str],
    now: datetime,
    settings: SettingsModel,
    sources: Sequence[NewsSource] | None = None,
):
    """(per-post readings, per-symbol aggregates, source errors) for `symbols` as of `now`."""
    if sources is None:
        sources = build_sources(settings)
    items, errors = gather(symbols, now, settings, sources)
    articles, weights = score_articles(items, now, settings)
    return articles, aggregate(articles, weights, settings.news.label_threshold), errors


@lru_cache(maxsize=1)
def _bundled_scores() -> np.ndarray:
    """Every bundled post's score in the source's row order: the shipped cache column, else computed."""
    source = bundled_source()
    if source.scores is not None:
        return source.scores
    texts, inverse = np.unique(np.asarray(source.headlines.to_pylist(), dtype=str), return_inverse=True)
    return np.array([_score(t).score for t in texts], dtype=np.float64)[inverse]


@lru_cache(maxsize=1)
def _bundled_cumulative() -> np.ndarray:
    """Running sum of the bundled scores (rows are sorted by symbol, then time): window sums in O(1)."""
    return np.concatenate([[0.0], np.cumsum(_bundled_scores())])


def sentiment_history(symbols: Sequence[str], as_of_ns: np.ndarray, lookback_hours: int) -> np.ndarray:
    """(n_symbols, k, 2): mean score and log(1 + count) of bundled posts in (t - lookback, t] per as-of time t.

    This is the ML model's news feature; only the bundled sample has history, so it is 0 elsewhere.
    """
    source = bundled_source()
    csum = _bundled_cumulative()
    out = np.zeros((len(symbols), len(as_of_ns), 2))
    hi_t = np.asarray(as_of_ns, dtype=np.int64)
    lo_t = hi_t - int(lookback_hours * 3600 * 1e9)
    for row, symbol in enumerate(symbols):
        span = source.span(str(symbol))
        if span is None:
            continue
        a, b = span
        times = source.published_ns[a:b]
        left = a + np.searchsorted(times, lo_t, side="right")
        right = a + np.searchsorted(times, hi_t, side="right")
        count = right - left
        with np.errstate(invalid="ignore", divide="ignore"):
            out[row, :, 0] = np.where(count > 0, (csum[right] - csum[left]) / np.maximum(count, 1), 0.0)
        out[row, :, 1] = np.log1p(count)
    return out


def run_phase(conn: Connection, ctx: CycleContext) -> PhaseResult:
    symbols = list(dict.fromkeys(c.symbol for c in ctx.candidates))
    sources = ctx.cache.get("news_sources")
    if sources is None:
        sources = ctx.cache["news_sources"] = build_sources(ctx.settings)
        # The bundled sample is decoded through Arrow, whose allocator keeps the freed
        # buffers: hand them back (~40 MB of a replay's RSS).
        pa.default_memory_pool().release_unused()
    articles, summary, errors = analyse(symbols, ctx.now, ctx.settings, sources)
    insert_rows(
        conn,
        news_sentiment,
        [
            {
                "symbol": a.symbol,
                "headline": a.headline,
                "source": a.source,
                "article_date": datetime.fromisoformat(a.article_time),
                "sentiment_score": a.score,
                "sentiment_label": a.label.value,
                "relevance_score": a.relevance,
                "impact_score": a.impact,
                "analysis_timestamp": ctx.now,
                "created_at": ctx.now,
                "cycle_id": ctx.cycle_id,
                "metadata": {"model": "finance_tfidf_logreg"},
            }
            for a in articles
        ],
    )
    ctx.sentiment = summary
    return PhaseResult(
        processed=len(symbols),
        succeeded=len(summary),
        failed=0,
        metadata={"articles": len(articles), "symbols_with_news": len(summary), "source_errors": errors},
    )
