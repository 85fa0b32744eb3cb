"""A small real table: scikit-learn's diabetes (442 rows, 10 features), 10 targets raised by 300.

For seeds 0-9, 10 random rows get ``y + 300`` (about 4 standard deviations of the target);
labelwise's ``regression.find_label_issues(y, X=X)`` (default model, rule ``mixture``) and, with
``--cleanlab``, cleanlab's ``regression.learn.CleanLearning(seed=0).find_label_issues(X, y)``
(its default model, LinearRegression) each flag rows, neither told the number of errors. Printed:
F1 of the flagged rows and errors found per seed, their means, and labelwise's chosen scale.

Usage: python benchmarks/bench_regression_small.py [--cleanlab]
"""

from __future__ import annotations

import argparse
import collections
import time

import numpy as np
from _machine import machine_line
from sklearn.datasets import load_diabetes

from labelwise.audit import regression


def f1(flags: np.ndarray, truth: np.ndarray) -> float:
    return 2 * int((flags & truth).sum()) / max(int(flags.sum()) + int(truth.sum()), 1)


def cases():
    X, y = load_diabetes(return_X_y=True)
    for seed in range(10):
        rows = np.random.default_rng(seed).choice(y.size, 10, replace=False)
        noisy = y.copy()
        noisy[rows] += 300
        truth = np.zeros(y.size, bool)
        truth[rows] = True
        yield seed, X, noisy, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cleanlab", action="store_true", help="Also run cleanlab's CleanLearning.")
    args = parser.parse_args()
    print(machine_line("scikit-learn", "cleanlab"), flush=True)
    scores: dict[str, list[tuple[float, int]]] = collections.defaultdict(list)
    chosen = collections.Counter()
    t0 = time.perf_counter()
    for seed, X, y, truth in cases():
        res = regression.find_label_issues(y, X=X)
        chosen[res.summary().get("scale", "(not recorded)")] += 1
        scores["labelwise"].append((f1(res.is_issue, truth), int((res.is_issue & truth).sum())))
        line = f"seed {seed}: labelwise F1 {scores['labelwise'][-1][0]:.3f} found {scores['labelwise'][-1][1]}"
        if args.cleanlab:
            from cleanlab.regression.learn import CleanLearning

            flags = CleanLearning(seed=0).find_label_issues(X, y)["is_label_issue"].to_numpy()
            scores["cleanlab"].append((f1(flags, truth), int((flags & truth).sum())))
            line += f"; cleanlab F1 {scores['cleanlab'][-1][0]:.3f} found {scores['cleanlab'][-1][1]}"
        print(line, flush=True)
    for name, rows in scores.items():
        arr = np.array(rows, dtype=float)
        print(f"{name}: mean F1 {arr[:, 0].mean():.3f}, errors found {arr[:, 1].mean():.1f} of 10")
    print(f"labelwise's scale: {dict(chosen)}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
