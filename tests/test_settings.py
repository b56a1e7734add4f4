"""Settings: defaults < tradecycle.toml < TRADECYCLE_* env < flags; errors name where they came from."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecycle.errors import ConfigError
from tradecycle.settings import key_line, load_settings


def test_defaults_need_nothing():
    settings = load_settings(environ={})
    assert settings.database_url == "sqlite:///./trading_system.db"
    assert settings.risk.max_open_positions == 10


def test_precedence_file_then_env_then_flags(tmp_path):
    config = tmp_path / "tradecycle.toml"
    config.write_text(
        'database_url = "sqlite:///file.db"\n[risk]\nmax_open_positions = 4\nmax_position_pct = 7\n'
    )
    env = {"TRADECYCLE_RISK__MAX_OPEN_POSITIONS": "6", "TRADECYCLE_DATABASE_URL": "sqlite:///env.db"}
    settings = load_settings(config, environ=env)
    assert settings.risk.max_open_positions == 6
    assert settings.risk.max_position_pct == 7
    assert settings.database_url == "sqlite:///env.db"
    flagged = load_settings(config, {"database_url": "sqlite:///flag.db"}, environ=env)
    assert flagged.database_url == "sqlite:///flag.db"


def test_config_path_from_environment(tmp_path):
    config = tmp_path / "elsewhere.toml"
    config.write_text("[scanner]\nmax_candidates = 7\n")
    assert load_settings(environ={"TRADECYCLE_CONFIG": str(config)}).scanner.max_candidates == 7
    with pytest.raises(ConfigError, match="not found.*TRADECYCLE_CONFIG"):
        load_settings(environ={"TRADECYCLE_CONFIG": str(tmp_path / "missing.toml")})


def test_unrelated_tradecycle_variables_are_ignored():
    env = {"TRADECYCLE_TEST_POSTGRES_URL": "postgresql://x", "TRADECYCLE_SHARED": "/tmp"}
    assert load_settings(environ=env).database_url == "sqlite:///./trading_system.db"


def test_unknown_key_in_file_names_file_key_and_line(tmp_path):
    config = tmp_path / "tradecycle.toml"
    config.write_text("# comment\n[scanner]\nmin_price = 5\n\n[scanner.extra]\nx = 1\n")
    with pytest.raises(ConfigError) as info:
        load_settings(config, environ={})
    assert str(info.value) == f"{config}, line 5: setting 'scanner.extra': unknown setting"
    assert info.value.exit_code == 2


def test_malformed_toml_names_file_key_and_line(tmp_path):
    config = tmp_path / "tradecycle.toml"
    config.write_text("[risk]\nmax_open_positions = 4\nrisk_per_trade_pct = one\n")
    with pytest.raises(
        ConfigError, match=r"tradecycle.toml, line 3: malformed TOML at key 'risk_per_trade_pct'"
    ):
        load_settings(config, environ={})


def test_invalid_value_in_file_and_in_environment(tmp_path):
    config = tmp_path / "tradecycle.toml"
    config.write_text("[risk]\nrisk_per_trade_pct = 9\n")
    with pytest.raises(ConfigError, match=r"line 2: setting 'risk.risk_per_trade_pct'"):
        load_settings(config, environ={})
    with pytest.raises(ConfigError, match="environment variable TRADECYCLE_RISK__NOPE: setting 'risk.nope'"):
        load_settings(environ={"TRADECYCLE_RISK__NOPE": "1"})


def test_secrets_are_masked_in_dumps_and_repr():
    settings = load_settings(environ={"TRADECYCLE_API__TOKEN": "tok-secret"})
    assert settings.api.token.get_secret_value() == "tok-secret"
    assert "tok-secret" not in repr(settings)
    assert "tok-secret" not in settings.model_dump_json()


@given(st.lists(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True), min_size=1, max_size=6, unique=True))
def test_key_line_finds_every_key_of_a_section(keys):
    text = "[section]\n" + "".join(f"{k} = 1\n" for k in keys)
    for number, key in enumerate(keys, start=2):
        assert key_line(text, ("section", key)) == number
