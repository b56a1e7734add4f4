"""Sentiment accuracy and throughput of the shipped finance model.

Usage: python benchmarks/sentiment.py [--data /work/shared/data]

Accuracy is measured on fin_tweets_sentiment_valid.csv, which the training
script never reads (C is picked by cross-validation on the train file). The
baseline is "always neutral" (the majority class). Throughput is
single-core: headlines scored per second over the validation texts, repeated.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tradecycle.core.sentiment import CLASSES, default_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    valid = pd.read_csv(args.data / "fin_tweets_sentiment_valid.csv")
    texts, labels = valid["text"].astype(str).tolist(), valid["label"].to_numpy()
    model = default_model()
    predicted = np.array([CLASSES.index(s.label) for s in model.score_many(texts)])
    accuracy = float((predicted == labels).mean())
    majority = float((labels == np.bincount(labels).argmax()).mean())
    per_class = {CLASSES[k].value: float((predicted[labels == k] == k).mean()) for k in range(len(CLASSES))}
    polar = labels != 2
    polarity = float((predicted[polar] == labels[polar]).mean())
    start = time.perf_counter()
    for _ in range(args.repeat):
        model.score_many(texts)
    elapsed = time.perf_counter() - start
    rate = len(texts) * args.repeat / elapsed
    print(f"validation rows: {len(texts)} (never used for training or tuning)")
    print(f"accuracy (3-class): {accuracy:.4f}   majority-class baseline: {majority:.4f}")
    print("recall by class: " + ", ".join(f"{k} {v:.3f}" for k, v in per_class.items()))
    print(f"accuracy on bullish/bearish rows: {polarity:.4f}")
    print(f"'beats earnings estimates' -> {model.score('beats earnings estimates').score:+.3f}")
    print(f"throughput: {rate:,.0f} headlines/s on one core")


if __name__ == "__main__":
    main()
