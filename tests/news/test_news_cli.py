"""`tradecycle news show` end to end through the CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tradecycle.interfaces.cli.main import app

runner = CliRunner()


def test_show_as_of_scores_posts_from_the_bundled_sample():
    result = runner.invoke(
        app, ["news", "show", "aapl", "--at", "2015-03-02T21:00:00Z", "--limit", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["symbol"] == "AAPL" and len(payload["articles"]) == 3
    assert all(a["article_date"] <= "2015-03-02T21:00:00+00:00" for a in payload["articles"])
    assert -1 <= payload["sentiment_score"] <= 1


def test_show_recorded_rows_from_the_database(tmp_path, make_ctx):
    from datetime import UTC, datetime

    from tradecycle.adapters.store.database import prepare_database
    from tradecycle.services import news

    url = f"sqlite:///{tmp_path / 'n.db'}"
    engine = prepare_database(url)
    with engine.begin() as conn:
        news.run_phase(conn, make_ctx(["XOM"], datetime(2015, 3, 2, 21, tzinfo=UTC)))
    engine.dispose()
    result = runner.invoke(app, ["news", "show", "XOM", "-d", url, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["articles"]
    assert rows and all(r["symbol"] == "XOM" and r["cycle_id"] == "cycle_20150302_210000" for r in rows)


def test_bad_time_is_a_one_line_error():
    result = runner.invoke(app, ["news", "show", "AAPL", "--at", "yesterday"])
    assert result.exit_code == 4
    assert "--at 'yesterday' is not an ISO time" in result.output
