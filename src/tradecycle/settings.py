"""Load settings: defaults < tradecycle.toml < TRADECYCLE_* environment variables < flags."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tradecycle.config import SettingsModel
from tradecycle.errors import ConfigError

ENV_PREFIX = "TRADECYCLE_"
CONFIG_ENV = "TRADECYCLE_CONFIG"
DEFAULT_CONFIG_FILE = "tradecycle.toml"


def load_settings(
    config_path: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> SettingsModel:
    environ = dict(os.environ if environ is None else environ)
    path = _config_path(config_path, environ)
    merged: dict[str, Any] = {}
    if path is not None:
        merged = _read_toml(path)
    _deep_merge(merged, _from_env(environ))
    _deep_merge(merged, {k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return SettingsModel.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        where = f"{path}: " if path else ""
        raise ConfigError(f"{where}setting '{key}': {first['msg']}") from None


def _config_path(config_path: str | Path | None, environ: dict[str, str]) -> Path | None:
    if config_path is not None:
        path = Path(config_path)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    if environ.get(CONFIG_ENV):
        path = Path(environ[CONFIG_ENV])
        if not path.is_file():
            raise ConfigError(f"config file not found: {path} (from {CONFIG_ENV})")
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _env_value(value)
    return out


def _env_value(value: str) -> Any:
    if value.startswith(("[", "{")):
        import json

        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value
