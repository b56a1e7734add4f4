"""`tradecycle config show`."""

from __future__ import annotations

from tradecycle.adapters.store.database import mask_url
from tradecycle.config import SettingsModel

from .common import App, ConfigOption, DatabaseOption, open_context, print_json

app = App(help="Inspect the effective configuration.")


def masked_settings(settings: SettingsModel) -> dict:
    """Settings as plain data with every secret hidden: SecretStr fields and the URL's password."""
    data = settings.model_dump(mode="json")
    data["database_url"] = mask_url(settings.database_url)
    return data


@app.command("show")
def show(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Print the effective settings as JSON (defaults < tradecycle.toml < TRADECYCLE_* env < flags),
    with secrets masked.

    Examples:
      [bold]tradecycle config show[/]
      [bold]tradecycle config show --config tradecycle.toml[/]
      [bold]TRADECYCLE_RISK__MAX_OPEN_POSITIONS=5 tradecycle config show[/]
    """
    print_json(masked_settings(open_context(config, database).settings))


def register(root: App) -> None:
    root.add_typer(app, name="config")
