"""Choose when MMSR warns about a sparse crowd, on simulated crowds (dev seeds only).

Crowds of honest annotators only (no spammer, no adversary; accuracies uniform in 0.55-0.9), 2000
items, 3 answers each, K = 2 and 5, 20-1000 annotators with flat or Zipf-like activity. For each,
prints what the warning could be measured on (the share of annotator pairs sharing no item, the
median items a pair of annotators sharing any shares) and what goes wrong (the share of annotators
MMSR weights negatively, i.e. takes for adversaries, and its accuracy minus majority vote's, in
points). The real crowd sets are not used here. Usage::

    python benchmarks/dev_mmsr_sparse.py [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import MMSR, MajorityVote
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate.mmsr import agreement_covariance
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

ANNOTATORS = (20, 40, 50, 60, 75, 100, 300, 1000)


def one(k: int, n_annotators: int, skew: float, seed: int) -> dict:
    crowd = simulate_sparse_crowd(
        n_items=2000,
        n_classes=k,
        n_annotators=n_annotators,
        answers_per_item=3,
        spammer_share=0.0,
        adversary_share=0.0,
        accuracy=(0.55, 0.9),
        activity_skew=skew,
        random_state=seed,
    )
    _, common = agreement_covariance(encode_answers(crowd.answers))
    upper = common[np.triu_indices(common.shape[0], k=1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mmsr = MMSR().fit(crowd.answers)
    truth = crowd.true_labels
    acc = float((mmsr.labels_.reindex(truth.index) == truth).mean())
    mv = float((MajorityVote().fit(crowd.answers).labels_.reindex(truth.index) == truth).mean())
    return {
        "K": k,
        "annotators": common.shape[0],
        "activity": "zipf" if skew else "flat",
        "seed": seed,
        "no_item_pairs": round(float(np.mean(upper == 0)), 3),
        "median_shared": float(np.median(upper[upper > 0])),
        "negative_weight": round(float((mmsr.annotator_weight_ < 0).mean()), 3),
        "points_vs_vote": round(100 * (acc - mv), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    rows = [one(k, n, skew, s) for s in args.seeds for k in (2, 5) for n in ANNOTATORS for skew in (0.0, 1.0)]
    table = pd.DataFrame(rows).sort_values(["median_shared", "K"])
    pd.set_option("display.width", 200)
    print(table.to_string(index=False))
    print("\nby median items shared (bins) and K: mean points vs majority vote, mean share weighted negatively")
    table["bin"] = pd.cut(table["median_shared"], [0, 1, 2, 4, 8, 1e9], labels=["1", "2", "3-4", "5-8", ">8"])
    print(table.groupby(["bin", "K"], observed=True)[["points_vs_vote", "negative_weight"]].agg(["mean", "min", "max"]))


if __name__ == "__main__":
    main()
