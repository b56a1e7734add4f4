"""A populated database (see dataset.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata

_spec = importlib.util.spec_from_file_location("tc_report_dataset", Path(__file__).with_name("dataset.py"))
dataset = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = dataset
_spec.loader.exec_module(dataset)


@pytest.fixture
def populated(db_url):
    engine = make_engine(db_url)
    metadata.create_all(engine)
    data = dataset.build(engine)
    yield engine, data
    engine.dispose()
