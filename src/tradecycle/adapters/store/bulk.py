"""Batched inserts: the one write path every phase uses.

`insert_rows` sends each batch straight to the driver's executemany (SQLite) or
COPY (PostgreSQL), after running every value through its column's bind processor
once, so UTCDateTime formatting and JSON metadata behave exactly as in
`conn.execute(table.insert(), rows)`, without SQLAlchemy's per-row overhead.
It runs inside the caller's transaction and never commits.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, String, Table
from sqlalchemy.exc import DBAPIError

from tradecycle.errors import DataError

from .types import UTCDateTime

Processor = Callable[[Any], Any]
ROWS_PER_STATEMENT = 500
# PostgreSQL: a batch of up to this many values is one INSERT ... VALUES (one round trip; COPY
# takes three and no less CPU at these sizes); bigger batches (bar imports) go by COPY.
VALUES_MAX_PARAMETERS = 16_384
MAX_BOUND_PARAMETERS = 999  # SQLite's historical limit, when the driver cannot report its own


def to_json(obj: Any) -> str | None:
    """JSON text for a metadata column: compact, sorted keys, dates as ISO text, NaN as null."""
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    return json.dumps(_jsonable(obj), sort_keys=True, separators=(",", ":"), allow_nan=False)


_AS_IS = frozenset({str, int, bool, type(None)})


def _jsonable(obj: Any) -> Any:
    kind = type(obj)  # exact-type fast paths first: metadata is mostly plain dicts of str/float/int
    if kind in _AS_IS:
        return obj
    if kind is float:
        return obj if math.isfinite(obj) else None
    if kind is dict:
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if hasattr(obj, "item"):  # numpy scalars
        return _jsonable(obj.item())
    return obj


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert `rows` (dicts keyed by column name) into `table`; return how many were written.

    Rows may leave out columns (their server default applies); rows with different
    key sets are written in one batch per key set. A key that is not a column of the
    table is a DataError naming both.
    """
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    key_sets = list(map(tuple, rows))
    batches: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    if key_sets.count(key_sets[0]) == len(rows):  # the usual case: one key set, no regrouping
        batches[key_sets[0]] = rows
    else:
        for keys, row in zip(key_sets, rows, strict=True):
            batches.setdefault(keys, []).append(row)
    total = 0
    for keys, batch in batches.items():
        total += _insert_batch(conn, table, keys, batch)
    return total


def _insert_batch(
    conn: Connection, table: Table, keys: tuple[str, ...], rows: list[Mapping[str, Any]]
) -> int:
    columns = _bound_columns(conn, table, keys, rows)
    if columns is None:
        conn.execute(table.insert(), list(rows))
        return len(rows)
    dialect = conn.dialect
    with _wrapped_driver_errors(dialect, f"insert into {table.name}"):
        if dialect.name != "postgresql":
            _executemany_multirow(conn, table, keys, columns)
        elif len(rows) * len(keys) > VALUES_MAX_PARAMETERS:
            _copy_postgres(conn, table, keys, list(zip(*columns, strict=True)))
        else:
            _insert_values_postgres(conn, [(table, keys, columns)])
    return len(rows)


def _bound_columns(
    conn: Connection, table: Table, keys: tuple[str, ...], rows: list[Mapping[str, Any]]
) -> list[Sequence[Any]] | None:
    """The rows' values bound for the driver, column by column; None if SQLAlchemy must
    insert them (a column with a Python-side default). Unknown keys are a DataError."""
    plan = _column_plan(table, keys, conn.dialect)
    if plan is None:
        return None
    # column-wise: one C-level pass per column (a zip(*rows) transpose of thousands of rows is slow)
    return [
        _column_values(kind, bind, list(map(itemgetter(k), rows)))
        for k, (kind, bind) in zip(keys, plan, strict=True)
    ]


_TIME, _TEXT, _OTHER = "time", "text", "other"


@lru_cache(maxsize=1024)
def _column_plan(
    table: Table, keys: tuple[str, ...], dialect
) -> tuple[tuple[str, Processor | None], ...] | None:
    """Per key: how its values are bound (kind, bind processor), worked out once per table, key set
    and dialect (a cycle writes the same few shapes every time); None if SQLAlchemy must insert."""
    unknown = [k for k in keys if k not in table.c]
    if unknown:
        raise DataError(
            f"table {table.name} has no column {unknown[0]!r} (columns: {', '.join(table.c.keys())})"
        )
    if _needs_python_defaults(table, keys):
        return None
    plan = []
    for key in keys:
        kind = table.c[key].type
        category = _TIME if isinstance(kind, UTCDateTime) else _TEXT if isinstance(kind, String) else _OTHER
        plan.append((category, kind._cached_bind_processor(dialect)))
    return tuple(plan)


def insert_together(conn: Connection, writes: Sequence[tuple[Table, Iterable[Mapping[str, Any]]]]) -> int:
    """Rows for several independent tables; returns how many were written.

    On PostgreSQL small batches go in one statement (each table's INSERT but the last in a
    data-modifying WITH): one round trip instead of one per table. Elsewhere, or when a
    batch is large, mixes key sets or needs Python-side defaults, each is `insert_rows`.
    """
    batches = [(table, list(rows)) for table, rows in writes]
    batches = [(table, rows) for table, rows in batches if rows]
    if not batches:
        return 0
    parts = _values_parts(conn, batches) if conn.dialect.name == "postgresql" else None
    if parts is None:
        return sum(insert_rows(conn, table, rows) for table, rows in batches)
    names = ", ".join(table.name for table, _ in batches)
    with _wrapped_driver_errors(conn.dialect, f"insert into {names}"):
        _insert_values_postgres(conn, parts)
    return sum(len(rows) for _, rows in batches)


def _values_parts(conn: Connection, batches: list[tuple[Table, list]]) -> list[tuple] | None:
    """(table, keys, bound columns) of each batch if all fit one VALUES statement, else None."""
    parts, values = [], 0
    for table, rows in batches:
        keys = tuple(rows[0])
        if any(tuple(row) != keys for row in rows):
            return None
        values += len(rows) * len(keys)
        columns = _bound_columns(conn, table, keys, rows)
        if columns is None or values > VALUES_MAX_PARAMETERS:
            return None
        parts.append((table, keys, columns))
    return parts


@contextmanager
def _wrapped_driver_errors(dialect, statement: str) -> Iterator[None]:
    """Driver errors as SQLAlchemy's (IntegrityError, OperationalError, ...), as conn.execute raises them."""
    try:
        yield
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc


def _executemany_multirow(
    conn: Connection, table: Table, keys: tuple[str, ...], columns: list[Sequence[Any]]
) -> None:
    """executemany of multi-row VALUES statements: ~40% less CPU per row on SQLite than one row each."""
    driver = conn.connection.dbapi_connection
    per_statement = max(1, min(ROWS_PER_STATEMENT, _bound_parameter_limit(driver) // len(keys)))
    many, one = _multirow_statements(table, keys, conn.dialect, per_statement)
    count = len(columns[0])
    full = count - count % per_statement
    cursor = driver.cursor()  # straight to the driver, as COPY does on PostgreSQL
    try:
        if full:
            chunks = [
                tuple(chain.from_iterable(zip(*(c[i : i + per_statement] for c in columns), strict=True)))
                for i in range(0, full, per_statement)
            ]
            cursor.executemany(many, chunks)
        if full < count:
            cursor.executemany(one, list(zip(*(c[full:] for c in columns), strict=True)))
    finally:
        cursor.close()


@lru_cache(maxsize=256)
def _multirow_statements(table: Table, keys: tuple[str, ...], dialect, per_statement: int) -> tuple[str, str]:
    """(INSERT of `per_statement` rows, INSERT of one row), built once per table and key set."""
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    group = "(" + ", ".join(marker for _ in keys) + ")"
    names = ", ".join(dialect.identifier_preparer.quote(k) for k in keys)
    head = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) VALUES "
    return head + ", ".join([group] * per_statement), head + group


def _bound_parameter_limit(driver) -> int:
    """Parameters one statement may bind: SQLite's own limit where the driver can tell (32766 since 3.32)."""
    try:
        return driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):
        return MAX_BOUND_PARAMETERS


def _needs_python_defaults(table: Table, keys: tuple[str, ...]) -> bool:
    return any(c.default is not None and c.key not in keys for c in table.columns)


_PLAIN_TEXT = frozenset({str, type(None)})


def _column_values(kind: str, bind: Processor | None, values: Sequence[Any]) -> Sequence[Any]:
    """One column's values bound for the driver, processed a whole column at a time.

    Text columns whose values are all str/None pass through untouched (the very same
    object is returned); timestamps are formatted once per distinct value (a batch
    shares few distinct times).
    """
    if kind == _TIME:
        try:
            formatted = {v: bind(v) if bind else v for v in set(values)}
        except TypeError:  # unhashable values: format one by one
            return [bind(v) if bind else v for v in values]
        return [formatted[v] for v in values]
    if kind == _TEXT and not set(map(type, values)) <= _PLAIN_TEXT:
        values = [_text_value(v) for v in values]
    return values if bind is None else [bind(v) for v in values]


def _text_value(value: Any) -> Any:
    """Dicts and lists bound to a text column (metadata, features) become JSON text."""
    if isinstance(value, dict | list | tuple):
        return to_json(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _insert_values_postgres(conn: Connection, parts: list[tuple[Table, tuple[str, ...], list]]) -> None:
    """Rows as INSERT ... VALUES ($1, ...), (...): a single round trip for every part together
    (all but the last part become data-modifying WITH queries).

    A raw cursor takes PostgreSQL's own $n placeholders, so psycopg does not parse the query.
    """
    from psycopg import RawCursor  # only PostgreSQL needs the driver; SQLite replays never load it

    statements, params, used = [], [], 0
    for table, keys, columns in parts:
        count = len(columns[0])
        statements.append(_values_statement(table, keys, conn.dialect, count, used))
        params.extend(chain.from_iterable(zip(*columns, strict=True)))
        used += len(keys) * count
    *leading, last = statements
    statement = last
    if leading:
        statement = "WITH " + ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(leading)) + " " + last
    cursor = RawCursor(conn.connection.dbapi_connection)
    try:
        cursor.execute(statement, tuple(params))
    finally:
        cursor.close()


@lru_cache(maxsize=512)
def _values_statement(table: Table, keys: tuple[str, ...], dialect, count: int, used: int) -> str:
    """INSERT of `count` rows with placeholders from $`used + 1` on (a cycle repeats the same shapes)."""
    preparer, width = dialect.identifier_preparer, len(keys)
    groups = (
        "(" + ", ".join(f"${used + row * width + k + 1}" for k in range(width)) + ")" for row in range(count)
    )
    return (
        f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(k) for k in keys)}) "
        f"VALUES {', '.join(groups)}"
    )


def _copy_postgres(conn: Connection, table: Table, keys: tuple[str, ...], values: list[tuple]) -> None:
    """COPY is several times faster than executemany on PostgreSQL and stays in the transaction."""
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    columns = ", ".join(quote(k) for k in keys)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    finally:
        cursor.close()
