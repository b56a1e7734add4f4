"""Train the shipped finance sentiment model from the MIT-licensed labelled tweets.

Usage: python scripts/train_sentiment.py [--data /work/shared/data] [--out src/tradecycle/data/models]

Trains sklearn TF-IDF (the tokenizer of tradecycle.core.sentiment) + multinomial
logistic regression on fin_tweets_sentiment_train.csv only. The regularisation C
is chosen by 5-fold cross-validation on that same training file; the validation
file is never read here, so benchmarks/sentiment.py can report an honest figure.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from tradecycle.core.sentiment import MODEL_PATH, SentimentModel, tokens

# dataset labels: 0 bearish, 1 bullish, 2 neutral == order of sentiment.CLASSES
C_GRID = (1.0, 3.0, 10.0, 30.0)


def _pipeline(c: float):
    vectorizer = TfidfVectorizer(analyzer=tokens, sublinear_tf=True, min_df=2, norm="l2")
    return make_pipeline(vectorizer, LogisticRegression(C=c, max_iter=2000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    train = pd.read_csv(args.data / "fin_tweets_sentiment_train.csv")
    texts, labels = train["text"].astype(str).tolist(), train["label"].to_numpy()
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)  # the file is sorted by label
    scores = {c: cross_val_score(_pipeline(c), texts, labels, cv=folds).mean() for c in C_GRID}
    best = max(scores, key=scores.get)
    for c, s in scores.items():
        print(f"C={c:g}: 5-fold CV accuracy on train {s:.4f}")
    pipe = _pipeline(best).fit(texts, labels)
    vectorizer, clf = pipe.steps[0][1], pipe.steps[1][1]
    terms = vectorizer.get_feature_names_out()
    model = SentimentModel(terms.tolist(), vectorizer.idf_, clf.coef_, clf.intercept_)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    check = SentimentModel.load(args.out)
    sample = texts[:200]
    ours = np.array([s.score for s in check.score_many(sample)])
    proba = pipe.predict_proba(sample)
    drift = np.abs(ours - (proba[:, 1] - proba[:, 0])).max()
    print(
        f"chose C={best:g}; {len(terms)} terms; wrote {args.out} ({args.out.stat().st_size} bytes); max drift {drift:.2e}"
    )


if __name__ == "__main__":
    main()
