"""Dev runs behind CleanMultilabelClassifier's defaults (session 35): shared iterative stratified folds
against session 34's per-tag stratified folds, and thresholds="auto" against 0.5.

Rules written before the runs: see the "mltrain35" section of RESULTS.md. Dev seeds 101-103 only
(the benchmark, bench_multilabel_training.py, uses seeds 0-2). Data as the benchmark's:
make_multilabel_classification, a 70/30 split, flip_tags on the training tags, micro F1 on the TRUE
test tags; LogisticRegression on standardised features, cv=5, action="flip".

Usage: python benchmarks/dev_multilabel_defaults.py [--seeds 101 102 103] [--n-rows 1500] [--n-tags 6]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from _machine import machine_line  # noqa: E402
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from labelwise.noise import flip_tags
from labelwise.robust import CleanMultilabelClassifier

RATES = ((0.2, 0.01), (0.4, 0.02), (0.1, 0.05))


def _base():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def per_tag_folds_probs(X, Y, seed: int, cv: int = 5) -> np.ndarray:
    """Session 34's out-of-fold probabilities: per tag, its own stratified shuffled split."""
    folds = StratifiedKFold(cv, shuffle=True, random_state=seed)
    return np.column_stack(
        [cross_val_predict(_base(), X, Y[:, j], cv=folds, method="predict_proba")[:, 1] for j in range(Y.shape[1])]
    )


def run_one(seed: int, n_rows: int, n_tags: int, drop: float, add: float) -> dict:
    X, Y = make_multilabel_classification(n_rows, n_features=20, n_classes=n_tags, n_labels=2, random_state=seed)
    Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.3, random_state=seed)
    noisy = flip_tags(Ytr, drop_rate=drop, add_rate=add, random_state=seed).labels.astype(np.int64)
    row = {"seed": seed, "drop": drop, "add": add}
    iterative = CleanMultilabelClassifier(_base(), action="flip", thresholds="auto", random_state=seed).fit(Xtr, noisy)
    per_tag = CleanMultilabelClassifier(_base(), action="flip", thresholds=0.5, random_state=seed)
    per_tag.fit(Xtr, noisy, pred_probs=per_tag_folds_probs(Xtr, noisy, seed))
    proba = iterative.predict_proba(Xte)
    row["iterative_0.5"] = f1_score(Yte, proba > 0.5, average="micro")
    row["per_tag_0.5"] = f1_score(Yte, per_tag.predict(Xte), average="micro")
    row["iterative_auto"] = f1_score(Yte, iterative.predict(Xte), average="micro")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103])
    parser.add_argument("--n-rows", type=int, default=1500)
    parser.add_argument("--n-tags", type=int, default=6)
    args = parser.parse_args()
    print(machine_line("scikit-learn"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [run_one(s, args.n_rows, args.n_tags, d, a) for s in args.seeds for d, a in RATES]
    table = pd.DataFrame(rows)
    print(table.round(4).to_string(index=False))
    means = table[["iterative_0.5", "per_tag_0.5", "iterative_auto"]].mean()
    print("\nmeans:", means.round(4).to_dict())
    folds = means["iterative_0.5"] - means["per_tag_0.5"]
    gain = table["iterative_auto"] - table["iterative_0.5"]
    print(f"rule 1 (folds): iterative - per-tag = {folds:+.4f}: {'adopt' if folds >= -0.005 else 'keep per-tag'}")
    adopt = gain.mean() >= 0.01 and gain.min() >= -0.01
    print(
        f"rule 2 (auto): mean gain {gain.mean():+.4f}, worst case {gain.min():+.4f}: {'adopt' if adopt else 'keep 0.5'}"
    )


if __name__ == "__main__":
    main()
