"""Errors a user can act on. The CLI prints their message on one line and exits
with their exit code; the API turns them into JSON with the matching status."""

from __future__ import annotations


class TradecycleError(Exception):
    exit_code = 1
    http_status = 400


class ConfigError(TradecycleError):
    exit_code = 2
    http_status = 422


class DatabaseError(TradecycleError):
    exit_code = 3
    http_status = 503


class DataError(TradecycleError):
    exit_code = 4
    http_status = 422


class NotFoundError(TradecycleError):
    exit_code = 5
    http_status = 404


class ReconcileError(TradecycleError):
    exit_code = 6
    http_status = 409
