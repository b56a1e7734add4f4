"""`tradecycle ml train | evaluate | list`: the walk-forward direction model."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from tradecycle.adapters.store.schema import ml_models
from tradecycle.errors import DataError

from .common import App, ConfigOption, DatabaseOption, JsonOption, console, open_context, print_json
from .cycle import parse_day

app = App(help="Train, evaluate and list the ML direction models.")

EndOption = Annotated[
    str | None, typer.Option("--end", help="Last session to use, YYYY-MM-DD (default: the newest bar).")
]
SymbolsOption = Annotated[
    str | None, typer.Option("--symbols", help="Comma-separated symbols (default: all).")
]


def _day(value: str | None, name: str) -> date | None:
    return None if value is None else parse_day(value, name)


def _symbols(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [s.strip().upper() for s in value.split(",") if s.strip()] or None


def _panel_and_features(app_ctx, end: date | None, symbols: list[str] | None):
    from tradecycle.coordinator.replay import load_source_panel
    from tradecycle.services.analysis import precompute_features

    panel = load_source_panel(app_ctx.engine, app_ctx.settings, end=end, symbols=symbols)
    if panel.n_sessions == 0:
        raise DataError("no bars to train on (check --end, --symbols and data.provider)")
    features = (
        precompute_features(panel, app_ctx.settings) if app_ctx.settings.ml.use_panel_features else None
    )
    return panel, features


@app.command("train")
def train(
    end: EndOption = None,
    symbols: SymbolsOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fit the model that serves the session --end (walk-forward schedule) and store it in ml_models.

    Example: [bold]tradecycle ml train --end 2015-12-31[/]
    """
    from tradecycle.adapters.store.database import prepare_database
    from tradecycle.services import ml

    app_ctx = open_context(config, database)
    app_ctx._engine = prepare_database(app_ctx.settings.database_url)
    panel, features = _panel_and_features(app_ctx, _day(end, "--end"), _symbols(symbols))
    last = panel.n_sessions - 1
    m = ml.model_index(last, app_ctx.settings)
    if m is None:
        raise DataError(
            f"only {panel.n_sessions} sessions up to {panel.sessions[last]}; the first model is fitted at session "
            f"{app_ctx.settings.ml.min_train_sessions} or later (ml.min_train_sessions)"
        )
    name, version = ml.model_name(app_ctx.settings), ml.model_version(panel, m, app_ctx.settings)
    with app_ctx.engine.begin() as conn:
        loaded = ml.load_model(conn, name, version)
        stored = loaded is not None
        started = time.perf_counter()
        if loaded is not None:
            model = loaded[0]
        else:
            model = ml.train_at(panel, features, m, app_ctx.settings)
            ml.save_model(conn, model, model.trained_to)
        seconds = time.perf_counter() - started
    payload = {
        "model_name": name,
        "model_version": version,
        "already_stored": stored,
        "trained_from": model.trained_from.isoformat(),
        "trained_to": model.trained_to.isoformat(),
        "features": list(model.feature_names),
        "metrics": model.metrics,
        "fit_seconds": round(seconds, 3),
    }
    if as_json:
        print_json(payload)
        return
    verb = "already stored" if stored else f"trained in {seconds:.2f}s and stored"
    console.print(f"{name} {version}: {verb}")
    console.print(
        f"window {payload['trained_from']} .. {payload['trained_to']}, {len(model.feature_names)} features"
    )
    console.print("metrics: " + ", ".join(f"{k} {v}" for k, v in model.metrics.items()))


@app.command("evaluate")
def evaluate(
    end: EndOption = None,
    symbols: SymbolsOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Walk-forward report: out-of-sample accuracy and AUC by year against naive baselines.

    Example: [bold]tradecycle ml evaluate --symbols AAPL,MSFT,XOM[/]
    """
    from tradecycle.services import ml

    app_ctx = open_context(config, database)
    panel, features = _panel_and_features(app_ctx, _day(end, "--end"), _symbols(symbols))
    started = time.perf_counter()
    rows = ml.walk_forward(panel, features, app_ctx.settings)
    seconds = time.perf_counter() - started
    if as_json:
        print_json(
            {
                "model_name": ml.model_name(app_ctx.settings),
                "seconds": round(seconds, 2),
                "rows": [asdict(r) for r in rows],
            }
        )
        return
    table = Table(
        title=f"walk-forward {ml.model_name(app_ctx.settings)} ({panel.n_symbols} symbols, {seconds:.1f}s)"
    )
    for column in ("period", "samples", "accuracy", "AUC", "baseline acc", "momentum AUC", "up rate"):
        table.add_column(column, justify="left" if column == "period" else "right")
    for r in rows:
        table.add_row(
            r.period,
            str(r.samples),
            f"{r.accuracy:.4f}",
            f"{r.auc:.4f}",
            f"{r.baseline_accuracy:.4f}",
            f"{r.momentum_auc:.4f}",
            f"{r.base_rate_up:.4f}",
        )
    console.print(table)
    console.print(
        "baseline acc: always the training set's majority direction; momentum AUC: ranks by 20-session return"
    )


@app.command("list")
def list_models(
    config: ConfigOption = None, database: DatabaseOption = None, as_json: JsonOption = False
) -> None:
    """The models stored in ml_models, newest first."""
    from tradecycle.adapters.store.database import open_engine

    app_ctx = open_context(config, database)
    engine = open_engine(app_ctx.settings.database_url)
    columns = [c for c in ml_models.c if c.key != "model_data"]
    with engine.connect() as conn:
        rows = (
            conn.execute(select(*columns).order_by(ml_models.c.created_at.desc(), ml_models.c.id.desc()))
            .mappings()
            .all()
        )
    engine.dispose()
    items = [
        {
            **dict(r),
            "features": json.loads(r["features"] or "[]"),
            "metrics": json.loads(r["metrics"] or "{}"),
        }
        for r in rows
    ]
    if as_json:
        print_json(items)
        return
    if not items:
        console.print("no models stored yet (tradecycle ml train, or replay with ml.enabled)")
        return
    table = Table(title="ml_models")
    for column in ("name", "version", "type", "trained to", "features", "samples", "train AUC"):
        table.add_column(column)
    for it in items:
        table.add_row(
            it["model_name"],
            it["model_version"] or "",
            it["model_type"] or "",
            str(it["trained_to"]),
            str(len(it["features"])),
            str(it["metrics"].get("samples", "")),
            str(it["metrics"].get("train_auc", "")),
        )
    console.print(table)


def register(root: App) -> None:
    root.add_typer(app, name="ml")
