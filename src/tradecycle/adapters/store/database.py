"""Open a database ready for use: create it, migrate it, or adopt a seed-written file.

`prepare_database(url)` is what every command, service and test calls instead of
`metadata.create_all`. Before anything is written it checks the target (directory
exists, file really is an intact SQLite database, revision not newer than this code),
so bad input is a one-line DatabaseError and the file is left byte-for-byte unchanged.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from tradecycle.errors import DatabaseError

from . import legacy
from .engine import make_engine, normalise_url
from .schema import metadata

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"


class Action(StrEnum):
    CREATED = "created"
    MIGRATED = "migrated"
    ADOPTED = "adopted"
    STAMPED = "stamped"
    UP_TO_DATE = "up-to-date"


@dataclass(frozen=True)
class UpgradeReport:
    """What `upgrade_database` did, for the CLI to print."""

    engine: Engine
    action: Action
    from_revision: str | None
    to_revision: str
    backup_path: Path | None = None
    rows_adopted: dict[str, int] | None = None


def prepare_database(url: str) -> Engine:
    """An engine on `url` with the schema at head (created, migrated or adopted as needed)."""
    return upgrade_database(url).engine


def upgrade_database(url: str) -> UpgradeReport:
    url = normalise_url(url)
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path)
    if path is not None and _never_written(path):
        return UpgradeReport(_create_sqlite_atomically(url, path), Action.CREATED, None, head_revision())
    engine = make_engine(url)
    try:
        with _schema_lock(engine):
            return _upgrade(engine, url, path)
    except DatabaseError:
        engine.dispose()
        raise
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"{mask_url(url)}: {_first_line(exc.orig)}") from None


def _upgrade(engine: Engine, url: str, path: Path | None) -> UpgradeReport:
    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
        tables = set(inspect(conn).get_table_names())
    if current is not None:
        _check_known(current, url)
        if current == head:
            return UpgradeReport(engine, Action.UP_TO_DATE, current, head)
        _check_before_writing(path)
        _run_upgrade(engine)
        return UpgradeReport(engine, Action.MIGRATED, current, head)
    if legacy.is_legacy(tables):
        if path is None:
            raise DatabaseError(
                f"{mask_url(url)} holds seed tables without a tradecycle revision; adoption works on SQLite "
                "files only: copy the data into a SQLite file first"
            )
        legacy.check_writable(path)
        _check_before_writing(path)
        backup = backup_database(url, next_backup_path(path, "pre-adoption"))
        engine.dispose()
        rows = legacy.adopt(path, create_at_head)
        return UpgradeReport(engine, Action.ADOPTED, None, head, backup, rows)
    if set(metadata.tables) <= tables:
        _check_before_writing(path)
        _stamp_matching(engine, url)
        return UpgradeReport(engine, Action.STAMPED, None, head)
    _check_before_writing(path)
    with engine.begin() as conn:  # PostgreSQL DDL is transactional: all tables or none
        create_at_head(conn)
    return UpgradeReport(engine, Action.CREATED, None, head)


@contextlib.contextmanager
def _schema_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, one upgrader per schema at a time (services starting together all call this)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = text("SELECT hashtext('tradecycle.schema.' || current_schema())")
    with engine.connect() as lock:
        lock_id = lock.execute(key).scalar_one()
        lock.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
        lock.commit()
        try:
            yield
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
            lock.commit()


def _check_before_writing(path: Path | None) -> None:
    if path is not None:
        check_sqlite_file(path, deep=True)


def _never_written(path: Path) -> bool:
    """No file (or an empty one) and no write-ahead log: nothing to lose, nothing attached to it,
    so the database can be built aside and renamed into place."""
    wal = path.with_name(path.name + "-wal")
    return (not path.exists() or path.stat().st_size == 0) and not wal.exists()


def _create_sqlite_atomically(url: str, path: Path) -> Engine:
    """Build a new SQLite database beside `path` and rename it into place.

    SQLite commits DDL statement by statement, so a process killed while creating the
    schema in place would leave half a schema behind; a rename is all or nothing.
    """
    scratch = path.with_name(f"{path.name}.creating-{os.getpid()}-{uuid.uuid4().hex[:8]}")  # per thread too
    for leftover in (
        scratch,
        scratch.with_name(scratch.name + "-wal"),
        scratch.with_name(scratch.name + "-shm"),
    ):
        leftover.unlink(missing_ok=True)
    building = make_engine(f"sqlite:///{scratch}")
    try:
        with building.begin() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")  # a scratch file: no fsync per DDL statement
            create_at_head(conn)
        building.dispose()
        _move_into_place(scratch, path)
    finally:
        building.dispose()
        scratch.unlink(missing_ok=True)
    return make_engine(url)


def _move_into_place(scratch: Path, path: Path) -> None:
    """Rename the new file in; if another process created the database meanwhile, keep theirs."""
    if path.exists():
        os.replace(scratch, path)  # an empty placeholder file
        return
    with contextlib.suppress(FileExistsError):  # another process won the race: theirs stays
        os.link(scratch, path)  # atomic, and fails instead of overwriting a concurrent creation


def _stamp_matching(engine: Engine, url: str) -> None:
    """Tables made by `metadata.create_all` (no revision): record head if they match the code exactly."""
    from .verify import schema_differences

    with engine.begin() as conn:
        differences = schema_differences(conn)
        if differences:
            raise DatabaseError(
                f"{mask_url(url)} has tradecycle tables but no schema revision, and they differ from this "
                f"version ({len(differences)} difference(s), first: {differences[0]})"
            )
        MigrationContext.configure(conn).stamp(_script(), "head")


def _check_known(revision: str, url: str) -> None:
    script = _script()
    try:
        script.get_revision(revision)
    except Exception:  # noqa: BLE001 - alembic raises several types for unknown revisions
        raise DatabaseError(
            f"{mask_url(url)} is at schema revision {revision!r}, newer than this tradecycle "
            f"(head {head_revision()!r}); upgrade tradecycle to open it"
        ) from None


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _run_upgrade(engine: Engine) -> None:
    with engine.begin() as conn:
        apply_migrations(conn)


def apply_migrations(conn: Connection) -> None:
    """Run the shipped Alembic migrations from the database's revision up to head."""
    config = _alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def create_at_head(conn: Connection) -> None:
    """A new database: the head schema straight from the metadata, stamped with the head revision.

    Alembic's recommended way to start a database (several times faster than replaying
    every migration); tests prove running the migrations gives exactly the same schema.
    """
    metadata.create_all(conn)
    MigrationContext.configure(conn).stamp(_script(), "head")


def _script() -> ScriptDirectory:
    return _script_directory(str(MIGRATIONS_DIR))


@functools.cache
def _script_directory(location: str) -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", location)
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other engines and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def check_sqlite_file(path: Path, deep: bool = False) -> None:
    """Refuse a missing directory, a file that is not SQLite, or a truncated one, without touching it.

    `deep` adds a read-only `PRAGMA quick_check` (about 0.25 s per 100 MB): done before
    anything is written to an existing file (migration, adoption, stamping, backup), not
    on every open.
    """
    if not path.parent.is_dir():
        raise DatabaseError(f"{path}: directory {path.parent} does not exist")
    if path.is_dir():
        raise DatabaseError(f"{path}: is a directory, not a database file")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(SQLITE_HEADER):
        raise DatabaseError(f"{path}: not a SQLite database (unexpected file header)")
    if len(header) < 100:
        raise DatabaseError(f"{path}: truncated SQLite database ({len(header)} bytes)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_counts_valid = header[24:28] == header[92:96]
    size = path.stat().st_size
    if page_size < 512 or size % page_size or (header_counts_valid and pages and size < pages * page_size):
        raise DatabaseError(
            f"{path}: truncated or damaged SQLite database ({size} bytes, page size {page_size})"
        )
    if deep:
        _quick_check(path)


def _quick_check(path: Path) -> None:
    """Read-only structural check: a damaged file fails here, before any write."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: unreadable SQLite database: {exc}") from None
    if result is None or result[0] != "ok":
        raise DatabaseError(f"{path}: damaged SQLite database: {result[0] if result else 'no result'}")


def next_backup_path(path: Path, label: str) -> Path:
    """`<file>.<label>.bak`, numbered if that exists, so no backup is ever overwritten."""
    candidate = path.with_name(f"{path.name}.{label}.bak")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{label}.{n}.bak")
        n += 1
    return candidate


def backup_database(url: str, dest: str | Path) -> Path:
    """A consistent online copy of a SQLite database (backup API; safe while others write)."""
    url = normalise_url(url)
    dest = Path(dest)
    path = sqlite_path(url)
    if path is None:
        if make_url(url).get_backend_name() == "postgresql":
            raise DatabaseError(
                "online backup of PostgreSQL is not built in; use its own tool, e.g. "
                f"pg_dump --format=custom --file={dest} '{mask_url(_libpq_url(url))}'"
            )
        raise DatabaseError(f"{mask_url(url)}: only SQLite files can be backed up with tradecycle")
    if not path.is_file():
        raise DatabaseError(f"{path}: database file does not exist")
    check_sqlite_file(path, deep=True)
    if not dest.parent.is_dir():
        raise DatabaseError(f"{dest}: directory {dest.parent} does not exist")
    if dest.exists():
        raise DatabaseError(f"{dest}: already exists; choose another backup file")
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    except sqlite3.DatabaseError as exc:
        target.close()
        dest.unlink(missing_ok=True)
        raise DatabaseError(f"{path}: backup failed: {exc}") from None
    finally:
        source.close()
        target.close()
    return dest


def database_info(engine: Engine) -> dict:
    """URL (password masked), engine, revision vs head, and the row count of every table."""
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            counts = {
                table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                if table.name in names
                else None
                for table in sorted(metadata.tables.values(), key=lambda t: t.name)
            }
            revision = current_revision(conn)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"{mask_url(str(engine.url))}: {_first_line(getattr(exc, 'orig', exc))}"
        ) from None
    return {
        "url": mask_url(engine.url.render_as_string(hide_password=False)),
        "dialect": engine.dialect.name,
        "revision": revision,
        "head": head_revision(),
        "tables": counts,
    }


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***."""
    try:
        parsed = make_url(url)
    except SQLAlchemyError:
        return url
    return parsed.render_as_string(hide_password=True)


def _libpq_url(url: str) -> str:
    """The URL as libpq tools (pg_dump, psql) spell it: no SQLAlchemy driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip() if exc is not None else "unknown error"
    return text.splitlines()[0] if text else type(exc).__name__


def open_engine(url: str) -> Engine:
    """An engine on an existing database without migrating it (info, verify)."""
    url = normalise_url(url)
    path = sqlite_path(url)
    if path is not None:
        if not path.is_file():
            raise DatabaseError(f"{path}: database file does not exist (run `tradecycle db upgrade` first)")
        check_sqlite_file(path)
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"{mask_url(url)}: {_first_line(exc.orig)}") from None
    return engine
