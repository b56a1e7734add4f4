"""The app factory: error shape, paging limits, router discovery, dashboard shell."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Query
from fastapi.testclient import TestClient
from sqlalchemy import select

from tradecycle.adapters.store.engine import make_engine
from tradecycle.adapters.store.schema import metadata
from tradecycle.config import SettingsModel
from tradecycle.errors import NotFoundError
from tradecycle.interfaces.api.app import create_app, discover_routers
from tradecycle.interfaces.api.deps import Authorized, Ctx
from tradecycle.interfaces.api.pagination import Paging, paginate


@pytest.fixture
def app(sqlite_url):
    settings = SettingsModel(database_url=sqlite_url, api={"token": "s3cret", "max_page_size": 5})
    engine = make_engine(sqlite_url)
    metadata.create_all(engine)
    app = create_app(settings, engine)

    @app.get("/_probe/missing")
    def missing() -> dict:
        raise NotFoundError("cycle cycle_20240102_210000 not found")

    @app.get("/_probe/boom")
    def boom() -> dict:
        raise RuntimeError("secret internals")

    @app.get("/_probe/number")
    def number(n: Annotated[int, Query()]) -> dict:
        return {"n": n}

    @app.post("/_probe/mutate", dependencies=[Authorized])
    def mutate() -> dict:
        return {"ok": True}

    @app.get("/_probe/cycles")
    def cycles(ctx: Ctx, page: Paging):
        table = metadata.tables["trading_cycles"]
        with ctx.engine.connect() as conn:
            return paginate(conn, select(table.c.cycle_id).order_by(table.c.id), page)

    yield app
    engine.dispose()


@pytest.fixture
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def test_tradecycle_error_maps_to_its_status(client):
    response = client.get("/_probe/missing")
    assert response.status_code == 404
    assert response.json() == {"error": "cycle cycle_20240102_210000 not found"}


def test_unexpected_error_is_generic_json(client):
    response = client.get("/_probe/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "internal server error"}
    assert "secret" not in response.text


def test_validation_error_names_the_field(client):
    response = client.get("/_probe/number", params={"n": "abc"})
    assert response.status_code == 422
    assert "query.n" in response.json()["error"]


def test_unknown_path_is_json_404(client):
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


def test_mutation_needs_the_token(client):
    assert client.post("/_probe/mutate").status_code == 401
    assert client.post("/_probe/mutate", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.post("/_probe/mutate", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200


def test_paging_limits_come_from_settings(client, app):
    table = metadata.tables["trading_cycles"]
    with app.state.ctx.engine.begin() as conn:
        conn.execute(
            table.insert(), [{"cycle_id": f"cycle_{i:03d}", "status": "completed"} for i in range(7)]
        )
    first = client.get("/_probe/cycles", params={"limit": 3, "offset": 2}).json()
    assert first["total"] == 7
    assert [r["cycle_id"] for r in first["items"]] == ["cycle_002", "cycle_003", "cycle_004"]
    default = client.get("/_probe/cycles").json()
    assert default["limit"] == 5 and len(default["items"]) == 5
    too_big = client.get("/_probe/cycles", params={"limit": 6})
    assert too_big.status_code == 422
    assert "limit" in too_big.json()["error"]


def test_dashboard_and_docs_are_served(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "tradecycle" in page.text
    assert client.get("/openapi.json").json()["info"]["title"] == "tradecycle"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    for asset in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/core.js", "/static/app.css"):
        assert client.get(asset).status_code == 200, asset


def test_no_page_loads_anything_from_the_internet(client):
    import re

    for path in ("/", "/docs"):
        html = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: ?'([^']+)'", html)
        loaded = [u for u in sources if u.startswith(("http://", "https://", "//")) and "<a" not in u]
        external_links = set(re.findall(r'<a [^>]*href="(https?://[^"]+)"', html))
        assert set(loaded) <= external_links, f"{path} loads {set(loaded) - external_links}"


def test_every_router_module_is_included(app):
    paths = set(app.openapi()["paths"])
    routers = discover_routers()
    assert routers, "no router module was discovered"
    for router in routers:
        assert {route.path for route in router.routes if route.include_in_schema} <= paths


def test_fast_json_is_valid_json_for_awkward_values():
    import json
    from datetime import UTC, date, datetime
    from decimal import Decimal

    import numpy as np

    from tradecycle.interfaces.api.encoding import FastJSONResponse

    body = FastJSONResponse(
        {
            "nan": float("nan"),
            "at": datetime(2024, 1, 2, 21, tzinfo=UTC),
            "day": date(2024, 1, 2),
            "cents": Decimal("12.5"),
            "np": np.float64(1.25),
        }
    ).body
    assert json.loads(body) == {
        "nan": None,
        "at": "2024-01-02T21:00:00Z",
        "day": "2024-01-02",
        "cents": 12.5,
        "np": 1.25,
    }


# POST endpoints kept from the seed's services that compute without writing anything.
READ_ONLY_POSTS = {"/generate_signals"}


def test_every_mutating_endpoint_requires_the_token(app):
    from fastapi.routing import APIRoute

    from tradecycle.interfaces.api.deps import require_token

    def needs_token(dependant) -> bool:
        return any(d.call is require_token or needs_token(d) for d in dependant.dependencies)

    routes = [r for router in discover_routers() for r in router.routes] + list(app.routes)
    mutating = [
        route
        for route in routes
        if isinstance(route, APIRoute) and route.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert any(r.path == "/_probe/mutate" for r in mutating) and len(mutating) > 1
    unguarded = [
        f"{sorted(r.methods)} {r.path}"
        for r in mutating
        if not needs_token(r.dependant) and r.path not in READ_ONLY_POSTS
    ]
    assert not unguarded, f"mutating endpoints without the bearer token: {unguarded}"
