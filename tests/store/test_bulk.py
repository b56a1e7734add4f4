"""insert_rows writes exactly what SQLAlchemy's own insert would, on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tradecycle.adapters.store.bulk import (
    ROWS_PER_STATEMENT,
    VALUES_MAX_PARAMETERS,
    insert_rows,
    insert_together,
)
from tradecycle.adapters.store.database import prepare_database
from tradecycle.adapters.store.schema import metadata
from tradecycle.core.types import SignalLabel
from tradecycle.errors import DataError

T = metadata.tables["technical_indicators"]


@pytest.fixture
def ready(db_url):
    engine = prepare_database(db_url)
    yield engine
    engine.dispose()


def _rows(n: int) -> list[dict]:
    base = datetime(2018, 3, 1, 21, tzinfo=UTC)
    return [
        {
            "symbol": f"S{i % 7}",
            "indicator_name": "rsi_14",
            "indicator_value": float(i),
            "signal": (SignalLabel.BUY, "SELL", None)[i % 3],
            "calculation_timestamp": base + timedelta(days=i % 4),
            "metadata": {"window": 14, "i": i} if i % 2 else None,
            "cycle_id": f"cycle_{i % 4}",
            "created_at": base,
        }
        for i in range(n)
    ]


def _read(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(T).order_by(T.c.indicator_value)).all()]


@pytest.mark.parametrize(
    "count",
    [
        1,
        VALUES_MAX_PARAMETERS // len(_rows(1)[0]),  # PostgreSQL: the largest INSERT ... VALUES
        VALUES_MAX_PARAMETERS // len(_rows(1)[0]) + 1,  # PostgreSQL: COPY
        2 * ROWS_PER_STATEMENT + 50,  # SQLite: two full multi-row statements and a remainder
    ],
)
def test_bulk_path_matches_sqlalchemy_insert(ready, count):
    rows = _rows(count)
    with ready.begin() as conn:
        assert insert_rows(conn, T, rows) == count
    bulk = _read(ready)
    with ready.begin() as conn:
        conn.execute(T.delete())
        conn.execute(
            T.insert(),
            [
                {
                    **r,
                    "signal": r["signal"].value if isinstance(r["signal"], SignalLabel) else r["signal"],
                    "metadata": json.dumps(r["metadata"], sort_keys=True, separators=(",", ":"))
                    if r["metadata"]
                    else None,
                }
                for r in rows
            ],
        )
    plain = _read(ready)
    strip = [row[1:] for row in bulk], [row[1:] for row in plain]  # ids differ on PostgreSQL (sequence)
    assert strip[0] == strip[1]
    assert bulk[0][4] == "BUY" and (count == 1 or bulk[1][4] == "SELL")
    assert bulk[0][6] == datetime(2018, 3, 1, 21, tzinfo=UTC)


def test_mixed_key_sets_and_timezones(ready):
    eastern = timezone(timedelta(hours=-5))
    rows = [
        {
            "symbol": "A",
            "indicator_name": "x",
            "calculation_timestamp": datetime(2018, 3, 1, 16, tzinfo=eastern),
        },
        {
            "symbol": "B",
            "indicator_name": "x",
            "calculation_timestamp": "2018-03-01T21:00:00Z",
            "timeframe": "1d",
        },
        {"symbol": "C", "indicator_name": "x", "calculation_timestamp": datetime(2018, 3, 1, 21)},
    ]
    with ready.begin() as conn:
        assert insert_rows(conn, T, rows) == 3
        stamps = conn.execute(select(T.c.calculation_timestamp)).scalars().all()
    assert stamps == [datetime(2018, 3, 1, 21, tzinfo=UTC)] * 3


def test_unknown_column_is_a_data_error_and_nothing_is_written(ready):
    with pytest.raises(DataError, match="technical_indicators has no column 'colour'"), ready.begin() as conn:
        insert_rows(
            conn,
            T,
            [{"symbol": "A", "indicator_name": "x", "calculation_timestamp": "2018-01-01", "colour": 1}],
        )
    assert _read(ready) == []


@pytest.mark.parametrize("good_rows", [2, 150])
def test_constraint_violations_are_sqlalchemy_integrity_errors(ready, good_rows):
    from sqlalchemy.exc import IntegrityError

    bad = [{"symbol": "A", "indicator_name": "x", "calculation_timestamp": "2018-01-01", "signal": "MAYBE"}]
    with pytest.raises(IntegrityError), ready.begin() as conn:
        insert_rows(conn, T, _rows(good_rows) + bad)
    assert _read(ready) == []


def test_rows_written_by_insert_rows_roll_back_with_the_transaction(ready):
    with ready.connect() as conn:
        with conn.begin() as transaction:
            insert_rows(conn, T, _rows(250))
            transaction.rollback()
        assert conn.execute(select(T.c.id)).all() == []


P = metadata.tables["pattern_analysis"]


def _patterns(n: int) -> list[dict]:
    return [
        {
            "symbol": f"S{i}",
            "pattern_type": "chart",
            "pattern_name": "double_top",
            "confidence": i / 10,
            "detection_timestamp": datetime(2018, 3, 1, 21, tzinfo=UTC),
        }
        for i in range(n)
    ]


def _round_trips(conn) -> list[int]:
    """Counts the PostgreSQL connection's waits for the server (one per round trip)."""
    driver = conn.connection.dbapi_connection
    counted = [0]
    wait = driver.wait

    def counting(*args, **kwargs):
        counted[0] += 1
        return wait(*args, **kwargs)

    driver.wait = counting
    return counted


@pytest.mark.parametrize("indicators", [3, VALUES_MAX_PARAMETERS])  # one statement; too many: one each
def test_insert_together_writes_what_insert_rows_writes(ready, indicators):
    rows = _rows(indicators // len(_rows(1)[0]) + 1)
    with ready.begin() as conn:
        counted = _round_trips(conn) if ready.dialect.name == "postgresql" else None
        assert insert_together(conn, [(T, rows), (P, _patterns(4)), (P, [])]) == len(rows) + 4
        if counted is not None and len(rows) < 100:
            assert counted[0] == 1  # both tables in one statement
    together = [row[1:] for row in _read(ready)], _read_patterns(ready)  # ids: PostgreSQL's sequence moves on
    with ready.begin() as conn:
        conn.execute(T.delete())
        conn.execute(P.delete())
        insert_rows(conn, T, rows)
        insert_rows(conn, P, _patterns(4))
    assert ([row[1:] for row in _read(ready)], _read_patterns(ready)) == together
    assert len(together[0]) == len(rows) and len(together[1]) == 4


def test_insert_together_fails_whole_and_names_the_column(ready):
    bad = [{"symbol": "A", "pattern_type": "chart", "pattern_name": "x", "colour": 1}]
    with pytest.raises(DataError, match="pattern_analysis has no column 'colour'"), ready.begin() as conn:
        insert_together(conn, [(T, _rows(3)), (P, bad)])
    assert _read(ready) == [] and _read_patterns(ready) == []


def _read_patterns(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(select(P.c.symbol, P.c.pattern_name, P.c.confidence).order_by(P.c.symbol))
        ]
