"""The offline finance scorer: direction on finance phrases, bounds, and a lossless round trip."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tradecycle.core.sentiment import SentimentModel, default_model, score_text, tokens
from tradecycle.core.types import SentimentLabel


def test_beats_earnings_estimates_is_positive():
    result = score_text("beats earnings estimates")
    assert result.score > 0.5
    assert result.label is SentimentLabel.POSITIVE


def test_finance_negatives_score_negative():
    for text in ("misses earnings estimates", "shares plunge after guidance cut", "$XYZ downgraded to sell"):
        assert score_text(text).score < 0, text


def test_tokens_replace_tickers_urls_and_numbers():
    toks = tokens("$AAPL up 5% https://t.co/x @bob 12.5")
    assert "<ticker>" in toks and "<pct>" in toks and "<user>" in toks and "<num>" in toks
    assert not any("http" in t for t in toks)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_scores_within_bounds(text):
    result = score_text(text)
    assert -1.0 <= result.score <= 1.0
    assert 1 / 3 - 1e-9 <= result.confidence <= 1.0


def test_save_load_round_trip(tmp_path):
    path = tmp_path / "m.npz"
    default_model().save(path)
    again = SentimentModel.load(path)
    text = "Goldman upgrades $XYZ to buy, raises target"
    assert abs(again.score(text).score - score_text(text).score) < 1e-6
