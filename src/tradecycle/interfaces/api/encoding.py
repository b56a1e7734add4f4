"""Fast JSON for the large dashboard payloads (orjson instead of FastAPI's jsonable_encoder).

A cycle's detail or a symbol's bars are thousands of values; jsonable_encoder walks
them in Python and costs more than the queries. orjson writes dataclasses, dates
(UTC as `Z`, like the pydantic-serialised endpoints) and numpy values directly and
turns NaN into null, so the output is always valid JSON.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from fastapi.responses import Response

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS | orjson.OPT_NAIVE_UTC


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return None
    raise TypeError(f"cannot serialise {type(value).__name__}")


class FastJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default, option=OPTIONS)
