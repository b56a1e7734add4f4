"""Adoption of the seed's own database (fixtures/legacy_trading_system.db)."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tradecycle.adapters.store import legacy
from tradecycle.adapters.store.database import Action, upgrade_database
from tradecycle.adapters.store.schema import LEGACY_TABLES, SEED_TABLES, metadata
from tradecycle.adapters.store.types import UTCDateTime
from tradecycle.adapters.store.verify import verify
from tradecycle.errors import DatabaseError, DataError

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def _counts(path) -> dict[str, int]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
            for n in names
            if n != "sqlite_sequence"
        }
    finally:
        conn.close()


def test_fixture_is_adopted_with_every_row(legacy_db):
    before = _counts(legacy_db)
    assert set(before) == set(SEED_TABLES) | set(LEGACY_TABLES)
    report = upgrade_database(f"sqlite:///{legacy_db}")
    try:
        assert report.action is Action.ADOPTED
        assert report.rows_adopted == before
        after = _counts(legacy_db)
        assert {name: after[name] for name in before} == before
        assert _counts(report.backup_path) == before
        assert report.backup_path.name == "legacy_trading_system.db.pre-adoption.bak"
        assert verify(report.engine) == []
    finally:
        report.engine.dispose()
    again = upgrade_database(f"sqlite:///{legacy_db}")
    again.engine.dispose()
    assert again.action is Action.UP_TO_DATE


def test_timestamps_are_normalised_to_one_utc_format(legacy_db):
    upgrade_database(f"sqlite:///{legacy_db}").engine.dispose()
    conn = sqlite3.connect(legacy_db)
    checked = 0
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, UTCDateTime):
                for (value,) in conn.execute(
                    f'SELECT "{column.name}" FROM "{table.name}" WHERE "{column.name}" IS NOT NULL'
                ):
                    assert ISO.match(value), (table.name, column.name, value)
                    checked += 1
    conn.close()
    assert checked > 100


def test_legacy_statuses_are_mapped_and_kept_in_metadata(legacy_db):
    report = upgrade_database(f"sqlite:///{legacy_db}")
    trades, services = metadata.tables["trades"], metadata.tables["service_coordination"]
    with report.engine.connect() as conn:
        trade_rows = conn.execute(select(trades.c.status, trades.c.metadata, trades.c.created_at)).all()
        service_rows = conn.execute(select(services.c.status, services.c.metadata)).all()
        cycle = conn.execute(
            select(metadata.tables["trading_cycles"]).where(
                metadata.tables["trading_cycles"].c.cycle_id == "cycle_20250626_042426_dccab163"
            )
        ).one()
    report.engine.dispose()
    assert [r.status for r in trade_rows] == ["open"] * 3
    assert all(json.loads(r.metadata) == {"legacy": {"status": "executed"}} for r in trade_rows)
    assert trade_rows[0].created_at == datetime(2025, 6, 25, 9, 50, 46, 983503, tzinfo=UTC)
    assert {r.status for r in service_rows} == {"running"}
    assert all(json.loads(r.metadata)["legacy"]["status"] == "active" for r in service_rows)
    # one row, two spellings: "2025-06-26 04:24:26.468478" and "2025-06-26T04:24:52.004170"
    assert cycle.end_time - cycle.start_time == timedelta(seconds=25, microseconds=535692)


def test_unmappable_value_leaves_the_file_unchanged(legacy_db, checksum):
    conn = sqlite3.connect(legacy_db)
    conn.execute("UPDATE trades SET status = 'teleported' WHERE id = 2")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = checksum(legacy_db)
    with pytest.raises(DataError, match="trades row id=2: status value 'teleported'"):
        upgrade_database(f"sqlite:///{legacy_db}")
    assert checksum(legacy_db) == before
    assert not legacy_db.with_name(legacy_db.name + ".adopting").exists()


def test_orphan_rows_are_refused(legacy_db, checksum):
    conn = sqlite3.connect(legacy_db)
    conn.execute(
        "INSERT INTO workflow_events (cycle_id, phase, event_type) VALUES ('cycle_nowhere', 'scan', 'start')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="reference missing parents"):
        upgrade_database(f"sqlite:///{legacy_db}")
    assert _counts(legacy_db)["workflow_events"] == 3


def test_read_only_file_is_refused(legacy_db):
    legacy_db.chmod(0o444)
    try:
        with pytest.raises(DatabaseError, match="read-only"):
            upgrade_database(f"sqlite:///{legacy_db}")
        assert not list(legacy_db.parent.glob("*.bak"))
    finally:
        legacy_db.chmod(0o644)


def test_deleted_ids_are_not_reused_after_adoption(legacy_db):
    conn = sqlite3.connect(legacy_db)
    conn.execute("DELETE FROM trades WHERE id = 3")
    conn.commit()
    conn.close()
    report = upgrade_database(f"sqlite:///{legacy_db}")
    with report.engine.begin() as db:
        trades = metadata.tables["trades"]
        new_id = db.execute(
            trades.insert()
            .values(symbol="IBM", signal_type="BUY", quantity=1, entry_price=1.0)
            .returning(trades.c.id)
        ).scalar_one()
    report.engine.dispose()
    assert new_id == 4


@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    spelling=st.sampled_from(["%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%fZ"]),
)
def test_every_seed_spelling_reads_as_the_same_utc_instant(moment, spelling):
    row = {"id": 1, "cycle_id": "c", "status": "complete", "start_time": moment.strftime(spelling)}
    out = legacy.normalise_row(metadata.tables["trading_cycles"], row)
    assert out["start_time"] == moment.replace(tzinfo=UTC)
    assert out["status"] == "completed"
    assert json.loads(out["metadata"]) == {"legacy": {"status": "complete"}}


def test_existing_metadata_is_kept_beside_the_legacy_value():
    row = {"id": 7, "order_id": "o", "status": "partially_filled", "side": "buy", "metadata": '{"note": "x"}'}
    out = legacy.normalise_row(metadata.tables["orders"], row)
    assert (out["status"], out["side"]) == ("partial", "BUY")
    assert json.loads(out["metadata"]) == {
        "note": "x",
        "legacy": {"status": "partially_filled", "side": "buy"},
    }


def test_rows_still_in_the_write_ahead_log_are_adopted(legacy_db, tmp_path):
    """A seed service that died without a checkpoint leaves committed rows only in the -wal file."""
    import shutil

    writer = sqlite3.connect(legacy_db)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO pl_summary (date, realized_pl) VALUES ('2025-06-26', 12.5)")
    writer.commit()
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):  # the files as a crash would leave them
        shutil.copyfile(legacy_db.with_name(legacy_db.name + suffix), crashed / (legacy_db.name + suffix))
    writer.close()
    copy = crashed / legacy_db.name
    assert (crashed / (legacy_db.name + "-wal")).stat().st_size > 0
    report = upgrade_database(f"sqlite:///{copy}")
    report.engine.dispose()
    assert report.rows_adopted["pl_summary"] == 1
    assert _counts(copy)["pl_summary"] == 1
    assert _counts(report.backup_path)["pl_summary"] == 1
