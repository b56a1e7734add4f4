"""prepare_database: create at head, idempotent re-run, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from tradecycle.adapters.store.database import (
    Action,
    current_revision,
    head_revision,
    prepare_database,
    upgrade_database,
)
from tradecycle.adapters.store.schema import metadata


def test_new_database_is_created_at_head(db_url):
    engine = prepare_database(db_url)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert set(metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(db_url):
    first = upgrade_database(db_url)
    first.engine.dispose()
    second = upgrade_database(db_url)
    second.engine.dispose()
    assert first.action is Action.CREATED
    assert second.action is Action.UP_TO_DATE
    assert second.from_revision == second.to_revision == head_revision()
