"""Request timestamps that can be stored: converted to UTC at the door, or a 422 naming the field.

A time near year 1 or 9999 with an offset has no UTC equivalent inside Python's datetime
range; without this check it got as far as the database layer and became a 500.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from tradecycle.adapters.store.types import to_utc


def _in_utc(value: datetime) -> datetime:
    try:
        return to_utc(value)
    except OverflowError:
        raise ValueError("has no UTC equivalent between years 1 and 9999") from None


UtcTime = Annotated[datetime, AfterValidator(_in_utc)]
AwareUtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
