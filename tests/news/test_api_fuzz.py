"""Property-based requests against the news and ML endpoints: no input may produce a server error."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.config import SettingsModel
from tradecycle.interfaces.api.app import create_app
from tradecycle.services import news

from .conftest import tiny_panel


def _app_schema():
    """An app over a SQLite file holding one recorded news analysis (built at import for parametrisation)."""
    from tradecycle.core.types import Candidate, ScanType
    from tradecycle.services.context import CycleContext

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='tc-news-fuzz-')) / 'trading_system.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    now = datetime(2015, 3, 2, 21, tzinfo=UTC)
    ctx = CycleContext(
        "cycle_20150302_210000",
        now,
        SettingsModel(),
        tiny_panel(["AAPL"]),
        1,
        candidates=[Candidate("AAPL", ScanType.MOMENTUM, 100.0, 1e6, 5.0, 2.0)],
    )
    with engine.begin() as conn:
        news.run_phase(conn, ctx)
    app = create_app(SettingsModel(database_url=url), engine)
    return schemathesis.openapi.from_asgi("/openapi.json", app).include(tag_regex="news|ml")


schema = _app_schema()


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query}: {response.text[:300]}"
    )
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
