"""The same replay on SQLite and on PostgreSQL makes the same decisions, to the cent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tradecycle.adapters.store.database import prepare_database
from tradecycle.coordinator import replay as replay_module
from tradecycle.coordinator.replay import replay
from tradecycle.settings import load_settings

from ..coordinator.helpers import decision_state
from .test_cycle_commands import SYMBOLS


def test_sqlite_and_postgresql_replays_are_identical(sqlite_url, postgres_url, monkeypatch):
    monkeypatch.setattr(replay_module, "STATISTICS_EVERY_CYCLES", 5)  # PostgreSQL re-plans mid-replay
    states = []
    for url in (sqlite_url, postgres_url):
        settings = load_settings(None, {"database_url": url, "data": {"provider": "bundled"}})
        engine = prepare_database(url)
        summary = replay(engine, settings, date(2014, 2, 3), date(2014, 3, 31), SYMBOLS.split(","))
        assert summary.ok, summary.first_failure
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                analysed = conn.execute(
                    text(
                        "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relid = 'orders'::regclass"
                    )
                ).scalar_one()
            assert analysed
        engine.dispose()
        states.append(decision_state(url))
    sqlite_state, postgres_state = states
    empty = [name for name, rows in sqlite_state.items() if not rows]
    assert not empty, f"the window should exercise every compared table: {empty} are empty"
    for name in sqlite_state:
        assert sqlite_state[name] == postgres_state[name], name
