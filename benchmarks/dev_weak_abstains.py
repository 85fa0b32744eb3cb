"""Dev runs for the label model's abstain-model choice (issue 15, part 2), on simulated data only.

``LabelModel(abstains="auto")`` fits two models of an abstain, *informative* (its probability
depends on the class: keyword rules) and *missing* (it does not: crowd workers assigned to
items), and keeps one. This script compares choice rules on simulated sets never used by the
benchmark (``simulate_lfs`` dev seeds 100-109 with the benchmark's configurations, bipolar and
unipolar rule sets, and crowds of :mod:`labelwise.aggregate`'s simulators, including crowds whose
workers are assigned to items in batches), and prints, per set, the accuracy of each abstain
model, of majority vote, and the model each rule picks::

    python benchmarks/dev_weak_abstains.py

Rules: ``bic`` (lower BIC), ``values`` (higher log-likelihood of the votes' values given which
functions voted, :func:`labelwise.weak._posterior.vote_value_log_likelihood`; BIC on a tie),
``covered`` (missing when every item has a vote, else BIC).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))


def batch_crowd(n_items: int, n_classes: int, n_batches: int, per_batch: int, seed: int) -> tuple:
    """Workers assigned to items in batches (HITs) that have nothing to do with the class: each batch
    of items gets ``per_batch`` workers of its own pool; workers have class-dependent confusions."""
    from labelwise.weak import as_votes

    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n_items)
    batch = rng.integers(0, n_batches, n_items)
    n_workers = n_batches * per_batch
    acc = rng.uniform(0.55, 0.95, n_workers)
    rows = []
    for i in range(n_items):
        own = batch[i] * per_batch + rng.choice(per_batch, size=max(2, per_batch - 2), replace=False)
        workers = np.concatenate([own, rng.choice(n_workers, size=1)])  # one worker from anywhere
        for w in workers:
            right = rng.random() < acc[w]
            label = y[i] if right else (y[i] + 1 + rng.integers(0, n_classes - 1)) % n_classes
            rows.append((i, f"w{w}", int(label)))
    answers = pd.DataFrame(rows, columns=["item", "labeler", "label"])
    return as_votes(answers), pd.Series(y, index=pd.RangeIndex(n_items))


def dev_sets() -> list[tuple[str, object, pd.Series]]:
    from bench_weak import simulated_sets

    from labelwise.aggregate import simulate_annotators, simulate_sparse_crowd
    from labelwise.weak import as_votes, simulate_lfs

    out = list(simulated_sets(100))
    for seed in (100, 101):
        for uni in (0.0, 1.0):
            sim = simulate_lfs(5000, 12, 3, unipolar=uni, n_correlated=2, coverage=(0.05, 0.5), random_state=seed)
            out.append((f"lfs_unipolar{uni:.0f}_s{seed}", sim.votes, sim.truth))
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        for k, r, errors in ((2, 3, "uniform"), (5, 5, "confusion"), (3, 3, "confusion")):
            y = pd.Series(rng.integers(0, k, 2000))
            crowd = simulate_annotators(y, n_annotators=30, answers_per_item=r, errors=errors, random_state=seed)
            long = crowd.answers.rename(columns={"annotator": "labeler"}).astype({"labeler": str})
            out.append((f"crowd_K{k}_r{r}_{errors}_s{seed}", as_votes(long), y))
        for k, r in ((2, 2), (5, 4), (10, 2)):
            sparse = simulate_sparse_crowd(3000, k, 100, answers_per_item=r, random_state=seed)
            long = sparse.answers.rename(columns={"annotator": "labeler"}).astype({"labeler": str})
            out.append((f"sparse_K{k}_r{r}_s{seed}", as_votes(long), sparse.true_labels))
        for k, b in ((2, 20), (2, 60), (4, 30)):
            votes, y = batch_crowd(2000, k, b, 5, seed)
            out.append((f"batches_K{k}_b{b}_s{seed}", votes, y))
    return out


def evaluate(name: str, votes, truth: pd.Series) -> dict:
    from labelwise.aggregate import MajorityVote
    from labelwise.weak import LabelModel

    matrix = votes.matrix()
    covered = (matrix >= 0).any(axis=1)
    g = truth.reindex(votes.items).to_numpy()
    scored = covered & pd.notna(g)

    def acc(labels) -> float:
        return float(np.mean(np.asarray(labels)[scored] == g[scored]))

    auto = LabelModel().fit(votes)
    row = {"set": name, "n": int(votes.n_items), "m": votes.n_labelers, "all_voted": bool(covered.all())}
    for mode in ("informative", "missing"):
        row[mode] = acc(LabelModel(abstains=mode).fit(votes).labels_.to_numpy())
    row["majority"] = acc(MajorityVote().fit(votes.to_annotations()).labels_.reindex(votes.items).to_numpy())
    bic, vll = auto.bic_, auto.vote_log_likelihood_
    row["bic"] = min(bic, key=bic.get)
    gap = vll["informative"] - vll["missing"]
    row["vll_gap_per_item"] = gap / max(int(covered.sum()), 1)
    row["values"] = row["bic"] if abs(gap) < 1e-9 * max(abs(vll["missing"]), 1.0) else max(vll, key=vll.get)
    row["covered"] = "missing" if row["all_voted"] else row["bic"]
    row["both"] = auto.abstains_
    from labelwise.aggregate.dawid_skene import relabelled_classes
    from labelwise.weak._moments import indicator
    from labelwise.weak._posterior import vote_shares

    shares = vote_shares(indicator(matrix, len(votes.classes)), votes.n_labelers, len(votes.classes))
    row["guard"] = len(relabelled_classes(shares[covered], auto.probas_.to_numpy()[covered]))
    return row


def main() -> None:
    pd.set_option("display.width", 220)
    rows = []
    for name, votes, truth in dev_sets():
        rows.append(evaluate(name, votes, truth))
        print(pd.DataFrame([rows[-1]]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    print("\nrule: mean accuracy, worst points below majority vote, sets picking the less accurate model")
    for rule in ("bic", "values", "covered", "both"):
        picked = np.where(frame[rule] == "informative", frame["informative"], frame["missing"])
        best = frame[["informative", "missing"]].max(axis=1)
        worst = float(((frame["majority"] - picked) * 100).max())
        wrong = int((picked < best - 1e-12).sum())
        print(f"{rule:8s} mean {picked.mean():.4f}  worst below MV {worst:+.2f}  wrong picks {wrong} of {len(frame)}")


if __name__ == "__main__":
    main()
