"""Recorded HTTP for the online adapters: nothing here ever touches the network.

`alpaca_http` replaces requests.Session.request (the HTTP layer alpaca-py uses) with
a router over recorded payloads; `yahoo_http` replaces yfinance's YfData.get the same
way. Both refuse any request they have no recording for, and keep the calls made.
`no_wait` (automatic) makes retries and rate limits instant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


def recorded_bytes(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


@dataclass
class Call:
    method: str
    url: str
    params: dict[str, Any]
    body: Any


Answer = tuple[int, Any] | Callable[[Call], tuple[int, Any]] | BaseException


@dataclass
class Router:
    """Routes (method, url fragment) -> answers, consumed in order; the last one repeats."""

    routes: list[tuple[str, str, list[Answer]]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def add(self, method: str, fragment: str, *answers: Answer) -> Router:
        self.routes.append((method.upper(), fragment, list(answers)))
        return self

    def answer(self, call: Call) -> tuple[int, Any]:
        self.calls.append(call)
        for method, fragment, answers in self.routes:
            if method == call.method and fragment in call.url:
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if isinstance(answer, BaseException):
                    raise answer
                return answer(call) if callable(answer) else answer
        raise AssertionError(f"no recording for {call.method} {call.url} {call.params}")

    def calls_to(self, fragment: str) -> list[Call]:
        return [c for c in self.calls if fragment in c.url]


def _requests_response(url: str, status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.url = url
    response.reason = {200: "OK", 204: "No Content", 403: "Forbidden", 404: "Not Found"}.get(status, "Error")
    response._content = b"" if body is None else json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


def _as_sent(value: Any) -> Any:
    """What requests puts in the query string: numbers stay numbers here, objects become str()."""
    return value if isinstance(value, int | float | str) else str(value)


@pytest.fixture
def alpaca_http(monkeypatch) -> Router:
    router = Router()

    def request(self, method, url, **opts):
        params = {k: _as_sent(v) for k, v in (opts.get("params") or {}).items() if v is not None}
        call = Call(method.upper(), url, params, opts.get("json"))
        status, body = router.answer(call)
        return _requests_response(url, status, body)

    monkeypatch.setattr(requests.Session, "request", request)
    return router


class _YahooResponse:
    def __init__(self, url: str, status: int, body: Any) -> None:
        self.url, self.status_code, self._body = url, status, body
        self.text = json.dumps(body)

    def json(self) -> Any:
        return self._body


@pytest.fixture
def yahoo_http(monkeypatch) -> Router:
    from yfinance.data import YfData

    router = Router()

    def get(self, url, params=None, timeout=30):
        status, body = router.answer(Call("GET", url, dict(params or {}), None))
        return _YahooResponse(url, status, body)

    monkeypatch.setattr(YfData, "get", get)
    return router


@pytest.fixture(autouse=True)
def no_wait(monkeypatch) -> list[float]:
    """Retries and rate limits record their waits instead of sleeping (every test here)."""
    from tradecycle.adapters.marketdata.providers import ratelimit

    waits: list[float] = []
    monkeypatch.setattr(ratelimit, "pause", waits.append)
    monkeypatch.setattr(ratelimit, "_SHARED", {})  # each test starts with full buckets
    return waits


@pytest.fixture
def alpaca_keys_env(monkeypatch) -> None:
    monkeypatch.setenv("TRADECYCLE_BROKER__ALPACA_API_KEY", "PKTESTKEY0000000000")
    monkeypatch.setenv("TRADECYCLE_BROKER__ALPACA_SECRET_KEY", "test-secret-never-printed")


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """A clean working directory, no config file or Alpaca keys from the host, the cache in tmp."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "TRADECYCLE_CONFIG",
        "TRADECYCLE_BROKER__ALPACA_API_KEY",
        "TRADECYCLE_BROKER__ALPACA_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRADECYCLE_DATA__CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path
