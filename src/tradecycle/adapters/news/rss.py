"""RSS/Atom headlines as a NewsSource (optional extra `rss`: feedparser).

A feed URL containing `{symbol}` is a per-symbol feed (e.g. Yahoo's
`https://feeds.finance.yahoo.com/rss/2.0/headline?s={symbol}&region=US&lang=en-US`)
and is fetched once per symbol; any other feed is fetched once and an entry belongs to
the symbols it names as a cashtag ($AAPL), a parenthesised ticker ((AAPL)) or an
exchange prefix (NASDAQ:AAPL). We download with httpx (timeouts, retries, rate
limit) and let feedparser parse the bytes. Entries without a date cannot be placed on
the clock and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import httpx

from tradecycle.adapters.marketdata.providers.ratelimit import (
    RateLimiter,
    RetryPolicy,
    TransientError,
    call_with_retry,
    shared_limiter,
)
from tradecycle.errors import ConfigError, DataError

from .base import NewsItem, within_window

USER_AGENT = "tradecycle/0.1 (+https://github.com/tradecycle; RSS reader)"


def _feedparser():
    try:
        import feedparser
    except ImportError:
        raise ConfigError("RSS news needs feedparser: pip install 'tradecycle[rss]'") from None
    return feedparser


def mention_pattern(symbols: Sequence[str]) -> re.Pattern[str]:
    """Matches $SYM, (SYM) and EXCHANGE:SYM for any of `symbols`; group 1 is the symbol."""
    names = "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))
    return re.compile(rf"(?:\$|\(|\b(?:NYSE|NASDAQ|Nasdaq|NYSEARCA|AMEX)\s*:\s*)({names})(?![A-Za-z0-9])")


class RssNewsSource:
    """`fetch(symbols, now, lookback)` over the configured feeds."""

    name = "rss"

    def __init__(
        self,
        feeds: Sequence[str],
        *,
        client: httpx.Client | None = None,
        timeout: float = 15.0,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not feeds:
            raise ConfigError("news.rss_feeds is empty: add at least one feed URL to use the rss news source")
        self.feeds = list(feeds)
        self._client = client
        self.timeout = timeout
        self.limiter = limiter or shared_limiter("rss")
        self.retry = retry or RetryPolicy()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}
            )
        return self._client

    def fetch(self, symbols: Sequence[str], now: datetime, lookback: timedelta) -> list[NewsItem]:
        wanted = [s.upper() for s in dict.fromkeys(symbols)]
        if not wanted:
            return []
        pattern = mention_pattern(wanted)
        items: list[NewsItem] = []
        for feed in self.feeds:
            if "{symbol}" in feed:
                for symbol in wanted:
                    url = feed.replace("{symbol}", quote(symbol))
                    items += [
                        NewsItem(symbol, title, _source(url), when, link)
                        for title, when, link in self._entries(url)
                    ]
            else:
                for title, when, link in self._entries(feed):
                    for symbol in dict.fromkeys(pattern.findall(title)):
                        items.append(NewsItem(symbol, title, _source(feed), when, link))
        unique = {(i.symbol, i.headline, i.published): i for i in items}
        return within_window(unique.values(), now, lookback)

    def _entries(self, url: str) -> list[tuple[str, datetime, str | None]]:
        body = call_with_retry(
            lambda: self._get(url), service=f"RSS feed {url}", policy=self.retry, limiter=self.limiter
        )
        return parse_feed(url, body)

    def _get(self, url: str) -> bytes:
        try:
            response = self.client.get(url)
        except httpx.TransportError as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise DataError(f"RSS feed {url}: HTTP {response.status_code}")
        return response.content


def parse_feed(url: str, body: bytes) -> list[tuple[str, datetime, str | None]]:
    """(title, published UTC, link) for every dated entry; a body that is no feed is a DataError."""
    parsed = _feedparser().parse(body)
    if parsed.bozo and not parsed.entries:
        reason = getattr(parsed, "bozo_exception", "not a feed")
        raise DataError(f"RSS feed {url}: cannot parse ({str(reason).splitlines()[0][:160]})")
    out: list[tuple[str, datetime, str | None]] = []
    for entry in parsed.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        title = " ".join(str(entry.get("title", "")).split())
        if stamp is None or not title:
            continue
        out.append((title, datetime(*stamp[:6], tzinfo=UTC), entry.get("link")))
    return out


def _source(url: str) -> str:
    return f"rss:{urlsplit(url).netloc or url}"
