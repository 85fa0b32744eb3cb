"""Speed of labelwise's iterative stratified folds against the iterative-stratification package (iterstrat).

Both split the same simulated tag matrices (make_multilabel_classification, 20 tags, n_labels=3) into
5 folds in one run; each time is the median of ``--repeats`` runs, and the paper's LD / LPD measures
of both splits are printed next to them (the same algorithm, other tie-breaks: folds are compared by
those measures, not row by row).

iterstrat is not a dependency of labelwise, nor a test peer: its wheel installs a top-level ``tests``
package that would shadow this repository's. Install it into a folder of its own and name it here;
the folder is put on ``sys.path`` for this run only::

    pip install --no-deps --target /tmp/iterstrat iterative-stratification==0.1.9
    cd benchmarks && python dev_tags_split_speed.py --iterstrat /tmp/iterstrat [--rows 20000 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from _machine import machine_line  # noqa: E402
from sklearn.datasets import make_multilabel_classification

from labelwise.robust.multilabel_folds import IterativeStratifiedKFold, label_distribution, labelset_distribution


def _median_time(fn, repeats: int) -> tuple[float, np.ndarray]:
    """The median wall time of ``fn()`` over ``repeats`` runs, and its last result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def _peer_folds(y: np.ndarray, seed: int) -> np.ndarray:
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    folds = np.full(len(y), -1)
    for j, (_, test) in enumerate(MultilabelStratifiedKFold(5, shuffle=True, random_state=seed).split(y, y)):
        folds[test] = j
    return folds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterstrat", required=True, help="folder holding the iterstrat package (pip --target)")
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--tags", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, args.iterstrat)
    print(machine_line("scikit-learn", "iterative-stratification"))
    for n in args.rows:
        _, y = make_multilabel_classification(n, n_features=5, n_classes=args.tags, n_labels=3, random_state=0)
        ours_s, ours = _median_time(lambda: IterativeStratifiedKFold(5, random_state=0).test_folds(y), args.repeats)
        peer_s, peer = _median_time(lambda: _peer_folds(y, 0), args.repeats)
        print(
            f"{n} rows x {args.tags} tags: labelwise {ours_s:.3f} s (LD {label_distribution(y, ours):.5f}, "
            f"LPD {labelset_distribution(y, ours):.5f}), iterstrat {peer_s:.3f} s (LD {label_distribution(y, peer):.5f}, "
            f"LPD {labelset_distribution(y, peer):.5f}); iterstrat / labelwise time {peer_s / ours_s:.1f}x"
        )


if __name__ == "__main__":
    main()
