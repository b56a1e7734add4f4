"""`tradecycle serve` registers every in-process service, heartbeats, and deregisters on SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import httpx

from tradecycle.adapters.store.engine import make_engine
from tradecycle.coordinator import registry
from tradecycle.coordinator.catalog import SERVICE_NAMES

CLI = [sys.executable, "-c", "from tradecycle.interfaces.cli.main import run; run()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_registers_the_catalog_and_deregisters_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    port = free_port()
    env_args = ["--database", url, "--port", str(port)]
    proc = subprocess.Popen(
        [*CLI, "serve", *env_args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError("serve never answered /health")
        engine = make_engine(url)
        with engine.connect() as conn:
            running = {svc.service_name: (svc.status, svc.port) for svc in registry.services(conn)}
        assert running == dict.fromkeys(SERVICE_NAMES, ("running", port))
        status = httpx.get(f"http://127.0.0.1:{port}/service_status", timeout=5).json()
        assert {svc["service_name"] for svc in status["services"]} == set(SERVICE_NAMES)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    with engine.connect() as conn:
        stopped = {svc.service_name: svc.status for svc in registry.services(conn)}
    engine.dispose()
    assert stopped == dict.fromkeys(SERVICE_NAMES, "stopped")
