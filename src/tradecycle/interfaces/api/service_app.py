"""One service of the split deployment as its own FastAPI app: its routers, health,
the phase endpoint, and (for web_dashboard) the dashboard."""

from __future__ import annotations

import importlib

from fastapi import FastAPI
from sqlalchemy import Engine

from tradecycle import __version__
from tradecycle.config import SettingsModel
from tradecycle.coordinator.catalog import service

from .app import _mount_dashboard
from .deps import ApiContext
from .errors import install_error_handlers


def create_service_app(
    name: str, settings: SettingsModel, engine: Engine, instance: str | None = None
) -> FastAPI:
    spec = service(name)
    app = FastAPI(title=f"tradecycle {name}", version=__version__)
    app.state.ctx = ApiContext(settings=settings, engine=engine, extras={"service_name": instance or name})
    install_error_handlers(app)
    if "coordination" not in spec.routers:
        from .routers.coordination import health

        app.get("/health", tags=["coordination"])(health)
    for module in dict.fromkeys((*spec.routers, "phases")):
        router = importlib.import_module(f"{__package__}.routers.{module}").router
        app.include_router(router)
    if spec.dashboard:
        _mount_dashboard(app)
    return app
