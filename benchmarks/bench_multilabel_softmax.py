"""What a softmax costs the multi-label audit, and whether :class:`SoftmaxProbsWarning` fires where it should.

Data: scikit-learn's ``make_multilabel_classification`` (``n_labels`` tags per example on average), tags flipped
with ``labelwise.noise.flip_tags`` (drop 0.2, add 0.02). One model, a one-vs-rest logistic regression, gives
out-of-fold logits (``cross_val_predict(..., method="decision_function")``, 5 folds, fit on the noisy tags); the
audit is run on the sigmoid of each logit (what it expects) and on a softmax over the same logits (what a
multiclass model gives). Printed per configuration and seed: precision and recall of the flagged (example, tag)
cells against the flipped ones, and whether the warning fired on each input.

    python benchmarks/bench_multilabel_softmax.py --seeds 0 1 2      # measurement seeds
    python benchmarks/bench_multilabel_softmax.py --seeds 4701 4702 4703 4704 4705   # the rule's dev seeds
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from scipy.special import expit, softmax
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.multiclass import OneVsRestClassifier

from labelwise.audit import multilabel
from labelwise.audit._multilabel_softmax import SoftmaxProbsWarning
from labelwise.noise import flip_tags

#: (n_classes, n_labels): tags, and mean tags per example.
CONFIGS = [(3, 2), (5, 2), (10, 3), (20, 2)]


def _audit(given: np.ndarray, probs: np.ndarray, flipped: np.ndarray) -> tuple[float, float, bool]:
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = multilabel.find_label_issues(given, probs)
    warned = any(issubclass(w.category, SoftmaxProbsWarning) for w in said)
    hit = int((res.is_issue & flipped).sum())
    precision = hit / max(int(res.is_issue.sum()), 1)
    recall = hit / max(int(flipped.sum()), 1)
    return precision, recall, warned


def run(seed: int, n_classes: int, n_labels: int, n: int) -> dict[str, float]:
    X, truth = make_multilabel_classification(
        n_samples=n, n_features=20, n_classes=n_classes, n_labels=n_labels, allow_unlabeled=True, random_state=seed
    )
    noisy = flip_tags(truth, drop_rate=0.2, add_rate=0.02, random_state=seed)
    given = noisy.labels
    for k in np.flatnonzero(given.all(axis=0) | ~given.any(axis=0)):  # a one-value column cannot be fitted
        given[0, k] = ~given[0, k]
    model = OneVsRestClassifier(LogisticRegression(max_iter=1000))
    logits = cross_val_predict(model, X, given.astype(int), cv=5, method="decision_function")
    flipped = given != truth.astype(bool)
    ps, rs, ws = _audit(given, expit(logits), flipped)
    pm, rm, wm = _audit(given, softmax(logits, axis=1), flipped)
    multi = float((given.sum(axis=1) > 1).mean())
    return dict(p_sig=ps, r_sig=rs, w_sig=ws, p_soft=pm, r_soft=rm, w_soft=wm, multi=multi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    print("K  labels seed | multi-tag rows | sigmoid P / R  warned | softmax P / R  warned")
    rows = []
    for n_classes, n_labels in CONFIGS:
        for seed in args.seeds:
            r = run(seed, n_classes, n_labels, args.n)
            rows.append(r)
            print(
                f"{n_classes:<2} {n_labels:<6} {seed:<4} | {r['multi']:.2f}           | "
                f"{r['p_sig']:.3f} / {r['r_sig']:.3f}  {r['w_sig']!s:<5} | "
                f"{r['p_soft']:.3f} / {r['r_soft']:.3f}  {r['w_soft']!s:<5}"
            )
    mean = {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}
    f1 = {
        kind: 2 * mean[f"p_{kind}"] * mean[f"r_{kind}"] / (mean[f"p_{kind}"] + mean[f"r_{kind}"])
        for kind in ("sig", "soft")
    }
    print(
        f"mean: sigmoid P {mean['p_sig']:.3f} R {mean['r_sig']:.3f} F1(of means) {f1['sig']:.3f}; softmax P "
        f"{mean['p_soft']:.3f} R {mean['r_soft']:.3f} F1(of means) {f1['soft']:.3f}; warned on sigmoid "
        f"{sum(r['w_sig'] for r in rows)}/{len(rows)}, on softmax {sum(r['w_soft'] for r in rows)}/{len(rows)}"
    )


if __name__ == "__main__":
    main()
