"""Choose ``AutoAggregator``'s settings on simulated crowds (dev seeds only), and decide whether it
should be the command line's default method.

For each simulated crowd (the sparse crowds of ``dev_aggregate_prior.py``: 1, 2 and 4 answers per
item, 2 to 100 classes, spammers and adversaries; plus dense crowds from ``simulate_annotators``
with one-coin (``errors="uniform"``) and class-dependent (``errors="confusion"``) mistakes, where
each model is the right one), prints the accuracy of majority vote, the default Dawid-Skene, one-coin
and ``AutoAggregator(n_folds=F)`` for each candidate ``F``, minus majority vote's, in points, and
auto's choice. The real crowd sets are not used here. Usage::

    python benchmarks/dev_aggregate_auto.py [--seeds 0 1 2] [--folds 3 5 10]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import AutoAggregator, DawidSkene, MajorityVote, OneCoinDawidSkene
from labelwise.aggregate.simulate import simulate_annotators
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

SPARSE = [  # (answers per item, K, n_items, n_annotators, spammer share, adversary share)
    (1, 10, 5000, 200, 0.1, 0.05),
    (2, 100, 10000, 300, 0.1, 0.05),
    (2, 20, 5000, 200, 0.2, 0.1),
    (2, 5, 5000, 200, 0.1, 0.05),
    (2, 2, 5000, 100, 0.2, 0.1),
    (4, 10, 3000, 100, 0.1, 0.05),
    (4, 2, 3000, 50, 0.2, 0.1),
]
DENSE = [  # (errors, K, n_items, n_annotators, answers per item)
    ("uniform", 2, 2000, 60, 5),
    ("uniform", 5, 2000, 60, 3),
    ("confusion", 2, 2000, 20, 5),
    ("confusion", 5, 2000, 20, 3),
]


def _crowds(seed: int):
    for r, k, n, m, spam, adv in SPARSE:
        sim = simulate_sparse_crowd(
            n, k, m, answers_per_item=r, spammer_share=spam, adversary_share=adv, random_state=seed
        )
        yield f"sparse r={r} K={k}", sim.answers, sim.true_labels
    for errors, k, n, m, r in DENSE:
        rng = np.random.default_rng(seed)
        truth = rng.integers(0, k, n)
        sim = simulate_annotators(
            truth, n_annotators=m, answers_per_item=r, accuracy=(0.35, 0.85), errors=errors, random_state=seed
        )
        yield f"{errors} r={r} K={k}", sim.answers, sim.true_labels


def _acc(est, answers, truth) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = est.fit(answers).labels_
    return 100 * float((labels.to_numpy() == truth.reindex(labels.index).to_numpy()).mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--folds", type=int, nargs="*", default=[3, 5, 10])
    args = ap.parse_args()
    rows = []
    for seed in args.seeds:
        for name, answers, truth in _crowds(seed):
            mv = _acc(MajorityVote(), answers, truth)
            row: dict = {"crowd": name, "seed": seed, "mv": mv}
            row["ds"] = _acc(DawidSkene(), answers, truth) - mv
            row["one-coin"] = _acc(OneCoinDawidSkene(), answers, truth) - mv
            for f in args.folds:
                est = AutoAggregator(n_folds=f)
                t0 = time.perf_counter()
                row[f"auto{f}"] = _acc(est, answers, truth) - mv
                row[f"t{f}"] = time.perf_counter() - t0
                row[f"pick{f}"] = est.chosen_
            rows.append(row)
            print(pd.DataFrame([row]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    cols = ["ds", "one-coin"] + [f"auto{f}" for f in args.folds]
    print("\naccuracy minus majority vote (points): worst and mean over all crowds and seeds")
    print(pd.DataFrame({"worst": frame[cols].min(), "mean": frame[cols].mean()}).round(2).T.to_string())
    print("mean seconds per auto fit:", {f: round(frame[f"t{f}"].mean(), 2) for f in args.folds})
    print(f"({len(frame)} runs)")


if __name__ == "__main__":
    main()
