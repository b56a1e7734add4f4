"""The analysis precompute, in this process or partitioned by symbol on a Dask cluster.

Every feature of a symbol depends only on that symbol's own bars, so the panel can
be cut into groups of symbols, each group computed on a worker, and the pieces
joined back along the symbol axis: the result is identical to the one-process run
(tests compare them array by array).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from tradecycle.config import SettingsModel
from tradecycle.core.features import FeaturePanel
from tradecycle.core.panel import BarPanel
from tradecycle.errors import ConfigError


def compute_features(panel: BarPanel, settings: SettingsModel) -> FeaturePanel:
    """The cycle's features; the candlestick block only when the patterns phase runs."""
    from tradecycle.services.analysis import precompute_features

    from .phases import enabled_phase_names

    candlesticks = "patterns" in enabled_phase_names(settings)
    address = settings.distributed.dask_scheduler
    if not address or panel.n_symbols < 2:
        return precompute_features(panel, settings, candlesticks)
    return compute_features_on_dask(
        panel, settings, address, settings.distributed.dask_partitions, candlesticks
    )


def compute_features_on_dask(
    panel: BarPanel, settings: SettingsModel, address: str, partitions: int, candlesticks: bool = True
) -> FeaturePanel:
    from tradecycle.services.analysis import precompute_features

    groups = [
        g for g in np.array_split(np.arange(panel.n_symbols), min(partitions, panel.n_symbols)) if g.size
    ]
    pieces = [panel.select(panel.symbols[g].tolist()) for g in groups]
    with dask_client(address, settings.distributed.service_timeout_seconds) as client:
        results = client.gather(
            client.map(precompute_features, pieces, settings=settings, candlesticks=candlesticks, pure=False)
        )
    return join_features(results)


@contextmanager
def dask_client(address: str, timeout: float) -> Iterator[Any]:
    """A client of the scheduler at `address`, or of a two-worker LocalCluster for 'local'."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ConfigError("distributed.dask_scheduler is set but dask[distributed] is not installed") from exc
    if address == "local":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(address, timeout=timeout)
    except OSError as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        yield client


def join_features(parts: list[FeaturePanel]) -> FeaturePanel:
    """Concatenate per-symbol-group features back along the symbol axis (second to last)."""
    first = parts[0]
    arrays = {name: np.concatenate([p[name] for p in parts], axis=-2) for name in first.names}
    return FeaturePanel(arrays, first.cdl_names)
