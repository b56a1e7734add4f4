"""Compare a live database with the schema metadata and check its integrity.

Tables, columns, types, nullability, indexes, unique and foreign-key constraints come
from Alembic's autogenerate comparison; CHECK constraints (which Alembic does not
compare) by name; then the revision, and on SQLite `integrity_check` and
`foreign_key_check`. Each difference is one readable line; an empty list means healthy.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Connection, Engine, inspect
from sqlalchemy.exc import DBAPIError

from .schema import metadata

IGNORED_TABLES = {"alembic_version", "sqlite_sequence"}


def verify(engine: Engine) -> list[str]:
    """Every difference between the database behind `engine` and the code's schema."""
    from .database import current_revision, head_revision

    problems: list[str] = []
    with engine.connect() as conn:
        revision = current_revision(conn)
        head = head_revision()
        if revision != head:
            problems.append(f"revision: database at {revision or 'none'}, code at {head}")
        problems += schema_differences(conn)
        if conn.dialect.name == "sqlite":
            problems += _sqlite_integrity(conn)
    return problems


def schema_differences(conn: Connection) -> list[str]:
    context = MigrationContext.configure(
        conn,
        opts={"compare_type": True, "include_object": _include, "target_metadata": metadata},
    )
    dialect = conn.dialect
    problems = [line for diff in compare_metadata(context, metadata) for line in _describe(diff, dialect)]
    return problems + _check_constraint_differences(conn)


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and name in IGNORED_TABLES)


def _describe(diff: Any, dialect: Any) -> list[str]:
    if isinstance(diff, list):  # column modifications come grouped per column
        return [line for item in diff for line in _describe(item, dialect)]
    kind = diff[0]
    if kind == "add_table":
        return [f"missing table {diff[1].name}"]
    if kind == "remove_table":
        return [f"unexpected table {diff[1].name}"]
    if kind == "add_column":
        return [f"missing column {diff[2]}.{diff[3].name}"]
    if kind == "remove_column":
        return [f"unexpected column {diff[2]}.{diff[3].name}"]
    if kind == "modify_type":
        expected = diff[6].compile(dialect=dialect)
        return [f"column {diff[2]}.{diff[3]}: type {diff[5].compile(dialect=dialect)}, expected {expected}"]
    if kind == "modify_nullable":
        expected = "NULL" if diff[6] else "NOT NULL"
        return [f"column {diff[2]}.{diff[3]}: nullability differs, expected {expected}"]
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        state = "missing" if kind == "add_index" else "unexpected"
        return [
            f"{state} index {index.name} on {index.table.name}({', '.join(c.name for c in index.columns)})"
        ]
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        constraint = diff[1]
        state = "missing" if kind.startswith("add") else "unexpected"
        what = "foreign key" if kind.endswith("fk") else "constraint"
        columns = ", ".join(c.name for c in constraint.columns)
        return [
            f"{state} {what} {constraint.name or ''} on {constraint.table.name}({columns})".replace("  ", " ")
        ]
    return [f"{kind}: {diff[1:]}"]


def _check_constraint_differences(conn: Connection) -> list[str]:
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    problems = []
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        expected = {str(c.name) for c in table.constraints if isinstance(c, CheckConstraint) and c.name}
        live = {str(c["name"]) for c in inspector.get_check_constraints(table.name) if c.get("name")}
        problems += [f"missing check constraint {name} on {table.name}" for name in sorted(expected - live)]
        problems += [
            f"unexpected check constraint {name} on {table.name}" for name in sorted(live - expected)
        ]
    return problems


def _sqlite_integrity(conn: Connection) -> list[str]:
    try:
        problems = [
            f"integrity_check: {row[0]}"
            for row in conn.exec_driver_sql("PRAGMA integrity_check")
            if row[0] != "ok"
        ]
        for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check"):
            problems.append(f"foreign key: {table} rowid {rowid} references a missing row of {parent}")
    except DBAPIError as exc:  # damage bad enough that the check itself cannot finish
        return [f"integrity_check: {str(exc.orig).splitlines()[0]}"]
    return problems
