"""Train on noisy tags: labelwise CleanMultilabelClassifier vs plain one-vs-rest and cleanlab's route.

Data: scikit-learn's ``make_multilabel_classification`` (no real multi-label table ships with the
installed packages: scikit-learn bundles only single-label sets, and its OpenML "emotions" file is
a truncated test fixture of a few rows). A 70/30 train/test split; the training tags go through
``labelwise.noise.flip_tags`` (missing tags at ``drop_rate``, extra ones at ``add_rate``); every
model is scored on the TRUE tags of the test rows (micro and macro F1).

Models (one base estimator everywhere: LogisticRegression(max_iter=1000) on standardised features):
  plain_ovr            scikit-learn OneVsRestClassifier on the noisy tags;
  cleanlab_drop_rows   cleanlab 2.9 ``multilabel_classification.filter.find_label_issues`` on the
                       same out-of-fold probabilities, flagged ROWS dropped, then OneVsRestClassifier
                       (cleanlab's CleanLearning takes no multi-label targets: this is its user's route);
  labelwise_<action>   CleanMultilabelClassifier(action=flip | drop | reweight), cv=5, its defaults
                       (session 35: iterative stratified folds, thresholds="auto"); reweight is the
                       default action since session 36, flip was before;
  labelwise_flip_iter_0.5   the flip model above, every tag cut at 0.5 (the folds' part of session 35's change);
  labelwise_flip_s34   session 34's defaults: flip, per-tag stratified folds, threshold 0.5;
  truth_ovr            OneVsRestClassifier on the true tags (the ceiling).
The defaults were chosen on dev seeds, never on the seeds here: the folds and "auto" on seeds 101-103
(n=1500, 6 tags; benchmarks/dev_multilabel_defaults.py), the action on seeds 101-106
(benchmarks/dev_tags_action.py).

Usage: python benchmarks/bench_multilabel_training.py [--seeds 0 1 2] [--n-rows 2000] [--n-tags 8] [--quick]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from _machine import cpu_model, machine_line  # noqa: E402
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from labelwise.noise import flip_tags
from labelwise.robust import CleanMultilabelClassifier

RATES = ((0.2, 0.01), (0.4, 0.02), (0.1, 0.05))


def _base():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def _scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {
        "micro_f1": f1_score(truth, pred, average="micro", zero_division=0),
        "macro_f1": f1_score(truth, pred, average="macro", zero_division=0),
    }


def _cleanlab_route(X, noisy, probs):
    """cleanlab's multi-label issues (per example) on the same probabilities, flagged rows dropped, OvR refit."""
    from cleanlab.multilabel_classification.filter import find_label_issues

    lists = [np.flatnonzero(row).tolist() for row in noisy]
    flagged = find_label_issues(lists, probs)
    keep = ~flagged
    return OneVsRestClassifier(_base()).fit(X[keep], noisy[keep])


def _per_tag_probs(X, Y, seed: int, cv: int = 5) -> np.ndarray:
    """Session 34's out-of-fold probabilities: per tag, its own stratified shuffled split of its column."""
    folds = StratifiedKFold(cv, shuffle=True, random_state=seed)
    return np.column_stack(
        [cross_val_predict(_base(), X, Y[:, j], cv=folds, method="predict_proba")[:, 1] for j in range(Y.shape[1])]
    )


def run_one(seed: int, n_rows: int, n_tags: int, drop: float, add: float) -> list[dict]:
    X, Y = make_multilabel_classification(n_rows, n_features=20, n_classes=n_tags, n_labels=2, random_state=seed)
    Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.3, random_state=seed)
    noisy = flip_tags(Ytr, drop_rate=drop, add_rate=add, random_state=seed).labels.astype(np.int64)
    rows = []

    def record(name, seconds, pred):
        rows.append({"seed": seed, "drop": drop, "add": add, "model": name, "seconds": seconds, **_scores(Yte, pred)})

    t = time.perf_counter()
    plain = OneVsRestClassifier(_base()).fit(Xtr, noisy)
    record("plain_ovr", time.perf_counter() - t, plain.predict(Xte))
    probs = None
    for action in ("flip", "drop", "reweight"):
        t = time.perf_counter()
        model = CleanMultilabelClassifier(_base(), action=action, random_state=seed).fit(Xtr, noisy, pred_probs=probs)
        seconds = time.perf_counter() - t
        if probs is None:  # the later actions reuse the out-of-fold probabilities: time the first, full fit only
            probs, full = model.pred_probs_, seconds
        record(f"labelwise_{action}", full, model.predict(Xte))
        if action == "flip":
            record("labelwise_flip_iter_0.5", full, (model.predict_proba(Xte) > 0.5).astype(int))
    t = time.perf_counter()
    before = CleanMultilabelClassifier(_base(), action="flip", thresholds=0.5, random_state=seed)
    before.fit(Xtr, noisy, pred_probs=_per_tag_probs(Xtr, noisy, seed))
    record("labelwise_flip_s34", time.perf_counter() - t, before.predict(Xte))
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        route = _cleanlab_route(Xtr, noisy, probs)
    record("cleanlab_drop_rows", full + time.perf_counter() - t, route.predict(Xte))
    t = time.perf_counter()
    ceiling = OneVsRestClassifier(_base()).fit(Xtr, Ytr)
    record("truth_ovr", time.perf_counter() - t, ceiling.predict(Xte))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-rows", type=int, default=2000)
    parser.add_argument("--n-tags", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="one seed, 600 rows")
    args = parser.parse_args()
    seeds, n_rows = ([0], 600) if args.quick else (args.seeds, args.n_rows)
    print(machine_line("scikit-learn", "cleanlab"))
    print(
        f"# {cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}; n_rows={n_rows}, n_tags={args.n_tags}, seeds={seeds}",
        file=sys.stderr,
    )
    rows = [r for seed in seeds for drop, add in RATES for r in run_one(seed, n_rows, args.n_tags, drop, add)]
    table = pd.DataFrame(rows)
    summary = table.groupby(["drop", "add", "model"], sort=False)[["micro_f1", "macro_f1", "seconds"]].mean()
    pd.set_option("display.width", 160)
    print(summary.round(4).to_string())
    plain = table[table.model == "plain_ovr"].set_index(["seed", "drop", "add"])["seconds"]
    clean = table[table.model == "labelwise_flip"].set_index(["seed", "drop", "add"])["seconds"]
    print(f"\nfit time, labelwise (cv=5) / plain one-vs-rest: {float((clean / plain).median()):.1f}x (median)")
    micro = table.pivot_table(index=["drop", "add"], columns="model", values="micro_f1", sort=False)
    gain = (micro["labelwise_reweight"] - micro["labelwise_flip"]).round(4)
    print("micro F1, reweight (default since session 36) - flip (before):", gain.to_dict())


if __name__ == "__main__":
    main()
