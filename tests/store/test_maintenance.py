"""The replay's statistics refresh: PostgreSQL's planner sees the tables as they are."""

from __future__ import annotations

from sqlalchemy import text

from tradecycle.adapters.store.database import prepare_database
from tradecycle.adapters.store.maintenance import CYCLE_HOT_TABLES, refresh_planner_statistics


def test_refresh_vacuums_and_analyses_every_hot_table_on_postgresql(postgres_url):
    engine = prepare_database(postgres_url)
    assert refresh_planner_statistics(engine)
    with engine.connect() as conn:
        stats = {
            name: (vacuumed, analysed)
            for name, vacuumed, analysed in conn.execute(
                text(
                    "SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL"
                    " FROM pg_stat_user_tables WHERE schemaname = current_schema()"
                )
            )
        }
    assert {t.name for t in CYCLE_HOT_TABLES} <= set(stats)
    assert all(stats[t.name] == (True, True) for t in CYCLE_HOT_TABLES)
    assert not any(stats["technical_indicators"])  # append-only tables are the server's business
    engine.dispose()


def test_refresh_is_a_no_op_on_sqlite(sqlite_url):
    engine = prepare_database(sqlite_url)
    assert refresh_planner_statistics(engine) is False
    engine.dispose()


def test_a_failing_refresh_is_logged_not_raised(postgres_url, caplog):
    engine = prepare_database(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE order_history RENAME TO order_history_elsewhere"))
    assert refresh_planner_statistics(engine) is False
    assert "could not refresh the planner's statistics" in caplog.text
    engine.dispose()
