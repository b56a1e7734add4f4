"""A prediction at t is unchanged when the bars and the headlines after t change."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from sqlalchemy import create_engine

from tradecycle.adapters.news.bundled import HEADLINES_PATH, BundledNewsSource
from tradecycle.adapters.store.schema import metadata
from tradecycle.services import ml, news
from tradecycle.services.analysis import precompute_features

from .conftest import as_of, cycle_ctx, scrambled_after

T = 480  # January 2015: inside the bundled posts; the model in use was fitted at 450


def _predict(panel, features, settings, tmp_path, tag):
    engine = create_engine(f"sqlite:///{tmp_path / f'{tag}.db'}")
    metadata.create_all(engine)
    symbols = panel.symbols[:12].tolist()
    ctx = cycle_ctx(panel, features, T, settings, symbols)
    with engine.begin() as conn:
        ml.run_phase(conn, ctx)
    engine.dispose()
    return ctx.predictions


def _serve(frame: pd.DataFrame, path, monkeypatch) -> None:
    """Make `frame` (without the score cache, so every text is scored afresh) the bundled posts."""
    frame.drop(columns="score", errors="ignore").to_parquet(path)
    source = BundledNewsSource(path)
    assert source.scores is None
    scores = np.array([news._score(str(h)).score for h in source.headlines])
    monkeypatch.setattr(news, "bundled_source", lambda: source)
    monkeypatch.setattr(news, "_bundled_cumulative", lambda: np.concatenate([[0.0], np.cumsum(scores)]))


def _altered(frame: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Every post after the cutoff rewritten to a strong opinion, plus 50 new posts just after it."""
    frame = frame.copy()
    later = frame["published"] > cutoff
    frame.loc[later, "headline"] = "$XYZ crashes after fraud probe, downgraded to sell"
    extra = frame.loc[~later].tail(50).copy()
    extra["published"] = cutoff + pd.Timedelta(minutes=1)
    extra["headline"] = "$XYZ soars, beats earnings estimates, upgraded to buy"
    return pd.concat([frame, extra])


def test_prediction_at_t_ignores_a_changed_future(
    news_panel, news_features, ml_settings, tmp_path, monkeypatch
):
    frame = pd.read_parquet(HEADLINES_PATH)
    _serve(frame, tmp_path / "same.parquet", monkeypatch)
    baseline = _predict(news_panel, news_features, ml_settings, tmp_path, "base")
    assert baseline and all(0.0 < p.value < 1.0 for p in baseline)
    assert "news_sentiment" in baseline[0].features_used and "cdl_bullish" in baseline[0].features_used

    _serve(_altered(frame, pd.Timestamp(as_of(news_panel, T))), tmp_path / "altered.parquet", monkeypatch)
    future = scrambled_after(news_panel, T)
    future_features = precompute_features(future, ml_settings)
    changed = _predict(future, future_features, ml_settings, tmp_path, "changed")
    assert [(p.symbol, p.value, p.confidence) for p in changed] == [
        (p.symbol, p.value, p.confidence) for p in baseline
    ]


def test_changed_posts_before_t_do_change_the_news_feature(news_panel, tmp_path, monkeypatch):
    """Guard against a vacuous test: the news feature does read the posts (those before t)."""
    frame = pd.read_parquet(HEADLINES_PATH)
    symbols = news_panel.symbols[:12].tolist()
    times = news_panel.closes_utc[[T]].astype("datetime64[ns]").view("int64")
    _serve(frame, tmp_path / "same.parquet", monkeypatch)
    before = news.sentiment_history(symbols, times, 72)
    _serve(_altered(frame, pd.Timestamp(as_of(news_panel, T - 2))), tmp_path / "early.parquet", monkeypatch)
    after = news.sentiment_history(symbols, times, 72)
    assert not np.array_equal(before, after)


def test_the_future_does_change_a_later_prediction(news_panel, news_features, ml_settings):
    """Guard against a vacuous test: after t, the scrambled bars do change what the model sees."""
    model = ml.train_at(news_panel, news_features, 450, ml_settings)
    symbols = news_panel.symbols[:12].tolist()
    future = scrambled_after(news_panel, T)
    later = T + 3
    a = ml.predict(model, news_panel.head(later + 1), news_features.head(later + 1), symbols, ml_settings)
    b = ml.predict(
        model,
        future.head(later + 1),
        precompute_features(future, ml_settings).head(later + 1),
        symbols,
        ml_settings,
    )
    assert not np.allclose(a, b)


def test_model_fitted_at_m_only_uses_labels_known_at_m(news_panel, news_features, ml_settings):
    m = 450
    names, x, y, cols = ml.training_data(news_panel, news_features, m, ml_settings)
    assert cols.max() + ml_settings.ml.horizon_sessions <= m
    changed = scrambled_after(news_panel, m)
    a = ml.train_at(news_panel, news_features, m, ml_settings)
    b = ml.train_at(changed, precompute_features(changed, ml_settings), m, ml_settings)
    assert a.serialise() == b.serialise()
    assert a.trained_to - a.trained_from > timedelta(days=200)
