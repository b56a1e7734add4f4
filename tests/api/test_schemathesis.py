"""Property-based requests from the whole OpenAPI schema (every router): no input may produce a server error.

Mutating endpoints are called without the token, so they must answer 401 cleanly.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.config import SettingsModel
from tradecycle.interfaces.api.app import create_app

from .conftest import TOKEN, dataset


def _app_schema():
    """The app over a small populated SQLite file (built at import: schemathesis parametrizes at collection)."""
    folder = Path(tempfile.mkdtemp(prefix="tc-schemathesis-"))
    url = f"sqlite:///{folder / 'trading_system.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    dataset.build(engine, n_symbols=4, n_sessions=30)
    app = create_app(
        SettingsModel(database_url=url, api={"token": TOKEN}, data={"provider": "database"}), engine
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = _app_schema()


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query}: {response.text[:300]}"
    )
    content_type = response.headers["content-type"]
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.split(";")[0] in {"application/json", "text/html", "text/csv"}
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
