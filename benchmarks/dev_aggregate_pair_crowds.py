"""Simulated crowds with a *dependent pair* of heavy workers (issue 15, session 7): dev data only.

A closer look at the real crowd set where the Dawid-Skene default falls below majority vote
(structure only, nothing chosen on it) showed more than class-dependent sensitivities: two of the
heaviest workers (each answering half or more of the items) make the *same* mistakes on the same
items of the common class, about three times as often as independent mistakes would coincide, and
other heavy workers are close to spammers that mostly answer the common class. Dawid-Skene assumes
answers independent given the class, so the pair's shared mistakes look like strong evidence for
the rare class, and its latent "rare class" drifts to "what the pair says".

``pair_crowd`` writes crowds of that structure: class 0 with probability ``1 - rare``; ``n_heavy``
heavy workers answering 40-95% of the items (two of them the *pair*), the rest light workers
with Zipf-like activity filling each item up to ``answers`` answers; ordinary workers right with
probability 0.75-0.95 (class 0) and 0.45-0.85 (other classes); ``n_biased`` of the heavy workers
answer class 0 with probability 0.8 whatever the item (near-spammers); on a ``lure`` share of
class-0 items the pair both answer the look-alike class 1 with probability ``pair_p`` each,
*together* (one draw for the two). Session 8's crowds (the last four of ``PAIR``) add a crowd-wide
lure (on a ``crowd_lure`` share of the class-0 items, drawn apart from the pair's, every worker but
the near-spammers answers 1 with probability ``crowd_p``, independently), a lower floor ``low1``
of the rare-class sensitivity, and put the pair among the heaviest workers (``pair_share`` of the
items each): on these the Dawid-Skene default falls clearly below majority vote, by structure.
Importable: ``from dev_aggregate_pair_crowds import PAIR, pair_crowd``.

Run as a script, prints majority vote's accuracy and each method's accuracy minus it (points);
``--weak`` prints ``weak.LabelModel`` instead: as it is, without the co-vote gate of its clique
search (session 6), and without cliques (a diagnosis, nothing chosen)::

    python benchmarks/dev_aggregate_pair_crowds.py [--seeds 0 1 2] [--weak]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dev_aggregate_eb_prior import accuracy  # noqa: E402

PAIR = [  # (n_items, K, n_light, n_heavy, n_biased, answers per item, rare share, lure share, pair_p, ...)
    (2000, 2, 70, 5, 2, 5, 0.22, 0.2, 0.8),
    (2000, 2, 70, 5, 2, 5, 0.22, 0.0, 0.8),
    (2000, 2, 70, 4, 0, 5, 0.3, 0.25, 0.7),
    (2000, 3, 50, 5, 1, 4, 0.3, 0.2, 0.8),
    (1000, 2, 40, 6, 2, 6, 0.15, 0.3, 0.6),
    # session 8: the pair among the heaviest workers, a crowd-wide lure on other class-0 items, and
    # (crowd_lure, crowd_p, lowest rare-class sensitivity, the pair's shares of the items)
    (2000, 2, 70, 6, 2, 5, 0.22, 0.3, 0.8, 0.1, 0.4, 0.45, (0.9, 0.6)),
    (2000, 2, 70, 6, 2, 5, 0.22, 0.3, 0.8, 0.0, 0.0, 0.4, (0.9, 0.9)),
    (2000, 2, 60, 6, 2, 5, 0.25, 0.35, 0.75, 0.1, 0.3, 0.4, (0.95, 0.65)),
    (2000, 3, 60, 6, 2, 5, 0.25, 0.3, 0.8, 0.1, 0.4, 0.45, (0.9, 0.7)),
]


def pair_crowd(
    n_items,
    k,
    n_light,
    n_heavy,
    n_biased,
    answers,
    rare,
    lure,
    pair_p,
    crowd_lure=0.0,
    crowd_p=0.0,
    low1=0.45,
    pair_share=None,
    *,
    seed,
):
    """Answers (item, annotator, label) and the true labels; see the module docstring."""
    rng = np.random.default_rng(seed)
    p = np.array([1 - rare] + [rare / (k - 1)] * (k - 1))
    truth = rng.choice(k, n_items, p=p)
    m = n_heavy + n_light
    acc0, acc1 = rng.uniform(0.75, 0.95, m), rng.uniform(low1, 0.85, m)
    biased = np.zeros(m, dtype=bool)
    biased[2 : 2 + n_biased] = True  # workers 0 and 1 are the pair; the next n_biased near-spammers
    heavy_share = rng.uniform(0.4, 0.95, n_heavy)
    if pair_share is not None:  # the pair among the heaviest workers
        heavy_share[:2] = pair_share
    activity = rng.permutation(np.arange(1, n_light + 1) ** -1.0)
    activity /= activity.sum()
    items, workers = [], []
    for i in range(n_items):
        who = list(np.flatnonzero(rng.random(n_heavy) < heavy_share)[:answers])
        need = max(answers - len(who), 1 if not who else 0)
        who += list(n_heavy + rng.choice(n_light, need, replace=False, p=activity))
        items += [i] * len(who)
        workers += who
    item, worker = np.array(items), np.array(workers)
    t = truth[item]
    right = rng.random(len(item)) < np.where(t == 0, acc0[worker], acc1[worker])
    wrong = (t + rng.integers(1, k, len(item))) % k
    label = np.where(right, t, wrong)
    spam = np.where(rng.random(len(item)) < 0.8, 0, rng.integers(1, k, len(item)))
    label = np.where(biased[worker], spam, label)
    fooled = (truth == 0) & (rng.random(n_items) < lure) & (rng.random(n_items) < pair_p)  # one draw per item
    label = np.where((worker < 2) & fooled[item], 1, label)
    if crowd_lure > 0:  # a crowd-wide lure: on these class-0 items every worker is drawn to class 1 alone
        hard = (truth == 0) & (rng.random(n_items) < crowd_lure)
        drawn = hard[item] & (rng.random(len(item)) < crowd_p) & ~biased[worker]
        label = np.where(drawn, 1, label)
    return pd.DataFrame({"item": item, "annotator": worker, "label": label}), pd.Series(truth)


def weak_row(answers: pd.DataFrame, truth: pd.Series, mv: float) -> dict:
    """``weak.LabelModel`` as it is, without the co-vote gate, and without cliques: points vs ``mv``."""
    import numpy as np

    from labelwise.weak import LabelModel, as_votes
    from labelwise.weak._dependencies import PairTables

    votes = as_votes(answers.rename(columns={"annotator": "labeler"}))
    out: dict = {}
    gate = PairTables.covote_z
    for name, params, no_gate in (
        ("lm", {}, False),
        ("lm_no_gate", {}, True),
        ("lm_indep", {"dependency_threshold": None}, False),
    ):
        if no_gate:
            PairTables.covote_z = lambda self, a, b: np.inf  # every pair passes: the search before session 6
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = LabelModel(**params).fit(votes)
        finally:
            PairTables.covote_z = gate
        lab = model.labels_
        out[name] = 100 * float((lab.to_numpy() == truth.reindex(lab.index).to_numpy()).mean()) - mv
        out[f"cl_{name}"] = sum(len(c) > 1 for c in model.groups_)
    return out


def main() -> None:
    from labelwise.aggregate import GLAD, AutoAggregator, DawidSkene, MajorityVote, OneCoinDawidSkene

    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--weak", action="store_true", help="weak.LabelModel with and without the co-vote gate")
    args = ap.parse_args()
    rows = []
    for seed in args.seeds:
        for cfg in PAIR:
            answers, truth = pair_crowd(*cfg, seed=seed)
            mv = accuracy(MajorityVote(), answers, truth)
            row = {"crowd": f"pair K{cfg[1]} lure{cfg[7]} biased{cfg[4]}", "seed": seed, "mv": mv}
            if args.weak:
                row.update(weak_row(answers, truth, mv))
                rows.append(row)
                print(pd.DataFrame([row]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)
                continue
            row["ml"] = accuracy(DawidSkene(smoothing=0), answers, truth) - mv
            row["ds"] = accuracy(DawidSkene(), answers, truth) - mv
            row["one_coin"] = accuracy(OneCoinDawidSkene(), answers, truth) - mv
            row["glad"] = accuracy(GLAD(verbose=False), answers, truth) - mv
            auto = AutoAggregator(candidates=("majority-vote", "one-coin", "dawid-skene", "glad"))
            row["auto_glad"] = accuracy(auto, answers, truth) - mv
            row["pick"] = auto.chosen_
            rows.append(row)
            print(pd.DataFrame([row]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)


if __name__ == "__main__":
    main()
