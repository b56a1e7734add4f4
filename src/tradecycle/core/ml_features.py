"""Features and labels for the direction model, computed only at the sessions asked for.

Everything here is causal: a feature at session s reads bars at or before s, and
a label at s (did the close rise over the next `horizon` sessions?) exists only
when s + horizon is inside the panel handed in. Callers hand in the as-of panel,
so a label from the future cannot exist. Work is per requested column, so a
cycle's prediction touches one session and a retrain touches its sample sessions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tradecycle.core.panel import BarPanel

WINDOW = 20  # the longest price look-back, in sessions
PRICE_FEATURES = (
    "ret_1",
    "ret_5",
    "ret_10",
    "ret_20",
    "vol_20",
    "z_20",
    "dist_high_20",
    "dist_low_20",
    "range_10",
    "close_location",
    "volume_ratio_5_20",
    "gap",
)
SENTIMENT_FEATURES = ("news_sentiment", "news_count")


# Symbols per block in price_features: a retrain's (symbols, samples, window) temporaries
# would otherwise add ~100 MB to the replay's peak RSS; every value is computed per symbol.
ROW_BLOCK = 64


def price_features(panel: BarPanel, cols: np.ndarray) -> np.ndarray:
    """(n_symbols, len(cols), len(PRICE_FEATURES)); NaN where a window is incomplete."""
    cols = np.asarray(cols, dtype=np.intp)
    offsets = np.arange(-WINDOW, 1)
    idx = cols[:, None] + offsets  # (k, W+1)
    valid = idx >= 0
    idx = np.where(valid, idx, 0)
    fields = (panel.close, panel.high, panel.low, panel.open, panel.volume)
    if panel.n_symbols <= ROW_BLOCK:
        return _price_block(fields, idx, valid)
    blocks = [
        _price_block(tuple(f[start : start + ROW_BLOCK] for f in fields), idx, valid)
        for start in range(0, panel.n_symbols, ROW_BLOCK)
    ]
    return np.concatenate(blocks, axis=0)


def _price_block(fields: tuple[np.ndarray, ...], idx: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """price_features for the rows of `fields` (close, high, low, open, volume) at windows `idx`."""

    def take(arr: np.ndarray) -> np.ndarray:
        out = arr[:, idx].astype(np.float64)
        out[:, ~valid] = np.nan
        return out

    c, h, lo, o, v = (take(f) for f in fields)
    with np.errstate(divide="ignore", invalid="ignore"):
        logc = np.log(c)
        rets = np.diff(logc, axis=-1)
        last = c[..., -1]
        window = c[..., 1:]
        spread = h - lo
        feats = [
            rets[..., -1],
            logc[..., -1] - logc[..., -6],
            logc[..., -1] - logc[..., -11],
            logc[..., -1] - logc[..., 0],
            rets.std(axis=-1),
            (last - window.mean(axis=-1)) / window.std(axis=-1),
            last / h[..., 1:].max(axis=-1) - 1.0,
            last / lo[..., 1:].min(axis=-1) - 1.0,
            (spread[..., -10:] / c[..., -10:]).mean(axis=-1),
            np.where(spread[..., -1] > 0, (last - lo[..., -1]) / spread[..., -1] - 0.5, 0.0),
            np.log(v[..., -5:].mean(axis=-1) / v[..., 1:].mean(axis=-1)),
            np.log(o[..., -1] / c[..., -2]),
        ]
    out = np.stack(feats, axis=-1)
    out[~np.isfinite(out)] = np.nan
    return out


def panel_features(
    features: Mapping[str, np.ndarray] | None,
    close: np.ndarray,
    cols: np.ndarray,
    rows: np.ndarray | None = None,
):
    """Dimensionless indicator/candlestick features at `cols` (for symbol `rows`, default all).

    `features` is FeaturePanel-like (symbols x sessions arrays, "cdl" patterns x symbols x
    sessions) and `close` the matching symbols x sessions closes. Returns (names, array
    (n_rows, len(cols), n)); only features whose inputs exist are made, so the list depends
    on the panel, and the model stores it.
    """
    n_rows = close.shape[0] if rows is None else len(rows)
    if features is None:
        return (), np.empty((n_rows, len(cols), 0))
    have = set(features.names) if hasattr(features, "names") else set(features)
    pick = slice(None) if rows is None else rows

    def at(name: str) -> np.ndarray:
        column = features[name][..., cols]  # sessions first: a cycle reads one column, not the history
        return np.asarray(column[..., pick, :], dtype=np.float64)

    cl = np.asarray(close[:, cols][pick], dtype=np.float64)

    made: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if "rsi_14" in have:
            made["rsi_14"] = at("rsi_14") / 100.0 - 0.5
        if "macd_hist" in have:
            made["macd_hist_pct"] = at("macd_hist") / cl
        if "adx_14" in have:
            made["adx_14"] = at("adx_14") / 100.0
        if {"plus_di", "minus_di"} <= have:
            made["di_spread"] = (at("plus_di") - at("minus_di")) / 100.0
        if "stoch_k" in have:
            made["stoch_k"] = at("stoch_k") / 100.0 - 0.5
        if {"bb_upper", "bb_lower"} <= have:
            lower = at("bb_lower")
            made["bb_position"] = (cl - lower) / (at("bb_upper") - lower) - 0.5
        if "atr_14" in have:
            made["atr_pct"] = at("atr_14") / cl
        if "high_52w" in have:
            made["from_52w_high"] = cl / at("high_52w") - 1.0
        if {"sma_20", "sma_50"} <= have:
            made["sma_20_50"] = at("sma_20") / at("sma_50") - 1.0
        if "rel_volume" in have:
            made["log_rel_volume"] = np.log(at("rel_volume"))
        if "cdl" in have:
            cdl = features["cdl"][..., cols][
                ..., pick, :
            ]  # patterns x symbols x cols, int8 (counted, not scaled)
            made["cdl_bullish"] = (cdl > 0).sum(axis=0).astype(np.float64)
            made["cdl_bearish"] = (cdl < 0).sum(axis=0).astype(np.float64)
    names = tuple(made)
    if not names:
        return names, np.empty((n_rows, len(cols), 0))
    out = np.stack([made[n] for n in names], axis=-1)
    out[~np.isfinite(out)] = np.nan
    return names, out


def direction_labels(close: np.ndarray, cols: np.ndarray, horizon: int) -> np.ndarray:
    """1.0 if close[s + horizon] > close[s], 0.0 if not, NaN if unknown (beyond the panel or no bar)."""
    cols = np.asarray(cols, dtype=np.intp)
    ahead = cols + horizon
    known = ahead < close.shape[1]
    now = close[:, cols]
    later = close[:, np.where(known, ahead, 0)]
    labels = np.where(later > now, 1.0, 0.0)
    labels[~(np.isfinite(now) & np.isfinite(later))] = np.nan
    labels[:, ~known] = np.nan
    return labels


def sample_sessions(
    last_index: int, horizon: int, window: int, every: int, first: int = WINDOW
) -> np.ndarray:
    """Training sessions for a model fitted at `last_index`: labels known (s + horizon <= last_index),
    within the last `window` sessions, every `every` sessions counting back from the newest."""
    newest = last_index - horizon
    oldest = max(first, last_index - window + 1)
    if newest < oldest:
        return np.empty(0, dtype=np.intp)
    return np.arange(newest, oldest - 1, -every, dtype=np.intp)[::-1]


@dataclass(frozen=True)
class Standardiser:
    """Column means and scales from the training rows; NaN becomes the mean (0 after scaling)."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray) -> Standardiser:
        finite = np.isfinite(x)
        count = finite.sum(axis=0)
        filled = np.where(finite, x, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = filled.sum(axis=0) / count
            scale = np.sqrt(np.where(finite, (x - mean) ** 2, 0.0).sum(axis=0) / count)
        mean = np.nan_to_num(mean)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        return cls(mean, scale)

    def transform(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mean) / self.scale
        z[~np.isfinite(z)] = 0.0
        return np.clip(z, -8.0, 8.0)


def fit_logistic(
    z: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 12
) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression by Newton's method (the intercept is not penalised).

    With a few dozen standardised features each step is one k x k solve, so a fit on
    ~50k rows takes milliseconds and is deterministic to the bit on the same inputs.
    Newton converges quadratically; it stops once no weight moves by 1e-6.
    """
    n, k = z.shape
    a = np.ascontiguousarray(np.hstack([z, np.ones((n, 1))]))
    w = np.zeros(k + 1)
    penalty = np.full(k + 1, l2)
    penalty[-1] = 1e-9
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -30.0, 30.0)))
        grad = (p - y) @ a + penalty * w
        root = a * np.sqrt(p * (1.0 - p))[:, None]
        hess = root.T @ root
        hess[np.diag_indices_from(hess)] += penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return w[:k], float(w[k])
