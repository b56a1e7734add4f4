"""What crosses the wire when a phase runs in another process: the cycle's typed
state, as JSON, and back.

A CycleContext's lists hold frozen dataclasses (Candidate, PatternHit, Signal, and
the execution phase's own types). Each list travels as the dotted name of its item
type plus the items in JSON form; the receiver rebuilds the same types through
pydantic, so a remote phase sees exactly the values a local one would. Plain dicts
(fill records) travel as JSON objects.
"""

from __future__ import annotations

import dataclasses
import importlib
from functools import lru_cache
from typing import Any

import numpy as np
from pydantic import TypeAdapter
from pydantic_core import to_jsonable_python

from tradecycle.services.context import CycleContext

STATE_FIELDS = (
    "candidates",
    "sentiment",
    "patterns",
    "indicators",
    "predictions",
    "signals",
    "approved",
    "orders",
    "fills",
)
TRUSTED_PREFIX = "tradecycle."


def encode_state(ctx: CycleContext, fields: tuple[str, ...] = STATE_FIELDS) -> dict[str, Any]:
    return {name: encode_list(getattr(ctx, name)) for name in fields}


def apply_state(ctx: CycleContext, state: dict[str, Any]) -> None:
    """Replace the context's lists with the decoded ones from `state` (unknown keys are refused)."""
    for name, payload in state.items():
        if name not in STATE_FIELDS:
            raise ValueError(f"unknown cycle state field {name!r}")
        setattr(ctx, name, decode_list(payload))


def encode_list(items: list[Any]) -> dict[str, Any]:
    if not items:
        return {"type": None, "items": []}
    kind = type(items[0])
    if kind is dict:
        return {"type": "dict", "items": to_jsonable_python(items, fallback=_plain)}
    if not dataclasses.is_dataclass(kind):
        raise TypeError(f"cycle state items must be dataclasses, got {kind.__name__}")
    adapter = _adapter(f"{kind.__module__}:{kind.__qualname__}")
    return {
        "type": f"{kind.__module__}:{kind.__qualname__}",
        "items": adapter.dump_python(items, mode="json", fallback=_plain, warnings=False),
    }


def decode_list(payload: dict[str, Any]) -> list[Any]:
    if not payload.get("items"):
        return []
    if payload["type"] == "dict":
        return [dict(item) for item in payload["items"]]
    return list(_adapter(payload["type"]).validate_python(payload["items"]))


@lru_cache(maxsize=64)
def _adapter(dotted: str) -> TypeAdapter:
    module_name, _, qualname = dotted.partition(":")
    if not module_name.startswith(TRUSTED_PREFIX):
        raise ValueError(f"refusing to decode type {dotted!r}: not a tradecycle type")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return TypeAdapter(list[target])


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as plain Python values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot send {type(value).__name__} between services")
