"""prepare_database: create at head, idempotent re-run, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from tradecycle.adapters.store.database import (
    Action,
    apply_migrations,
    current_revision,
    head_revision,
    prepare_database,
    upgrade_database,
)
from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.adapters.store.verify import verify


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


def test_older_revision_is_migrated(db_url, tmp_path, monkeypatch):
    """A database at the previous revision is upgraded in place by a later migration (batch mode on SQLite)."""
    import shutil

    from tradecycle.adapters.store import database

    upgrade_database(db_url).engine.dispose()
    previous = head_revision()
    scripts = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0003_note.py").write_text(
        "import sqlalchemy as sa\n"
        "from alembic import op\n"
        "revision = '0003_note'\n"
        f"down_revision = '{head_revision()}'\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('watchlist') as batch:\n"
        "        batch.add_column(sa.Column('note', sa.Text()))\n"
    )
    monkeypatch.setattr(database, "MIGRATIONS_DIR", scripts)
    report = upgrade_database(db_url)
    try:
        assert (report.action, report.from_revision, report.to_revision) == (
            Action.MIGRATED,
            previous,
            "0003_note",
        )
        columns = {c["name"] for c in inspect(report.engine).get_columns("watchlist")}
        assert "note" in columns
    finally:
        report.engine.dispose()


def test_replaying_the_migrations_gives_exactly_the_metadata_schema(db_url):
    """New databases are created from the metadata; the shipped migrations must build the same schema."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            apply_migrations(conn)
        assert verify(engine) == []
    finally:
        engine.dispose()


def test_concurrent_creation_of_one_file_gives_one_healthy_database(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with ThreadPoolExecutor(4) as pool:
        engines = list(pool.map(lambda _: prepare_database(url), range(4)))
    try:
        assert verify(engines[0]) == []
        with engines[0].begin() as conn:
            conn.execute(metadata.tables["symbols"].insert().values(symbol="AAPL"))
        with engines[3].connect() as conn:
            assert conn.execute(metadata.tables["symbols"].select()).all()
    finally:
        for engine in engines:
            engine.dispose()
    assert sorted(p.name for p in tmp_path.iterdir() if "creating" in p.name) == []


def test_concurrent_upgrades_of_one_postgres_schema(postgres_url):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        reports = list(pool.map(lambda _: upgrade_database(postgres_url), range(3)))
    try:
        assert sorted(r.action for r in reports) == sorted(
            [Action.CREATED, Action.UP_TO_DATE, Action.UP_TO_DATE]
        )
        assert verify(reports[0].engine) == []
    finally:
        for report in reports:
            report.engine.dispose()
