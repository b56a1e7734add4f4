"""Finance-aware headline sentiment, offline and pure.

General lexicons read finance wrong ("beats earnings estimates" is 0.0 to plain
VADER), so the scorer is a linear TF-IDF model trained on labelled finance
tweets and headlines (zeroshot "Twitter Financial News Sentiment", MIT; see
scripts/train_sentiment.py). The shipped asset is only numbers: vocabulary,
IDF weights and per-class coefficients in a compressed .npz, loaded without
pickle. Scoring is plain Python over dict look-ups, so one core scores tens of
thousands of headlines per second with no sklearn import at run time.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tradecycle.core.types import SentimentLabel

CLASSES = (SentimentLabel.NEGATIVE, SentimentLabel.POSITIVE, SentimentLabel.NEUTRAL)
MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "models" / "sentiment_tfidf_logreg.npz"

_URL = re.compile(r"https?://\S+|www\.\S+")
_CASHTAG = re.compile(r"\$[A-Za-z][A-Za-z.\-]{0,6}\b")
_MENTION = re.compile(r"@\w+")
_NUMBER = re.compile(r"[+-]?\d[\d,.]*%?")
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]|<[a-z]+>|%")


def tokens(text: str) -> list[str]:
    """Unigrams and bigrams of a normalised headline (URLs, tickers, handles, numbers become placeholders)."""
    text = _URL.sub(" ", text)
    text = _CASHTAG.sub(" <ticker> ", text)
    text = _MENTION.sub(" <user> ", text)
    text = _NUMBER.sub(lambda m: " <pct> " if m.group().endswith("%") else " <num> ", text)
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True, slots=True)
class Score:
    """P(bullish) - P(bearish) in [-1, 1], the arg-max label and its probability."""

    score: float
    label: SentimentLabel
    confidence: float


class SentimentModel:
    """A linear TF-IDF scorer: sublinear tf, l2 norm, softmax over (negative, positive, neutral)."""

    def __init__(
        self, terms: Iterable[str], idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray
    ) -> None:
        terms = list(terms)
        coef = np.asarray(coef, dtype=np.float64)
        if coef.shape != (len(CLASSES), len(terms)) or len(idf) != len(terms):
            raise ValueError("sentiment model arrays do not match its vocabulary")
        self._weights: dict[str, tuple[float, float, float, float]] = {
            term: (float(idf[i]), float(coef[0, i]), float(coef[1, i]), float(coef[2, i]))
            for i, term in enumerate(terms)
        }
        self._intercept = tuple(float(v) for v in intercept)

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["terms"].tolist(), data["idf"], data["coef"], data["intercept"])

    def save(self, path: str | Path) -> None:
        terms = list(self._weights)
        arr = np.array([self._weights[t] for t in terms], dtype=np.float64)
        np.savez_compressed(
            path,
            terms=np.array(terms),
            idf=arr[:, 0].astype(np.float32),
            coef=arr[:, 1:].T.astype(np.float32),
            intercept=np.array(self._intercept),
        )

    def score(self, text: str) -> Score:
        weights = self._weights
        counts = Counter(t for t in tokens(text) if t in weights)
        z0, z1, z2 = self._intercept
        if counts:
            acc0 = acc1 = acc2 = norm = 0.0
            for term, n in counts.items():
                idf, w0, w1, w2 = weights[term]
                v = (1.0 + math.log(n)) * idf
                norm += v * v
                acc0 += v * w0
                acc1 += v * w1
                acc2 += v * w2
            inv = 1.0 / math.sqrt(norm)
            z0 += acc0 * inv
            z1 += acc1 * inv
            z2 += acc2 * inv
        top = max(z0, z1, z2)
        e0, e1, e2 = math.exp(z0 - top), math.exp(z1 - top), math.exp(z2 - top)
        total = e0 + e1 + e2
        probs = (e0 / total, e1 / total, e2 / total)
        best = max(range(3), key=probs.__getitem__)
        return Score(score=probs[1] - probs[0], label=CLASSES[best], confidence=probs[best])

    def score_many(self, texts: Iterable[str]) -> list[Score]:
        return [self.score(t) for t in texts]


@lru_cache(maxsize=1)
def default_model() -> SentimentModel:
    """The shipped model (src/tradecycle/data/models), loaded once per process."""
    return SentimentModel.load(MODEL_PATH)


def score_text(text: str) -> Score:
    return default_model().score(text)
