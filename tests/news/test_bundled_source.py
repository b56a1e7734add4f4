"""The bundled sample is served strictly as of the clock, within the lookback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from tradecycle.adapters.news.base import NewsSource
from tradecycle.adapters.news.bundled import BundledNewsSource, bundled_source
from tradecycle.errors import DataError


def test_bundled_is_a_news_source_with_58_symbols():
    source = bundled_source()
    assert isinstance(source, NewsSource)
    assert len(source.covered_symbols) == 58
    assert {"AAPL", "FB", "XOM"} <= set(source.covered_symbols)


def test_fetch_returns_only_posts_inside_the_window():
    now = datetime(2015, 3, 2, 21, 0, tzinfo=UTC)
    lookback = timedelta(hours=72)
    items = bundled_source().fetch(["AAPL", "XOM", "UNKNOWN"], now, lookback)
    assert items, "2015 is inside the sample"
    assert all(now - lookback < it.published <= now for it in items)
    assert {it.symbol for it in items} <= {"AAPL", "XOM"}
    assert [it.published for it in items] == sorted(it.published for it in items)


def test_boundary_post_is_included_at_its_own_time(tmp_path):
    t = pd.Timestamp("2015-01-05T15:00:00Z")
    frame = pd.DataFrame(
        {
            "symbol": ["AAA", "AAA"],
            "published": [t, t + pd.Timedelta(seconds=1)],
            "headline": ["a", "b"],
            "source": ["x", "y"],
        }
    )
    frame.to_parquet(tmp_path / "h.parquet")
    source = BundledNewsSource(tmp_path / "h.parquet")
    got = source.fetch(["AAA"], t.to_pydatetime(), timedelta(hours=1))
    assert [it.headline for it in got] == ["a"]


def test_bad_sample_file_is_a_clear_error(tmp_path):
    pd.DataFrame({"symbol": ["A"]}).to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(DataError, match="lacks column"):
        BundledNewsSource(tmp_path / "bad.parquet")


def test_shipped_score_cache_matches_the_shipped_model():
    from tradecycle.core.sentiment import score_text

    source = bundled_source()
    assert source.scores is not None
    rows = range(0, len(source.headlines), 97)
    for i in rows:
        assert abs(source.scores[i] - score_text(str(source.headlines[i])).score) < 1e-5, source.headlines[i]
