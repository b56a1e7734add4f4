"""Shared fixtures: a database URL on SQLite and on the real PostgreSQL.

PostgreSQL tests each get their own schema (dropped afterwards). PostgreSQL being
unreachable is a failure, not a skip: CI must test both engines.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tradecycle.adapters.store.engine import make_engine, normalise_url

# The shared data folder: TRADECYCLE_SHARED, else beside the clone, else the workplace's copy
# (the places .ci/run looks too), so the README's test command runs from any clone here.
_SHARED_CANDIDATES = [
    *([Path(os.environ["TRADECYCLE_SHARED"])] if os.environ.get("TRADECYCLE_SHARED") else []),
    Path(__file__).resolve().parents[2] / "shared",
    Path("/work/shared"),
]
SHARED = next((p for p in _SHARED_CANDIDATES if p.is_dir()), _SHARED_CANDIDATES[0])

POSTGRES_URL = os.environ.get(
    "TRADECYCLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        tried = ", ".join(str(p) for p in _SHARED_CANDIDATES)
        pytest.fail(f"shared data folder not found (tried {tried}); set TRADECYCLE_SHARED")
    return SHARED


def _postgres_schema_url() -> tuple[str, str]:
    schema = f"tc_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach PG fails the test
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc}")
    finally:
        admin.dispose()
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}", schema


def _drop_schema(schema: str) -> None:
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@contextmanager
def _scratch_postgres_url() -> Iterator[str]:
    """A URL on a fresh PostgreSQL schema, dropped on exit."""
    url, schema = _postgres_schema_url()
    try:
        yield url
    finally:
        _drop_schema(schema)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path) -> str:
    """An empty database URL, once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'trading_system.db'}"
        return
    with _scratch_postgres_url() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'trading_system.db'}"


@pytest.fixture
def postgres_url() -> str:
    with _scratch_postgres_url() as url:
        yield url


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()
