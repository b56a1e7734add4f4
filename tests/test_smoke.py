from sqlalchemy import inspect

from tradecycle.adapters.store.schema import metadata


def test_schema_creates_on_both_engines(engine):
    metadata.create_all(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
