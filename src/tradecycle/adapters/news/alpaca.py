"""Alpaca news (Benzinga wire) as a NewsSource (optional extra `alpaca`: alpaca-py).

One request covers many symbols; an article tagged with several of them becomes one
NewsItem per requested symbol. The request asks only for (now - lookback, now], and
`within_window` enforces it again, so a replay can never see a later headline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from pydantic import SecretStr

from tradecycle.adapters.marketdata.providers.alpaca import AlpacaService
from tradecycle.adapters.marketdata.providers.ratelimit import RateLimiter, RetryPolicy
from tradecycle.errors import DataError

from .base import NewsItem, within_window

SYMBOLS_PER_REQUEST = 50


class AlpacaNewsSource(AlpacaService):
    """`fetch(symbols, now, lookback)` over Alpaca's /v1beta1/news."""

    name = "alpaca"
    service = "Alpaca news"

    def __init__(
        self,
        api_key: SecretStr | None,
        secret_key: SecretStr | None,
        *,
        max_items: int = 200,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        client: Any = None,
    ) -> None:
        super().__init__(api_key, secret_key, limiter=limiter, retry=retry, client=client)
        self.max_items = max_items

    def _new_client(self, key: str, secret: str) -> Any:
        from alpaca.data.historical.news import NewsClient

        return NewsClient(key, secret, raw_data=True)

    def fetch(self, symbols: Sequence[str], now: datetime, lookback: timedelta) -> list[NewsItem]:
        wanted = [s.upper() for s in dict.fromkeys(symbols)]
        items: list[NewsItem] = []
        for i in range(0, len(wanted), SYMBOLS_PER_REQUEST):
            chunk = wanted[i : i + SYMBOLS_PER_REQUEST]
            items += articles_to_items(self._request(chunk, now, lookback), set(chunk))
        return within_window(items, now, lookback)

    def _request(self, symbols: list[str], now: datetime, lookback: timedelta) -> list[dict[str, Any]]:
        from alpaca.data.requests import NewsRequest

        request = NewsRequest(
            symbols=",".join(symbols),
            start=now - lookback,
            end=now,
            sort="desc",
            limit=self.max_items,
            include_content=False,
        )
        client = self.client
        raw = self._call(lambda: client.get_news(request))
        if not isinstance(raw, dict):
            raise DataError(f"{self.service}: unexpected answer of type {type(raw).__name__}")
        return list(raw.get("news", []))


def articles_to_items(articles: list[dict[str, Any]], symbols: set[str]) -> list[NewsItem]:
    """Alpaca articles ({headline, created_at, symbols, source, url, ...}) -> one item per wanted symbol."""
    items: list[NewsItem] = []
    for n, article in enumerate(articles, start=1):
        try:
            headline = str(article["headline"]).strip()
            published = pd.Timestamp(article["created_at"]).tz_convert("UTC").to_pydatetime()
            tagged = [str(s).upper() for s in article.get("symbols") or []]
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(
                f"Alpaca news: article {n} (id {article.get('id')}): missing or bad {exc}"
            ) from None
        if not headline:
            continue
        source = f"alpaca:{article.get('source') or 'unknown'}"
        items += [
            NewsItem(symbol=s, headline=headline, source=source, published=published, url=article.get("url"))
            for s in tagged
            if s in symbols
        ]
    return items
