"""RONI's ``n_draws`` default on dev data (session 34, rest34): simulated ``make_classification``
tables, not the benchmark's breast-cancer table. 120 trusted / 240 suspect rows, 10% of the suspect
labels flipped by ``random_flips`` or ``alfa``; F1 on the flipped rows for n_draws 1, 3, 5.

    python benchmarks/dev_roni_draws.py                      # logistic regression, seeds 100-105
    python benchmarks/dev_roni_draws.py --svc --seeds 200-203  # RBF SVC (C=10), as detect-poison --model svc
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

import labelwise as lw


def f1(flagged: np.ndarray, truth: np.ndarray) -> float:
    tp = (flagged & truth).sum()
    p, r = tp / max(flagged.sum(), 1), tp / max(truth.sum(), 1)
    return 0.0 if tp == 0 else float(2 * p * r / (p + r))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svc", action="store_true")
    parser.add_argument("--seeds", default="100-105")
    parser.add_argument("--draws", default="1,3,5")
    args = parser.parse_args()
    threadpool_limits(1)
    first, last = (int(v) for v in args.seeds.split("-"))
    estimator = SVC(C=10.0, gamma="scale") if args.svc else LogisticRegression(max_iter=1000)
    rows = []
    for seed in range(first, last + 1):
        X, y = make_classification(600, 10, n_informative=5, class_sep=1.0, flip_y=0.0, random_state=seed)
        X = (X - X.mean(0)) / X.std(0)
        order = np.random.default_rng(seed).permutation(600)
        Xv, yv, Xs, ys = X[order[:120]], y[order[:120]], X[order[120:360]], y[order[120:360]]
        for attack in ("random", "alfa"):
            flips = lw.poison.random_flips if attack == "random" else lw.poison.alfa
            poisoned = flips(Xs, ys, 0.1, random_state=seed)
            for draws in (int(d) for d in args.draws.split(",")):
                start = time.perf_counter()
                found = lw.poison.roni(
                    Xs, poisoned.labels, estimator=estimator, X_valid=Xv, y_valid=yv, n_draws=draws, random_state=seed
                )
                score = f1(found.is_flagged, poisoned.is_flipped)
                rows.append((seed, attack, draws, score, found.n_flagged, time.perf_counter() - start))
                print(rows[-1], flush=True)
    frame = pd.DataFrame(rows, columns=["seed", "attack", "n_draws", "f1", "flagged", "seconds"])
    print(frame.groupby(["attack", "n_draws"])[["f1", "flagged", "seconds"]].mean())


if __name__ == "__main__":
    main()
