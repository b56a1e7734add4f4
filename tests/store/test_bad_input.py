"""Bad targets: one clear DatabaseError, and the file is left byte-for-byte unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tradecycle.adapters.store.database import open_engine, prepare_database, upgrade_database
from tradecycle.adapters.store.verify import verify
from tradecycle.errors import DatabaseError


def test_missing_directory(tmp_path):
    target = tmp_path / "nope" / "trading_system.db"
    with pytest.raises(DatabaseError, match="directory .*nope does not exist"):
        prepare_database(f"sqlite:///{target}")
    assert not target.parent.exists()


def test_file_that_is_not_sqlite(tmp_path, checksum):
    target = tmp_path / "notes.db"
    target.write_text("these are my notes, not a database\n" * 10)
    before = checksum(target)
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        prepare_database(f"sqlite:///{target}")
    assert checksum(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def _checkpointed_database(path) -> None:
    engine = prepare_database(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def test_truncated_database(tmp_path, checksum):
    target = tmp_path / "trading_system.db"
    _checkpointed_database(target)
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    before = checksum(target)
    with pytest.raises(DatabaseError, match="truncated"):
        prepare_database(f"sqlite:///{target}")
    assert checksum(target) == before


def _damage_second_page(path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page : page * 2] = b"\xff" * page  # the root page of the first table created
    path.write_bytes(bytes(data))


def test_damaged_pages_are_refused_before_any_write(tmp_path, checksum):
    target = tmp_path / "trading_system.db"
    engine = prepare_database(f"sqlite:///{target}")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))  # so that upgrade has something to write
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    _damage_second_page(target)
    before = checksum(target)
    with pytest.raises(DatabaseError, match="damaged|unreadable"):
        prepare_database(f"sqlite:///{target}")
    assert checksum(target) == before


def test_verify_reports_damaged_pages(tmp_path):
    target = tmp_path / "trading_system.db"
    _checkpointed_database(target)
    _damage_second_page(target)
    engine = open_engine(f"sqlite:///{target}")
    try:
        problems = verify(engine)
    finally:
        engine.dispose()
    assert any(p.startswith("integrity_check:") for p in problems)


def test_newer_revision_is_refused_and_unchanged(tmp_path, checksum):
    target = tmp_path / "trading_system.db"
    engine = prepare_database(f"sqlite:///{target}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    before = checksum(target)
    with pytest.raises(DatabaseError, match="9999_from_the_future.*newer than this tradecycle"):
        prepare_database(f"sqlite:///{target}")
    assert checksum(target) == before


def test_newer_revision_on_postgres(postgres_url):
    engine = prepare_database(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="newer than this tradecycle"):
        prepare_database(postgres_url)


def test_unreachable_postgres_names_the_server_not_the_password():
    url = "postgresql://trader:hunter2@127.0.0.1:1/tradecycle"
    with pytest.raises(DatabaseError) as info:
        prepare_database(url)
    message = str(info.value)
    assert "127.0.0.1" in message and "hunter2" not in message
    assert "\n" not in message


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(DatabaseError, match="is a directory"):
        upgrade_database(f"sqlite:///{tmp_path}")
