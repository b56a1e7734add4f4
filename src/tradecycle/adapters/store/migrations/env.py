"""Alembic environment, driven programmatically by tradecycle.adapters.store.database.

The caller passes an open connection in `config.attributes["connection"]`; users never
need an alembic.ini. SQLite runs in batch mode so ALTERs become table rebuilds.
"""

from __future__ import annotations

from alembic import context

from tradecycle.adapters.store.schema import metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        user_module_prefix="tradecycle_types.",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "tradecycle migrations run through tradecycle.adapters.store.database, not the alembic CLI"
    )
_run(connection)
