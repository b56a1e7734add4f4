"""Column types shared by every table.

Timestamps are UTC everywhere: ISO-8601 text with a `T` and a `Z` in SQLite
(sortable, one format), `TIMESTAMP WITH TIME ZONE` in PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import DateTime, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import TypeDecorator

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_utc(value: datetime) -> datetime:
    """A tz-aware UTC datetime; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@lru_cache(maxsize=4096)
def format_utc(value: datetime) -> str:
    """ISO_FORMAT text of `value` in UTC. Cached: a cycle stamps hundreds of rows with the
    same few instants (equal datetimes are the same instant, so they share one text)."""
    return to_utc(value).isoformat(timespec="microseconds")[:-6] + "Z"


def parse_utc(value: str | datetime) -> datetime:
    """Parse any of the timestamp spellings found in seed databases into UTC."""
    if isinstance(value, datetime):
        return to_utc(value)
    raw = value.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    return to_utc(datetime.fromisoformat(raw))


class UTCDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = parse_utc(value)
        if dialect.name == "sqlite":
            return format_utc(value)
        return to_utc(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return parse_utc(value)


class utc_now(FunctionElement):
    """`now()` as a server default, written in the same ISO format on SQLite."""

    type = DateTime(timezone=True)
    inherit_cache = True
    name = "utc_now"


@compiles(utc_now, "sqlite")
def _utc_now_sqlite(element, compiler, **kw):
    # microseconds, like format_utc, so server- and client-written times sort together
    return "(strftime('%Y-%m-%dT%H:%M:%S', 'now') || substr(strftime('%f', 'now'), 3) || '000Z')"


@compiles(utc_now)
def _utc_now_default(element, compiler, **kw):
    return "now()"
