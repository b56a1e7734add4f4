"""UTC timestamps as SQLite text: one sortable spelling that reads back as the same instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from tradecycle.adapters.store.types import ISO_FORMAT, format_utc, parse_utc

instants = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
) | st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1))


@given(instants, st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_text_is_the_utc_instant_in_one_format_whatever_the_zone(value, offset_minutes):
    zone = timezone(timedelta(minutes=offset_minutes))
    shown = value.astimezone(zone) if value.tzinfo else value
    text = format_utc(shown)
    utc = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    assert text == utc.strftime(ISO_FORMAT)
    assert parse_utc(text) == utc


@given(st.lists(instants, min_size=2, max_size=20))
def test_text_sorts_as_the_instants_do(values):
    as_utc = [v if v.tzinfo else v.replace(tzinfo=UTC) for v in values]
    assert sorted(as_utc) == [parse_utc(t) for t in sorted(format_utc(v) for v in values)]
