"""The supervisor: starts the services as child processes in dependency order, waits
until each answers /health, restarts a crashed one with exponential backoff, and
stops them all cleanly (SIGTERM, then SIGKILL after a grace period).

Its state (its pid, each child's pid, port, restarts and log file) is a JSON file in
the run directory, which `services status | stop | restart` read.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event

from tradecycle.errors import TradecycleError

log = logging.getLogger(__name__)

STATE_FILE = "supervisor.json"
STABLE_SECONDS = 60.0  # a child alive this long has its backoff reset


@dataclass
class Child:
    name: str
    port: int
    log_path: Path
    proc: subprocess.Popen | None = None
    restarts: int = 0
    backoff: float = 1.0
    started_at: float = 0.0
    restart_at: float | None = None
    history: list[dict] = field(default_factory=list)


def http_healthy(host: str, port: int) -> bool:
    import httpx

    try:
        return httpx.get(f"http://{host}:{port}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


class Supervisor:
    def __init__(
        self,
        services: list[tuple[str, int]],
        command: Callable[[str, int], list[str]],
        run_dir: Path,
        host: str = "127.0.0.1",
        backoff_max: float = 30.0,
        health_timeout: float = 90.0,
        healthy: Callable[[str, int], bool] = http_healthy,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.children = [Child(name, port, run_dir / "logs" / f"{name}.log") for name, port in services]
        self.command = command
        self.run_dir = run_dir
        self.host = host
        self.backoff_max = backoff_max
        self.health_timeout = health_timeout
        self.healthy = healthy
        self.clock = clock
        self.sleep = sleep

    def run(self, stop: Event, poll: float = 0.5) -> None:
        """Start everything, keep it alive until `stop` is set, then stop everything."""
        try:
            self.start_all(stop)
            while not stop.is_set():
                self.step()
                stop.wait(poll)
        finally:
            self.stop_all()

    def start_all(self, stop: Event | None = None) -> None:
        self.run_dir.joinpath("logs").mkdir(parents=True, exist_ok=True)
        for child in self.children:
            if stop is not None and stop.is_set():
                return
            self._spawn(child)
            if not self._wait_healthy(child):
                raise TradecycleError(
                    f"service {child.name} did not become healthy on port {child.port} within "
                    f"{self.health_timeout:.0f} s; see {child.log_path}"
                )
        self.write_state()

    def step(self) -> None:
        """Notice exited children and restart them when their backoff has passed."""
        now = self.clock()
        changed = False
        for child in self.children:
            if child.proc is not None and child.proc.poll() is not None:
                code = child.proc.returncode
                child.history.append({"exit_code": code, "after_seconds": round(now - child.started_at, 1)})
                if now - child.started_at >= STABLE_SECONDS:
                    child.backoff = 1.0
                child.restart_at = now + child.backoff
                log.warning(
                    "service %s exited with %s; restarting in %.1f s", child.name, code, child.backoff
                )
                child.backoff = min(child.backoff * 2, self.backoff_max)
                child.proc = None
                changed = True
            if child.proc is None and child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                child.restart_at = None
                self._spawn(child)
                changed = True
        if changed:
            self.write_state()

    def stop_all(self, grace: float = 10.0) -> None:
        for child in reversed(self.children):
            if child.proc is not None and child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        deadline = self.clock() + grace
        for child in reversed(self.children):
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait()
        self.write_state(stopped=True)

    def _spawn(self, child: Child) -> None:
        child.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(child.log_path, "ab") as sink:
            child.proc = subprocess.Popen(
                self.command(child.name, child.port),
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child.started_at = self.clock()

    def _wait_healthy(self, child: Child) -> bool:
        deadline = self.clock() + self.health_timeout
        while self.clock() < deadline:
            if child.proc is not None and child.proc.poll() is not None:
                return False
            if self.healthy(self.host, child.port):
                return True
            self.sleep(0.2)
        return False

    def write_state(self, stopped: bool = False) -> None:
        state = {
            "pid": os.getpid(),
            "host": self.host,
            "stopped": stopped,
            "services": {
                child.name: {
                    "pid": child.proc.pid if child.proc is not None and child.proc.poll() is None else None,
                    "port": child.port,
                    "restarts": child.restarts,
                    "log": str(child.log_path),
                    "exits": child.history[-5:],
                }
                for child in self.children
            },
        }
        target = self.run_dir / STATE_FILE
        scratch = target.with_suffix(".tmp")
        scratch.write_text(json.dumps(state, indent=2))
        scratch.replace(target)


def read_state(run_dir: Path) -> dict | None:
    try:
        return json.loads((run_dir / STATE_FILE).read_text())
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise TradecycleError(f"{run_dir / STATE_FILE}: unreadable supervisor state: {exc}") from None


def process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    from .recording import pid_alive

    return pid_alive(None, int(pid))
