"""Choose DawidSkene's default prior strength on simulated sparse crowds (dev seeds only).

For each simulated configuration (1, 2 and 4 answers per item; 2 to 100 classes; spammers and
adversarial annotators; Zipf-like activity) and each candidate ``prior_strength``, prints the
accuracy of ``DawidSkene(smoothing="auto", prior_strength=s)`` minus majority vote's, in points,
with the old default (``smoothing=0.01``) and maximum likelihood (``smoothing=0``) for reference.
The real crowd sets are not used here. Usage::

    python benchmarks/dev_aggregate_prior.py [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import DawidSkene, MajorityVote
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

STRENGTHS = [1.0, 2.0, 4.0, 8.0]
CONFIGS = [  # (answers per item, K, n_items, n_annotators, spammer share, adversary share)
    (1, 100, 20000, 500, 0.1, 0.05),
    (1, 10, 5000, 200, 0.1, 0.05),
    (1, 2, 5000, 200, 0.1, 0.05),
    (2, 100, 20000, 500, 0.1, 0.05),
    (2, 20, 5000, 200, 0.2, 0.1),
    (2, 5, 5000, 200, 0.1, 0.05),
    (2, 2, 5000, 100, 0.2, 0.1),
    (4, 10, 3000, 100, 0.1, 0.05),
    (4, 2, 3000, 50, 0.2, 0.1),
]


FALLBACKS: dict[str, int] = {}


def acc(est, answers, truth, name: str = "") -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = est.fit(answers).labels_
    if getattr(est, "fallback_", None):
        FALLBACKS[name] = FALLBACKS.get(name, 0) + 1
    return 100 * float((labels.to_numpy() == truth.reindex(labels.index).to_numpy()).mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    args = ap.parse_args()
    rows = []
    for r, k, n, m, spam, adv in CONFIGS:
        for seed in args.seeds:
            sim = simulate_sparse_crowd(
                n, k, m, answers_per_item=r, spammer_share=spam, adversary_share=adv, random_state=seed
            )
            mv = acc(MajorityVote(), sim.answers, sim.true_labels)
            row = {"r": r, "K": k, "seed": seed, "mv": mv}
            row["ml"] = acc(DawidSkene(smoothing=0.0), sim.answers, sim.true_labels) - mv
            row["old"] = acc(DawidSkene(smoothing=0.01), sim.answers, sim.true_labels) - mv
            for s in STRENGTHS:
                row[f"s={s:g}"] = acc(DawidSkene(prior_strength=s), sim.answers, sim.true_labels, f"s={s:g}") - mv
            rows.append(row)
            print(pd.DataFrame([row]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    cols = ["ml", "old"] + [f"s={s:g}" for s in STRENGTHS]
    print("\naccuracy minus majority vote (points): worst and mean over all configurations and seeds")
    summary = pd.DataFrame(
        {
            "worst": frame[cols].min(),
            "mean": frame[cols].mean(),
            "fallbacks": pd.Series(FALLBACKS).reindex(cols).fillna(0),
        }
    )
    print(summary.round(2).T.to_string())
    print(f"({len(frame)} runs; fallbacks = fits where the guard replaced EM's labels by majority vote)")


if __name__ == "__main__":
    main()
