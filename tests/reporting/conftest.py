"""A populated database (see dataset.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

_spec = importlib.util.spec_from_file_location("tc_report_dataset", Path(__file__).with_name("dataset.py"))
dataset = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = dataset
_spec.loader.exec_module(dataset)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def populated(request, tmp_path_factory):
    """(engine, Dataset), shared by a module's read-only tests, on SQLite and PostgreSQL."""
    try:
        with dataset.populated_database(request.param, tmp_path_factory.mktemp("reports")) as (
            engine,
            data,
            _,
        ):
            yield engine, data
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL is unreachable: {exc}")
