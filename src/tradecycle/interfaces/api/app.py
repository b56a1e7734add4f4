"""The FastAPI application: routers discovered from `routers/`, the dashboard at `/`.

Discovery keeps routers independent: a new endpoint group is a new module in
`interfaces/api/routers` exposing `router`, and nothing shared has to be edited.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from tradecycle import __version__
from tradecycle.config import SettingsModel

from .deps import ApiContext
from .errors import ERROR_SCHEMA, install_error_handlers

DASHBOARD_DIR = Path(__file__).resolve().parents[1] / "dashboard"


def discover_routers() -> list:
    """Every module of `routers/` that defines `router`, in module-name order."""
    from . import routers as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            found.append(router)
    return found


def create_app(settings: SettingsModel, engine: Engine | None = None) -> FastAPI:
    """Build the app over `engine` (default: an engine for settings.database_url)."""
    if engine is None:
        from tradecycle.adapters.store.engine import make_engine

        engine = make_engine(settings.database_url)
    app = FastAPI(
        title="tradecycle",
        version=__version__,
        description="Paper-trading cycles of US equities: reports, cycle coordination and the dashboard data.",
        responses={code: ERROR_SCHEMA for code in (400, 401, 404, 409, 422, 500, 503)},
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ApiContext(settings=settings, engine=engine)
    install_error_handlers(app)
    for router in discover_routers():
        app.include_router(router)
    _mount_dashboard(app)
    return app


def _mount_dashboard(app: FastAPI) -> None:
    """The dashboard at `/` and Swagger UI at `/docs`, both from vendored files (no CDN)."""
    static = DASHBOARD_DIR / "static"
    index = DASHBOARD_DIR / "templates" / "index.html"
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="tradecycle API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(index, media_type="text/html")
