"""`tradecycle news show SYMBOL [--at TIME]`: headlines and their finance sentiment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from tradecycle.adapters.store.schema import news_sentiment

from .common import App, ConfigOption, DatabaseOption, JsonOption, console, open_context, print_json
from .cycle import parse_moment

app = App(help="Headlines and their finance sentiment, as of a time or as recorded.")


@app.command("show")
def show(
    symbol: Annotated[str, typer.Argument(help="Ticker, e.g. AAPL.")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Score the configured sources as of this UTC time (else: the recorded rows)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="Posts to list.")] = 20,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show SYMBOL's posts and sentiment: live from the news sources as of --at, or the rows cycles recorded.

    Example: [bold]tradecycle news show AAPL --at 2015-03-02T21:00:00Z[/]
    """
    symbol = symbol.strip().upper()
    app_ctx = open_context(config, database)
    if at is not None:
        from tradecycle.services.news import analyse

        moment = parse_moment(at)
        articles, summary, errors = analyse([symbol], moment, app_ctx.settings)
        posts = [
            {
                "article_date": a.article_time,
                "source": a.source,
                "sentiment_score": a.score,
                "sentiment_label": a.label.value,
                "relevance_score": a.relevance,
                "impact_score": a.impact,
                "headline": a.headline,
            }
            for a in reversed(articles)
        ][:limit]
        overall = summary[0] if summary else None
        payload = {
            "symbol": symbol,
            "as_of": moment.isoformat(),
            "lookback_hours": app_ctx.settings.news.lookback_hours,
            "sentiment_score": overall.score if overall else None,
            "sentiment_label": overall.label.value if overall else None,
            "impact_score": overall.impact if overall else None,
            "articles": posts,
            "source_errors": errors,
        }
        title = f"{symbol} as of {moment:%Y-%m-%d %H:%M}Z"
    else:
        from tradecycle.adapters.store.database import open_engine

        engine = open_engine(app_ctx.settings.database_url)
        query = (
            select(news_sentiment)
            .where(news_sentiment.c.symbol == symbol)
            .order_by(news_sentiment.c.analysis_timestamp.desc(), news_sentiment.c.article_date.desc())
            .limit(limit)
        )
        with engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        engine.dispose()
        posts = [
            {
                k: (v.isoformat() if isinstance(v, datetime) else v)
                for k, v in dict(r).items()
                if k != "metadata"
            }
            for r in rows
        ]
        payload = {"symbol": symbol, "articles": posts}
        title = f"{symbol}: recorded news_sentiment rows"
    if as_json:
        print_json(payload)
        return
    if not posts:
        hint = (
            "" if at else " (none recorded: pass --at to score the sources, e.g. --at 2015-03-02T21:00:00Z)"
        )
        console.print(f"no posts for {symbol}{hint}")
        return
    if at is not None and payload["sentiment_label"]:
        console.print(
            f"{symbol}: {payload['sentiment_label']} {payload['sentiment_score']:+.3f} "
            f"(impact {payload['impact_score']:.3f}) from {len(articles)} posts in the last {payload['lookback_hours']}h"
        )
    table = Table(title=title)
    for column in ("published", "score", "label", "relevance", "headline"):
        table.add_column(column, overflow="fold")
    for p in posts:
        table.add_row(
            str(p["article_date"])[:16],
            f"{p['sentiment_score']:+.3f}",
            str(p["sentiment_label"]),
            f"{p['relevance_score']:.2f}",
            p["headline"],
        )
    console.print(table)


def register(root: App) -> None:
    root.add_typer(app, name="news")
