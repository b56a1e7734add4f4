"""End to end through the CLI: tradecycle db upgrade | verify | info | backup, config show."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from typer.testing import CliRunner

from tradecycle.interfaces.cli.main import app

runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_upgrade_info_verify_backup_round_trip(db_url, tmp_path):
    first = _run("db", "upgrade", "--database", db_url, "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["action"] == "created"
    assert json.loads(_run("db", "upgrade", "-d", db_url, "--json").output)["action"] == "up-to-date"
    info = _run("db", "info", "-d", db_url, "--json")
    assert info.exit_code == 0
    details = json.loads(info.output)
    assert details["revision"] == details["head"]
    assert details["tables"]["trades"] == 0
    checked = _run("db", "verify", "-d", db_url)
    assert checked.exit_code == 0 and "ok" in checked.output
    backup = _run("db", "backup", str(tmp_path / "copy.db"), "-d", db_url)
    if db_url.startswith("sqlite"):
        assert backup.exit_code == 0 and (tmp_path / "copy.db").is_file()
    else:
        assert backup.exit_code == 3 and "pg_dump" in backup.output


def test_database_url_comes_from_the_environment(tmp_path):
    target = tmp_path / "env.db"
    result = _run("db", "upgrade", env={"TRADECYCLE_DATABASE_URL": f"sqlite:///{target}"})
    assert result.exit_code == 0, result.output
    assert target.is_file()


def test_verify_fails_on_drift(sqlite_url):
    _run("db", "upgrade", "-d", sqlite_url)
    import sqlite3

    conn = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    conn.execute("DROP INDEX idx_orders_status")
    conn.commit()
    conn.close()
    result = _run("db", "verify", "-d", sqlite_url, "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["differences"] == ["missing index idx_orders_status on orders(status)"]


def test_adopting_the_seed_database_through_the_cli(shared_dir, tmp_path):
    source = shared_dir / "fixtures" / "legacy_trading_system.db"
    target = tmp_path / "legacy.db"
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        if source.with_name(source.name + suffix).exists():
            shutil.copyfile(source.with_name(source.name + suffix), tmp_path / f"legacy.db{suffix}")
    result = _run("db", "upgrade", "-d", f"sqlite:///{target}")
    assert result.exit_code == 0, result.output
    assert "adopted" in result.output and "legacy.db.pre-adoption.bak" in result.output
    assert _run("db", "verify", "-d", f"sqlite:///{target}").exit_code == 0


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("not_sqlite", "not a SQLite database"),
        ("truncated", "truncated"),
        ("newer", "newer than this tradecycle"),
    ],
)
def test_bad_files_exit_non_zero_with_one_line_and_stay_unchanged(tmp_path, setup, expected):
    target = tmp_path / "trading_system.db"
    if setup == "not_sqlite":
        target.write_bytes(b"PK\x03\x04 a zip file, not a database" * 20)
    else:
        _run("db", "upgrade", "-d", f"sqlite:///{target}")
        import sqlite3

        conn = sqlite3.connect(target)
        conn.execute("UPDATE alembic_version SET version_num = 'zzz_future'")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        if setup == "truncated":
            target.write_bytes(target.read_bytes()[:5000])
    before = _sha(target)
    for command in (
        ["db", "upgrade"],
        ["db", "info"],
        ["db", "verify"],
        ["db", "backup", str(tmp_path / "b.db")],
    ):
        result = _run(*command, "-d", f"sqlite:///{target}")
        if setup == "newer" and command[1] in ("info", "verify", "backup"):
            continue  # reading a newer database is allowed; verify reports the revision
        assert result.exit_code == 3, (command, result.output)
        assert expected in result.output
        assert result.output.strip().count("\n") == 0
    assert _sha(target) == before


def test_missing_directory_and_unreachable_postgres(tmp_path):
    missing = _run("db", "upgrade", "-d", f"sqlite:///{tmp_path}/no/such/dir/x.db")
    assert missing.exit_code == 3 and "does not exist" in missing.output
    assert not (tmp_path / "no").exists()
    down = _run("db", "info", "-d", "postgresql://trader:hunter2@127.0.0.1:1/x")
    assert down.exit_code == 3 and "hunter2" not in down.output


def test_config_show_masks_secrets(tmp_path):
    env = {
        "TRADECYCLE_BROKER__ALPACA_API_KEY": "AKIA-very-secret",
        "TRADECYCLE_API__TOKEN": "tok-secret",
        "TRADECYCLE_DATABASE_URL": "postgresql://trader:hunter2@db.example/prod",
    }
    result = _run("config", "show", env=env)
    assert result.exit_code == 0, result.output
    assert "very-secret" not in result.output and "tok-secret" not in result.output
    assert "hunter2" not in result.output
    shown = json.loads(result.output)
    assert shown["database_url"] == "postgresql://trader:***@db.example/prod"
    assert shown["broker"]["alpaca_api_key"] == "**********"


def test_config_errors_exit_2_naming_file_key_and_line(tmp_path):
    config = tmp_path / "tradecycle.toml"
    config.write_text("[risk]\nmax_open_positions = 4\nmax_open_postions = 5\n")
    result = _run("config", "show", "--config", str(config))
    assert result.exit_code == 2
    assert f"{config}, line 3: setting 'risk.max_open_postions': unknown setting" in result.output.replace(
        "\n", ""
    )


def test_every_db_command_has_help_with_examples():
    for command in ("upgrade", "verify", "info", "backup"):
        result = _run("db", command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.output
