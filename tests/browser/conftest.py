"""A short real replay served by uvicorn in a thread, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from tradecycle.adapters.store.database import prepare_database
from tradecycle.config import SettingsModel

TOKEN = "browser-test-token"
SYMBOLS = (
    "AAPL",
    "MSFT",
    "JPM",
    "XOM",
    "GIS",
    "KO",
    "NVDA",
    "AMZN",
    "CAT",
    "HD",
    "UNH",
    "PFE",
    "MRK",
    "WMT",
    "DIS",
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def replayed(tmp_path_factory):
    """(settings, engine) for a database holding a 20-session replay of 15 symbols."""
    from tradecycle.coordinator.replay import replay

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'trading_system.db'}"
    settings = SettingsModel(database_url=url, api={"token": TOKEN, "dashboard_refresh_seconds": 1.0})
    engine = prepare_database(url)
    summary = replay(engine, settings, date(2016, 1, 4), date(2016, 2, 1), symbols=list(SYMBOLS))
    assert summary.cycles_failed == 0
    yield settings, engine
    engine.dispose()


@pytest.fixture(scope="session")
def server(replayed):
    """Base URL of the app served by uvicorn in a background thread."""
    import uvicorn

    from tradecycle.interfaces.api.app import create_app

    settings, engine = replayed
    port = _free_port()
    config = uvicorn.Config(create_app(settings, engine), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server, request):
    """A fresh page that may load only from the app; JavaScript errors fail the test; a screenshot is kept."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=server)
    pg = context.new_page()
    errors: list[str] = []
    external: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))

    def local_only(route) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    pg.route("**/*", local_only)
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not external, f"the page tried to load from the internet: {external}"
