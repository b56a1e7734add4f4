"""An app over a populated database (tests/reporting/dataset.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from tradecycle.config import SettingsModel
from tradecycle.interfaces.api.app import create_app

TOKEN = "test-token-123"

_path = Path(__file__).resolve().parents[1] / "reporting" / "dataset.py"
_spec = importlib.util.spec_from_file_location("tc_report_dataset", _path)
dataset = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = dataset
    _spec.loader.exec_module(dataset)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request, tmp_path_factory):
    """(client, engine, dataset) over one populated database per engine, shared by read-only tests."""
    try:
        with dataset.populated_database(request.param, tmp_path_factory.mktemp("api")) as (engine, data, url):
            settings = SettingsModel(database_url=url, api={"token": TOKEN}, data={"provider": "database"})
            yield TestClient(create_app(settings, engine), raise_server_exceptions=False), engine, data
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL is unreachable: {exc}")
