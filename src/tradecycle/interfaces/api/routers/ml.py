"""ML endpoints: the stored walk-forward models and the predictions the cycles made."""

from __future__ import annotations

import contextlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy import select

from tradecycle.adapters.store.schema import ml_models, ml_predictions

from ..deps import Ctx
from ..pagination import Paging, paginate
from .news import SYMBOL_PATTERN

router = APIRouter(prefix="/ml", tags=["ml"])


def _decoded(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if isinstance(item.get(key), str):
            with contextlib.suppress(ValueError):  # a legacy row's plain text stays text
                item[key] = json.loads(item[key])
    return item


@router.get("/models")
def models(ctx: Ctx, page: Paging) -> dict[str, Any]:
    """Stored models (without their bytes), newest first: name, version, window, features, metrics, checksum."""
    columns = [c for c in ml_models.c if c.key != "model_data"]
    query = select(*columns).order_by(ml_models.c.created_at.desc(), ml_models.c.id.desc())
    with ctx.engine.connect() as conn:
        result = paginate(conn, query, page)
    result.items = [_decoded(item, "features", "metrics", "metadata") for item in result.items]
    return result.model_dump()


@router.get("/predictions/{symbol}")
def predictions(
    symbol: Annotated[str, Path(pattern=SYMBOL_PATTERN, description="ticker, e.g. AAPL")],
    ctx: Ctx,
    page: Paging,
) -> dict[str, Any]:
    """A symbol's recorded predictions, newest first (prediction_value = P(up over the horizon))."""
    t = ml_predictions.c
    query = (
        select(ml_predictions)
        .where(t.symbol == symbol.upper())
        .order_by(t.prediction_timestamp.desc(), t.id.desc())
    )
    with ctx.engine.connect() as conn:
        result = paginate(conn, query, page)
    result.items = [_decoded(item, "features_used", "metadata") for item in result.items]
    return {"symbol": symbol.upper(), **result.model_dump()}
