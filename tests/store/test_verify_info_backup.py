"""verify, database_info and backup_database on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from tradecycle.adapters.store.bulk import insert_rows
from tradecycle.adapters.store.database import (
    Action,
    backup_database,
    database_info,
    head_revision,
    upgrade_database,
)
from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.adapters.store.verify import verify
from tradecycle.errors import DatabaseError


@pytest.fixture
def ready(db_url):
    engine = upgrade_database(db_url).engine
    yield engine
    engine.dispose()


def test_fresh_database_verifies_clean(ready):
    assert verify(ready) == []


def test_verify_reports_schema_drift(ready):
    with ready.begin() as conn:
        conn.execute(text("DROP INDEX idx_trades_symbol"))
        conn.execute(text("ALTER TABLE trades ADD COLUMN surprise INTEGER"))
        conn.execute(text("DROP TABLE watchlist"))
    problems = verify(ready)
    assert "missing index idx_trades_symbol on trades(symbol)" in problems
    assert "unexpected column trades.surprise" in problems
    assert "missing table watchlist" in problems


def test_verify_reports_a_missing_check_constraint(postgres_url):
    """PostgreSQL only: SQLite cannot drop a constraint without rebuilding the table."""
    engine = upgrade_database(postgres_url).engine
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE trades DROP CONSTRAINT ck_trades_status"))
    problems = verify(engine)
    engine.dispose()
    assert problems == ["missing check constraint ck_trades_status on trades"]


def test_verify_reports_revision_and_foreign_key_violations(sqlite_url):
    engine = upgrade_database(sqlite_url).engine
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("INSERT INTO watchlist (name, symbol) VALUES ('core', 'NOPE')")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'older'")
        conn.commit()
    problems = verify(engine)
    engine.dispose()
    assert f"revision: database at older, code at {head_revision()}" in problems
    assert "foreign key: watchlist rowid 1 references a missing row of symbols" in problems


def test_info_counts_rows_and_masks_the_password(ready):
    with ready.begin() as conn:
        insert_rows(conn, metadata.tables["symbols"], [{"symbol": "AAPL"}, {"symbol": "MSFT"}])
    details = database_info(ready)
    assert details["revision"] == details["head"] == head_revision()
    assert details["tables"]["symbols"] == 2
    assert details["tables"]["trades"] == 0
    assert set(details["tables"]) == set(metadata.tables)


def test_info_masks_a_password():
    engine = make_engine("postgresql://trader:hunter2@127.0.0.1:1/x")
    with pytest.raises(DatabaseError) as info:
        database_info(engine)
    assert "hunter2" not in str(info.value)


def test_create_all_database_is_stamped(db_url):
    engine = make_engine(db_url)
    metadata.create_all(engine)
    engine.dispose()
    report = upgrade_database(db_url)
    assert report.action is Action.STAMPED
    assert verify(report.engine) == []
    report.engine.dispose()


def test_backup_is_a_consistent_copy_while_a_writer_is_open(sqlite_url, tmp_path):
    engine = upgrade_database(sqlite_url).engine
    with engine.begin() as conn:
        insert_rows(conn, metadata.tables["symbols"], [{"symbol": f"S{i}"} for i in range(500)])
    writer = engine.connect()
    writer.exec_driver_sql("INSERT INTO symbols (symbol) VALUES ('UNCOMMITTED')")
    try:
        dest = backup_database(sqlite_url, tmp_path / "copy.db")
    finally:
        writer.rollback()
        writer.close()
        engine.dispose()
    copy = sqlite3.connect(dest)
    assert copy.execute("SELECT count(*) FROM symbols").fetchone()[0] == 500
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    with pytest.raises(DatabaseError, match="already exists"):
        backup_database(sqlite_url, dest)


def test_backup_of_postgres_points_to_pg_dump(postgres_url):
    with pytest.raises(DatabaseError, match="pg_dump"):
        backup_database(postgres_url, "x.dump")
