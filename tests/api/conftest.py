"""An app over a populated database (tests/reporting/dataset.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.config import SettingsModel
from tradecycle.interfaces.api.app import create_app

TOKEN = "test-token-123"

_path = Path(__file__).resolve().parents[1] / "reporting" / "dataset.py"
_spec = importlib.util.spec_from_file_location("tc_report_dataset", _path)
dataset = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = dataset
    _spec.loader.exec_module(dataset)


@pytest.fixture
def api(db_url):
    """(client, engine, dataset) for a populated database."""
    engine = make_engine(db_url)
    metadata.create_all(engine)
    data = dataset.build(engine)
    settings = SettingsModel(database_url=db_url, api={"token": TOKEN}, data={"provider": "database"})
    client = TestClient(create_app(settings, engine), raise_server_exceptions=False)
    yield client, engine, data
    engine.dispose()
