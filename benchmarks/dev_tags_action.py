"""Dev runs behind CleanMultilabelClassifier's default ``action`` (session 36): flip against drop and
reweight, with ``thresholds="auto"`` (session 35's default).

Rule written before the runs (see the "tags36" section of RESULTS.md): a challenger passes if its mean
micro F1 over all cases is not lower than flip's and in no noise setting (mean over the seeds) is it
lower than flip's by more than 0.005; if both pass, drop, unless reweight's mean beats drop's by more
than 0.005. Dev seeds 101-106 only (the benchmark, bench_multilabel_training.py, uses seeds 0-2). Data
as the benchmark's: make_multilabel_classification, a 70/30 split, flip_tags on the training tags,
micro F1 on the TRUE test tags; LogisticRegression on standardised features, cv=5. The out-of-fold
probabilities are computed once per case (the flip fit) and given to the drop and reweight fits.

Usage: python benchmarks/dev_tags_action.py [--seeds 101 102 103 104 105 106] [--n-rows 1500] [--n-tags 6]
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
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from labelwise.noise import flip_tags
from labelwise.robust import CleanMultilabelClassifier

RATES = ((0.2, 0.01), (0.4, 0.02), (0.1, 0.05))
ACTIONS = ("flip", "drop", "reweight")
MARGIN = 0.005


def _base():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def run_one(seed: int, n_rows: int, n_tags: int, drop: float, add: float) -> dict:
    """Micro F1 on the true test tags of the three actions on one (seed, noise setting)."""
    X, Y = make_multilabel_classification(n_rows, n_features=20, n_classes=n_tags, n_labels=2, random_state=seed)
    Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.3, random_state=seed)
    noisy = flip_tags(Ytr, drop_rate=drop, add_rate=add, random_state=seed).labels.astype(np.int64)
    row: dict = {"seed": seed, "drop_rate": drop, "add_rate": add}
    flip = CleanMultilabelClassifier(_base(), action="flip", random_state=seed).fit(Xtr, noisy)
    row["flip"] = f1_score(Yte, flip.predict(Xte), average="micro")
    for action in ACTIONS[1:]:
        model = CleanMultilabelClassifier(_base(), action=action, random_state=seed)
        model.fit(Xtr, noisy, pred_probs=flip.pred_probs_)
        row[action] = f1_score(Yte, model.predict(Xte), average="micro")
    return row


def decide(table: pd.DataFrame) -> str:
    """The default action by the rule written before the runs (module docstring)."""
    means = table[list(ACTIONS)].mean()
    per_setting = table.groupby(["drop_rate", "add_rate"])[list(ACTIONS)].mean()
    passed = []
    for action in ACTIONS[1:]:
        worst = float((per_setting[action] - per_setting["flip"]).min())
        ok = means[action] >= means["flip"] and worst >= -MARGIN
        print(f"{action}: mean {means[action] - means['flip']:+.4f} vs flip, worst setting {worst:+.4f}: {ok}")
        if ok:
            passed.append(action)
    if not passed:
        return "flip"
    if len(passed) == 1:
        return passed[0]
    return "reweight" if means["reweight"] - means["drop"] > MARGIN else "drop"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103, 104, 105, 106])
    parser.add_argument("--n-rows", type=int, default=1500)
    parser.add_argument("--n-tags", type=int, default=6)
    args = parser.parse_args()
    print(machine_line("scikit-learn"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [run_one(s, args.n_rows, args.n_tags, d, a) for s in args.seeds for d, a in RATES]
    table = pd.DataFrame(rows)
    print(table.round(4).to_string(index=False))
    print("\nper setting (mean over seeds):")
    print(table.groupby(["drop_rate", "add_rate"])[list(ACTIONS)].mean().round(4).to_string())
    print("\nmeans:", table[list(ACTIONS)].mean().round(4).to_dict())
    print("default action by the rule:", decide(table))


if __name__ == "__main__":
    main()
