"""Dev runs: an empirical-Bayes strength for Dawid-Skene's diagonal prior (issue 15, part 1), simulated only.

``DawidSkene()`` adds a Dirichlet prior of ``prior_strength = 8`` pseudo-answers per confusion row,
centred on an annotator of the crowd's mean accuracy. This script tries estimating the strength
from the data instead, as in hierarchical (partially pooled) Bayesian Dawid-Skene models (Kim and
Ghahramani 2012; Paun et al. 2018): each annotator's expected (true x given) counts under the
majority-vote posterior are Dirichlet-multinomial draws around a shared mean, and the strength
``s`` maximises their marginal likelihood (type-II maximum likelihood, Minka 2000, on a grid of
``s`` from 0.1 to 10,000). Two means: ``sym`` (the default prior's, from pairwise agreement) and
``pool`` (the crowd's pooled confusion under majority vote). Data:

* the sparse crowds of ``dev_aggregate_prior.py`` (dev seeds 0-2), and
* *look-alike crowds*, written to mimic the diagnosis of the real set where the default falls
  below majority vote: class 0 common, class 1 rarer and answered with lower sensitivity, and a
  share of class-0 items that look like another class (each answer drawn to it with probability
  0.3-0.6), Zipf-like activity; Dawid-Skene explains their split votes as the rare class.

Prints accuracy minus majority vote (points) per set, then worst and mean. Usage::

    python benchmarks/dev_aggregate_eb_prior.py [--seeds 0 1 2] [--quick]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import gammaln

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import GLAD, DawidSkene, MajorityVote, OneCoinDawidSkene
from labelwise.aggregate.dawid_skene import _Observed
from labelwise.aggregate.majority import weighted_vote_shares
from labelwise.aggregate.priors import agreement_accuracy, diagonal_confusion_prior
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

SPARSE = [  # (answers per item, K, n_items, n_annotators, spammer share, adversary share)
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
LOOK_ALIKE = [  # (n_items, K, n_annotators, answers per item, look-alike share of class 0, rare share, skew)
    (2000, 2, 75, 5, 0.25, 0.22, 1.0),
    (2000, 2, 75, 5, 0.0, 0.22, 1.0),
    (2000, 2, 75, 5, 0.25, 0.22, 1.5),
    (2000, 3, 50, 5, 0.25, 0.3, 1.0),
]


def look_alike_crowd(n_items, k, m, r, hard_share, rare, skew, seed) -> tuple[pd.DataFrame, pd.Series]:
    """Class 0 with probability ``1 - rare``; sensitivity 0.8-0.97 on class 0 and 0.55-0.85 on the
    others; ``hard_share`` of class-0 items look like another class (answers drawn to it w.p. 0.3-0.6)."""
    rng = np.random.default_rng(seed)
    p = np.array([1 - rare] + [rare / (k - 1)] * (k - 1))
    truth = rng.choice(k, n_items, p=p)
    hard = (rng.random(n_items) < hard_share) & (truth == 0)
    look = (truth + rng.integers(1, k, n_items)) % k
    lure = np.where(hard, rng.uniform(0.3, 0.6, n_items), 0.0)
    acc0, acc1 = rng.uniform(0.8, 0.97, m), rng.uniform(0.55, 0.85, m)
    activity = rng.permutation(np.arange(1, m + 1) ** -float(skew))
    activity /= activity.sum()
    who = np.array([rng.choice(m, r, replace=False, p=activity) for _ in range(n_items)]).ravel()
    item = np.repeat(np.arange(n_items), r)
    t = truth[item]
    lured = rng.random(len(item)) < lure[item]
    right = rng.random(len(item)) < np.where(t == 0, acc0[who], acc1[who])
    wrong = (t + rng.integers(1, k, len(item))) % k
    label = np.where(lured, look[item], np.where(right, t, wrong))
    return pd.DataFrame({"item": item, "annotator": who, "label": label}), pd.Series(truth)


def eb_strength(obs: _Observed, post: np.ndarray, k: int, n_annotators: int, mean: np.ndarray) -> float:
    """Grid maximiser of the Dirichlet-multinomial marginal likelihood of the annotators' count rows."""
    counts = np.asarray(obs.mt @ (post * obs.weights[:, None]))  # [used column (j, l), true k]
    full = np.zeros((n_annotators * k, k))
    full[obs.columns] = counts
    n = full.reshape(n_annotators, k, k).transpose(0, 2, 1)  # [j, true, given]
    rows = n.sum(axis=2)
    grid = np.logspace(-1, 4, 101)
    ll = [
        (gammaln(s) - gammaln(s + rows)).sum() + (gammaln(s * mean[None] + n) - gammaln(s * mean[None])).sum()
        for s in grid
    ]
    return float(grid[int(np.argmax(ll))])


class EmpiricalBayesDawidSkene(DawidSkene):
    """``DawidSkene`` whose prior strength is the type-II ML estimate at the majority-vote posterior."""

    def __init__(self, *, mean: str = "sym", **kw) -> None:
        super().__init__(**kw)
        self.mean = mean

    def _pseudo_counts(self, pat):
        k = pat.answers.n_classes
        acc = agreement_accuracy(pat.answers.item_label_counts, pat.weights)
        sym = diagonal_confusion_prior(k, strength=1.0, accuracy=acc)
        obs = _Observed.build(pat)
        vote = weighted_vote_shares(pat.answers)
        if self.mean == "sym":
            mean = sym
        else:
            cnt = np.asarray(obs.mt @ (vote * obs.weights[:, None]))
            pooled = np.zeros((k, k))
            np.add.at(pooled, obs.label_of, cnt)
            mean = (pooled.T + sym) / (pooled.T + sym).sum(axis=1, keepdims=True)
        self.strength_ = eb_strength(obs, vote, k, pat.answers.n_annotators, mean)
        return self.strength_ * mean


def accuracy(est, answers: pd.DataFrame, truth: pd.Series) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = est.fit(answers).labels_
    return 100 * float((labels.to_numpy() == truth.reindex(labels.index).to_numpy()).mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--quick", action="store_true", help="default and the symmetric-mean estimate only")
    args = ap.parse_args()
    sets = []
    for seed in args.seeds:
        for r, k, n, m, spam, adv in SPARSE:
            sim = simulate_sparse_crowd(
                n, k, m, answers_per_item=r, spammer_share=spam, adversary_share=adv, random_state=seed
            )
            sets.append((f"sparse_r{r}_K{k}_s{seed}", sim.answers, sim.true_labels))
        for cfg in LOOK_ALIKE:
            name = f"lookalike_K{cfg[1]}_r{cfg[3]}_hard{cfg[4]}_skew{cfg[6]}_s{seed}"
            sets.append((name, *look_alike_crowd(*cfg, seed=seed)))
    rows = []
    for name, answers, truth in sets:
        mv = accuracy(MajorityVote(), answers, truth)
        row: dict = {"set": name, "majority": mv, "default": accuracy(DawidSkene(), answers, truth) - mv}
        eb = EmpiricalBayesDawidSkene(mean="sym")
        row["eb_sym"] = accuracy(eb, answers, truth) - mv
        row["s_sym"] = eb.strength_
        if not args.quick:
            eb = EmpiricalBayesDawidSkene(mean="pool")
            row["eb_pool"] = accuracy(eb, answers, truth) - mv
            row["s_pool"] = eb.strength_
            row["one_coin"] = accuracy(OneCoinDawidSkene(), answers, truth) - mv
            row["glad"] = accuracy(GLAD(), answers, truth) - mv
        rows.append(row)
        print(pd.DataFrame([row]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    cols = [c for c in ("default", "eb_sym", "eb_pool", "one_coin", "glad") if c in frame]
    for label, part in (
        ("sparse", frame[frame.set.str.startswith("sparse")]),
        ("look-alike", frame[~frame.set.str.startswith("sparse")]),
    ):
        print(f"\n{label} ({len(part)} sets): accuracy minus majority vote, points")
        print(part[cols].agg(["min", "mean"]).round(2).to_string())


if __name__ == "__main__":
    main()
