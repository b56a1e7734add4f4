"""Every SQLite connection the engine hands out is set up the same way."""

from __future__ import annotations

from tradecycle.adapters.store.engine import SQLITE_WAL_CHECKPOINT_PAGES, make_engine


def test_sqlite_connections_use_wal_with_their_settings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as conn:
            read = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
                for name in (
                    "journal_mode",
                    "foreign_keys",
                    "synchronous",
                    "wal_autocheckpoint",
                    "busy_timeout",
                )
            }
    finally:
        engine.dispose()
    assert read == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 1,  # NORMAL: no fsync per commit, safe from corruption in WAL mode
        "wal_autocheckpoint": SQLITE_WAL_CHECKPOINT_PAGES,
        "busy_timeout": 30_000,
    }
