"""`tradecycle ml train | evaluate | list` end to end through the CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tradecycle.interfaces.cli.main import app

runner = CliRunner()
SYMBOLS = "AAPL,XOM,JPM,KO"


def test_train_is_idempotent_and_listed(tmp_path):
    url = f"sqlite:///{tmp_path / 'ml.db'}"
    first = runner.invoke(
        app, ["ml", "train", "--end", "2015-06-30", "--symbols", SYMBOLS, "-d", url, "--json"]
    )
    assert first.exit_code == 0, first.output
    trained = json.loads(first.output)
    assert trained["already_stored"] is False and trained["model_version"].startswith("s00567-")
    assert trained["trained_to"] < "2015-06-30"
    again = json.loads(
        runner.invoke(
            app, ["ml", "train", "--end", "2015-06-30", "--symbols", SYMBOLS, "-d", url, "--json"]
        ).output
    )
    assert again["already_stored"] is True and again["metrics"] == trained["metrics"]
    listed = runner.invoke(app, ["ml", "list", "-d", url, "--json"])
    assert listed.exit_code == 0, listed.output
    models = json.loads(listed.output)
    assert [m["model_version"] for m in models] == [trained["model_version"]]
    assert "ret_1" in models[0]["features"] and len(models[0]["checksum"]) == 64


def test_evaluate_reports_years_and_baselines():
    result = runner.invoke(app, ["ml", "evaluate", "--symbols", SYMBOLS, "--end", "2016-12-31", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert [r["period"] for r in rows] == ["2014", "2015", "2016", "all"]
    total = rows[-1]
    assert total["samples"] == sum(r["samples"] for r in rows[:-1]) > 100
    assert 0 <= total["accuracy"] <= 1 and 0 <= total["baseline_accuracy"] <= 1 and 0 <= total["auc"] <= 1


def test_train_too_early_is_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'ml.db'}"
    result = runner.invoke(app, ["ml", "train", "--end", "2013-06-30", "--symbols", SYMBOLS, "-d", url])
    assert result.exit_code == 4
    assert "ml.min_train_sessions" in result.output
