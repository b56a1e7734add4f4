"""Sources come from settings.news.sources; an online source failing never stops the bundled one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tradecycle.adapters.news.bundled import BundledNewsSource
from tradecycle.adapters.news.registry import build_sources
from tradecycle.config import SettingsModel
from tradecycle.errors import ConfigError, DataError
from tradecycle.services import news

NOW = datetime(2015, 3, 2, 21, tzinfo=UTC)


def test_default_is_the_bundled_sample():
    (source,) = build_sources(SettingsModel())
    assert isinstance(source, BundledNewsSource)


def test_rss_without_feeds_is_a_config_error():
    with pytest.raises(ConfigError, match="rss_feeds"):
        build_sources(SettingsModel(news={"sources": ["rss"]}))


class BrokenOnline:
    name = "rss"

    def fetch(self, symbols, now, lookback):
        raise DataError("feed https://example.invalid/rss: connection refused")


def test_failing_online_source_is_reported_not_fatal():
    sources = [*build_sources(SettingsModel()), BrokenOnline()]
    articles, summary, errors = news.analyse(["AAPL"], NOW, SettingsModel(), sources)
    assert articles and summary[0].symbol == "AAPL"
    assert errors == {"rss": "feed https://example.invalid/rss: connection refused"}
