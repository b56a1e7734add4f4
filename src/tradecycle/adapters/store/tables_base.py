"""What every table shares: the MetaData with its naming convention, and column helpers."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData

from .types import UTCDateTime, utc_now

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def one_of(column: str, enum) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum)
    return f"{column} IN ({values})"


def unit_or_null(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 0 AND {column} <= 1)"


def positive_or_null(column: str) -> str:
    return f"{column} IS NULL OR {column} > 0"


def created_at() -> Column:
    return Column("created_at", UTCDateTime, server_default=utc_now())


def id_pk() -> Column:
    return Column("id", Integer, primary_key=True, autoincrement=True)
