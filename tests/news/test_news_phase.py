"""The news phase on real SQLite and PostgreSQL: as-of posts, scored rows, one aggregate per symbol."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tradecycle.adapters.news.base import NewsItem
from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata, news_sentiment
from tradecycle.config import SettingsModel
from tradecycle.core.types import SentimentLabel
from tradecycle.services import news

NOW = datetime(2015, 3, 2, 21, 0, tzinfo=UTC)


class FakeSource:
    name = "fake"

    def __init__(self, items):
        self.items = items

    def fetch(self, symbols, now, lookback):
        return [i for i in self.items if i.symbol in symbols]


def test_phase_writes_rows_and_aggregates(db_url, make_ctx):
    engine = make_engine(db_url)
    metadata.create_all(engine)
    ctx = make_ctx(["AAPL", "XOM", "ZZZZ"], NOW)
    with engine.begin() as conn:
        result = news.run_phase(conn, ctx)
    with engine.connect() as conn:
        rows = conn.execute(select(news_sentiment)).mappings().all()
    assert result.processed == 3 and result.metadata["articles"] == len(rows) > 0
    assert {r["symbol"] for r in rows} == {"AAPL", "XOM"}
    assert all(-1 <= r["sentiment_score"] <= 1 and 0 <= r["impact_score"] <= 1 for r in rows)
    assert all(r["article_date"] <= NOW and r["article_date"] > NOW - timedelta(hours=72) for r in rows)
    assert all(r["cycle_id"] == ctx.cycle_id and r["analysis_timestamp"] == NOW for r in rows)
    assert [s.symbol for s in ctx.sentiment] == ["AAPL", "XOM"]
    engine.dispose()


def test_future_posts_are_never_seen():
    later = NOW + timedelta(seconds=1)
    source = FakeSource(
        [
            NewsItem("AAA", "$AAA beats earnings estimates", "x", NOW - timedelta(hours=1)),
            NewsItem("AAA", "$AAA crashes, guidance slashed", "x", later),
        ]
    )
    articles, summary, _ = news.analyse(["AAA"], NOW, SettingsModel(), [source])
    assert [a.headline for a in articles] == ["$AAA beats earnings estimates"]
    assert summary[0].label is SentimentLabel.POSITIVE and summary[0].score > 0


def test_recent_relevant_posts_weigh_more():
    source = FakeSource(
        [
            NewsItem("AAA", "$AAA downgraded to sell", "x", NOW - timedelta(hours=60)),
            NewsItem("AAA", "$AAA upgraded to buy at Goldman", "x", NOW - timedelta(minutes=5)),
        ]
    )
    _, summary, _ = news.analyse(["AAA"], NOW, SettingsModel(), [source])
    assert summary[0].score > 0
    assert summary[0].headline == "$AAA upgraded to buy at Goldman"


def test_relevance_is_shared_among_tagged_tickers():
    assert news.relevance("AAA", "$AAA up") == 1.0
    assert news.relevance("AAA", "$AAA $BBB $CCC $DDD") == 0.25
    assert news.relevance("AAA", "market wrap") == 0.3
