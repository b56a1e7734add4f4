"""One error shape for every endpoint: `{"error": message}` with a meaningful status.

Clients (the dashboard, scripts) never see a stack trace: TradecycleError maps to
its own http_status, validation failures to 422 naming the offending field, and
anything unexpected to a generic 500 (the traceback goes to the server log).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradecycle.errors import TradecycleError

log = logging.getLogger(__name__)


def error_response(status_code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code, headers=headers)


def describe_validation(exc: RequestValidationError) -> str:
    """'query.limit: Input should be a valid integer; ...' - the field first, then why."""
    parts = []
    for err in exc.errors():
        location = ".".join(str(p) for p in err.get("loc", ()) if p != "body" or len(err.get("loc", ())) == 1)
        parts.append(f"{location}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


async def _tradecycle_error(_request: Request, exc: TradecycleError) -> JSONResponse:
    return error_response(exc.http_status, str(exc))


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return error_response(exc.status_code, str(exc.detail), getattr(exc, "headers", None))


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return error_response(422, describe_validation(exc))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TradecycleError, _tradecycle_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)


ERROR_SCHEMA = {
    "description": "Error",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": {"type": "string"}},
                "required": ["error"],
            }
        }
    },
}
"""OpenAPI response description for every error status (used by the app factory)."""
