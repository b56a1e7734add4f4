"""Load settings: defaults < tradecycle.toml < TRADECYCLE_* environment variables < flags.

A bad setting is a ConfigError (exit 2) that says where it came from: the file, the
key and its line, or the environment variable, or the command-line flag.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tradecycle.config import SettingsModel
from tradecycle.errors import ConfigError

ENV_PREFIX = "TRADECYCLE_"
CONFIG_ENV = "TRADECYCLE_CONFIG"
DEFAULT_CONFIG_FILE = "tradecycle.toml"
NESTED_SEPARATOR = "__"


def load_settings(
    config_path: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> SettingsModel:
    environ = dict(os.environ if environ is None else environ)
    path = _config_path(config_path, environ)
    from_file: dict[str, Any] = {}
    text = ""
    if path is not None:
        text, from_file = _read_toml(path)
    env_values, env_names = _from_env(environ)
    flag_values = {k: v for k, v in (overrides or {}).items() if v is not None}
    merged: dict[str, Any] = {}
    for layer in (from_file, env_values, flag_values):
        _deep_merge(merged, layer)
    try:
        return SettingsModel.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        keys = tuple(str(p) for p in first["loc"] if not isinstance(p, int))
        dotted = ".".join(keys) or "settings"
        problem = "unknown setting" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(
            f"{_origin(keys, path, text, env_names, flag_values)}: setting '{dotted}': {problem}"
        ) from None


def _origin(
    keys: tuple[str, ...],
    path: Path | None,
    text: str,
    env_names: dict[tuple[str, ...], str],
    flags: dict[str, Any],
) -> str:
    """Where the offending value came from, most specific layer first."""
    if keys and keys[0] in flags:
        return f"command-line option for '{keys[0]}'"
    for length in range(len(keys), 0, -1):
        if keys[:length] in env_names:
            return f"environment variable {env_names[keys[:length]]}"
    if path is not None:
        line = key_line(text, keys)
        return f"{path}, line {line}" if line else str(path)
    return "defaults"


def key_line(text: str, keys: tuple[str, ...]) -> int | None:
    """1-based line of the TOML key `keys` (or of its nearest enclosing table), None if absent."""
    table: tuple[str, ...] = ()
    best: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        header = re.fullmatch(r"\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            table = _split_key(header.group(1))
            if table == keys:
                return number
            if best is None and table and keys[: len(table)] == table:
                best = number
            continue
        if "=" not in line:
            continue
        full = table + _split_key(line.split("=", 1)[0])
        if full == keys[: len(full)]:
            return number
    return best


def _split_key(raw: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in raw.split("."))


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


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"at line (\d+)", message)
        if not found:
            raise ConfigError(f"{path}: malformed TOML: {message}") from None
        number = int(found.group(1))
        lines = text.splitlines()
        content = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        key = content.split("=", 1)[0].strip() if "=" in content else content
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ConfigError(f"{path}, line {number}: malformed TOML at key '{key}': {reason}") from None


def _from_env(environ: dict[str, str]) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    """TRADECYCLE_SECTION__KEY=value -> {"section": {"key": value}}.

    Variables whose first part is not a setting (TRADECYCLE_TEST_POSTGRES_URL and the
    like, used by tests and CI) are not ours to judge and are ignored; an unknown key
    inside a known section is an error naming the variable.
    """
    out: dict[str, Any] = {}
    names: dict[tuple[str, ...], str] = {}
    fields = set(SettingsModel.model_fields)
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        parts = tuple(name[len(ENV_PREFIX) :].lower().split(NESTED_SEPARATOR))
        if parts[0] not in fields:
            continue
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _env_value(value)
        names[parts] = name
    return out, names


def _env_value(value: str) -> Any:
    if value.startswith(("[", "{")):
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
