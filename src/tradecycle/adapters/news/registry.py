"""Build the configured news sources (settings.news.sources) behind the NewsSource interface."""

from __future__ import annotations

from tradecycle.config import SettingsModel

from .base import NewsSource


def build_sources(settings: SettingsModel) -> list[NewsSource]:
    """One source per name in settings.news.sources; online sources are imported only when configured."""
    sources: list[NewsSource] = []
    for name in settings.news.sources:
        if name == "bundled":
            from .bundled import bundled_source

            sources.append(bundled_source())
        elif name == "rss":
            from .rss import RssNewsSource

            sources.append(RssNewsSource(settings.news.rss_feeds))
        elif name == "alpaca":
            from .alpaca import AlpacaNewsSource

            sources.append(
                AlpacaNewsSource(settings.broker.alpaca_api_key, settings.broker.alpaca_secret_key)
            )
    return sources
