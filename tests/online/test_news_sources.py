"""RSS and Alpaca news sources on recorded payloads: as-of window, symbol matching, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from tradecycle.adapters.marketdata.providers.ratelimit import RetryPolicy
from tradecycle.adapters.news.alpaca import AlpacaNewsSource
from tradecycle.adapters.news.base import NewsSource
from tradecycle.adapters.news.rss import RssNewsSource, mention_pattern, parse_feed
from tradecycle.errors import ConfigError, DataError

from .conftest import recorded, recorded_bytes

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
YAHOO_FEED = "https://feeds.finance.yahoo.com/rss/2.0/headline?s={symbol}&region=US&lang=en-US"
GLOBE_FEED = "https://www.globenewswire.com/RssFeed/subjectcode/13-Earnings%20Releases"


def _client(routes: dict[str, tuple[int, bytes]], seen: list[str]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        for fragment, (status, body) in routes.items():
            if fragment in str(request.url):
                return httpx.Response(status, content=body, headers={"Content-Type": "application/rss+xml"})
        raise AssertionError(f"no recording for {request.url}")

    return httpx.Client(transport=httpx.MockTransport(handler))


def _rss(feeds, routes, seen=None, **kw) -> RssNewsSource:
    return RssNewsSource(feeds, client=_client(routes, [] if seen is None else seen), **kw)


def test_per_symbol_feed_serves_only_dated_items_inside_the_window():
    seen: list[str] = []
    source = _rss([YAHOO_FEED], {"s=AAPL": (200, recorded_bytes("rss_yahoo_AAPL.xml"))}, seen)
    items = source.fetch(["aapl"], NOW, DAY)

    assert isinstance(source, NewsSource)
    assert [i.headline for i in items] == [
        "Two analysts cut Apple price targets on iPhone supply worries",
        "Apple posts record services revenue, beats estimates",
    ]  # oldest first; the undated and the 5-day-old items are out
    assert {i.symbol for i in items} == {"AAPL"}
    assert items[0].source == "rss:feeds.finance.yahoo.com"
    assert items[0].published == datetime(2026, 11, 24, 14, 2, tzinfo=UTC)
    assert seen == ["https://feeds.finance.yahoo.com/rss/2.0/headline?s=AAPL&region=US&lang=en-US"]


def test_an_item_published_after_now_is_never_returned():
    source = _rss([YAHOO_FEED], {"s=AAPL": (200, recorded_bytes("rss_yahoo_AAPL.xml"))})
    items = source.fetch(["AAPL"], datetime(2026, 11, 24, 21, 0, tzinfo=UTC), DAY)
    assert [i.published.hour for i in items] == [14]


def test_general_feed_items_belong_to_the_tickers_they_name():
    source = _rss([GLOBE_FEED], {"globenewswire": (200, recorded_bytes("rss_globenewswire.xml"))})
    items = source.fetch(["MSFT", "AAPL", "ACME"], NOW, DAY)
    by_symbol = sorted((i.symbol, i.headline[:20]) for i in items)
    assert by_symbol == [
        ("AAPL", "Acme Widgets (NYSE: "),
        ("ACME", "Acme Widgets (NYSE: "),
        ("MSFT", "Acme Widgets (NYSE: "),
        ("MSFT", "Microsoft Corporatio"),
    ]  # "MSFTX Holdings" and "AAPLE Foods" name none of ours


def test_mention_pattern_needs_a_ticker_marker():
    pattern = mention_pattern(["A", "AA", "BRK.B"])
    assert pattern.findall("Alcoa (NYSE:AA) and Agilent ($A) vs $BRK.B") == ["AA", "A", "BRK.B"]
    assert pattern.findall("A great day for AA batteries") == []


def test_rss_server_errors_are_retried_and_then_reported(no_wait):
    seen: list[str] = []
    source = _rss([GLOBE_FEED], {"globenewswire": (503, b"busy")}, seen, retry=RetryPolicy(attempts=3))
    with pytest.raises(
        DataError, match=r"cannot reach RSS feed https://www.globenewswire.com/.* after 3 attempts"
    ):
        source.fetch(["MSFT"], NOW, DAY)
    assert len(seen) == 3


def test_rss_without_network_is_one_clear_error(no_wait):
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    source = RssNewsSource([GLOBE_FEED], client=httpx.Client(transport=httpx.MockTransport(offline)))
    with pytest.raises(DataError, match="after 4 attempts \\(ConnectError: \\[Errno -3\\] Temporary failure"):
        source.fetch(["MSFT"], NOW, DAY)


def test_rss_not_found_and_garbage_are_data_errors(no_wait):
    with pytest.raises(DataError, match="HTTP 404"):
        _rss([GLOBE_FEED], {"globenewswire": (404, b"")}).fetch(["MSFT"], NOW, DAY)
    with pytest.raises(DataError, match="cannot parse"):
        parse_feed("https://x.test/feed", b"<html><body><p>not a feed")


def test_rss_needs_feeds():
    with pytest.raises(ConfigError, match="news.rss_feeds is empty"):
        RssNewsSource([])


# ---------------------------------------------------------------- Alpaca news

KEY, SECRET = SecretStr("PKTESTKEY0000000000"), SecretStr("test-secret-never-printed")


def test_alpaca_news_one_item_per_requested_symbol_inside_the_window(alpaca_http, no_wait):
    alpaca_http.add("GET", "/v1beta1/news", (200, recorded("alpaca_news.json")))
    now = datetime(2022, 1, 27, 21, 0, tzinfo=UTC)
    source = AlpacaNewsSource(KEY, SECRET)
    items = source.fetch(["AAPL", "MSFT"], now, DAY)

    assert isinstance(source, NewsSource)
    assert [(i.symbol, i.headline) for i in items] == [
        ("AAPL", "Microsoft, Apple Lead Mega-Cap Tech Higher Into The Close"),
        ("MSFT", "Microsoft, Apple Lead Mega-Cap Tech Higher Into The Close"),
    ]  # the 21:32 article is after now; TSLA was not asked for
    assert items[0].source == "alpaca:benzinga"
    call = alpaca_http.calls[0]
    assert call.url == "https://data.alpaca.markets/v1beta1/news"
    assert call.params["symbols"] == "AAPL,MSFT"
    assert call.params["end"].startswith("2022-01-27T21:00:00")
    assert call.params["start"].startswith("2022-01-26T21:00:00")


def test_alpaca_news_malformed_article_names_it(alpaca_http, no_wait):
    article = dict(recorded("alpaca_news.json")["news"][0])
    del article["created_at"]
    alpaca_http.add("GET", "/v1beta1/news", (200, {"news": [article], "next_page_token": None}))
    with pytest.raises(DataError, match="article 1 \\(id 24843171\\): missing or bad 'created_at'"):
        AlpacaNewsSource(KEY, SECRET).fetch(["AAPL"], NOW, DAY)


def test_alpaca_news_without_keys_is_a_config_error():
    with pytest.raises(ConfigError, match="Alpaca API key and secret key missing"):
        AlpacaNewsSource(None, None).fetch(["AAPL"], NOW, DAY)
