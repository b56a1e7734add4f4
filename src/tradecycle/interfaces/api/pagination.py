"""limit/offset paging shared by every list endpoint.

The maximum page size comes from settings (api.max_page_size), so it is checked
at request time; an over-large limit is a 422 naming `limit`, not a silent clamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Connection, Select, func, select

from tradecycle.errors import DataError


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


def page_params(
    request: Request,
    limit: Annotated[
        int | None, Query(ge=1, description="rows per page (default api.default_page_size)")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=2**62, description="rows to skip")] = 0,
) -> PageParams:
    api = request.app.state.ctx.settings.api
    if limit is None:
        limit = min(api.default_page_size, api.max_page_size)
    if limit > api.max_page_size:
        raise DataError(f"query.limit: must be at most {api.max_page_size} (api.max_page_size), got {limit}")
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel):
    """A page of rows and where it sits in the whole result."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def where_equal(query: Select, *conditions: tuple[ColumnElement, Any]) -> Select:
    """`query` narrowed to rows whose column equals each given value; a None or empty value
    (an optional query parameter left out) filters nothing."""
    for column, value in conditions:
        if value:
            query = query.where(column == value)
    return query


def paginate(conn: Connection, query: Select, page: PageParams) -> Page:
    """Run `query` (already filtered and ordered) for one page, plus its total count."""
    total = conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = conn.execute(query.limit(page.limit).offset(page.offset)).mappings().all()
    return Page(items=[dict(r) for r in rows], total=total, limit=page.limit, offset=page.offset)
