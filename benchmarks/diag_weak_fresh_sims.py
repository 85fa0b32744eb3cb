"""Why the default label model misses a goal on a ``bench_weak.py`` simulated set (gen52w, session 52).

``bench_weak.py --sims-only --first-seed 6000`` (and 6100, 6200, 6300) runs its ten simulated configurations on
seeds nobody chose anything on. This script takes the sets it names (``sim6005_K3_m20+6_cov0.1``: seed 6005, the
configuration ``K3_m20+6_cov0.1``) and fits, on each, the default ``weak.LabelModel`` and the same with one setting
switched at a time, scored as ``bench_weak.py`` scores (gold items with at least one vote). For each fit: accuracy,
the abstain model kept, how many of the simulation's copy pairs (a function and the one it copies) end inside one
fitted group, the class balance and the fit's CPU seconds (warm, the least of three). Then ``DawidSkeneLabelModel``,
the default given the pairs ``weak.learn_dependencies`` (Varma et al. 2019) finds, and a supervised ceiling: the
label model's own family (the true cliques, abstains informative) with its parameters counted from gold (a
reference, not a bound: an unsupervised fit can land a few items above it). Each learned pair is listed with its
partial correlation, whether it is a copy and whether the default's groups hold it (copy53, session 53: the copies
a kept fit misses are among the OUTSIDE ones; independent one-class rules of one class are learned at up to ~0.3).

``--table FIRST ...`` instead prints one row per simulated set of those first seeds: the default and
``pair_check=False`` side by side (accuracy, CPU, abstain model, copy pairs inside groups).

    LABELWISE_CROWD_DATA=/work/shared/data/crowd OMP_NUM_THREADS=1 PYTHONPATH=<worktree>/src \\
        python benchmarks/diag_weak_fresh_sims.py sim6005_K3_m20+6_cov0.1 sim6109_K2_m12+4_cov0.3
    python benchmarks/diag_weak_fresh_sims.py --table 6000 6100 6200 6300
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_weak  # noqa: E402

VARIANTS = {  # one setting switched at a time
    "default": {},
    "abstains=informative": {"abstains": "informative"},
    "abstains=missing": {"abstains": "missing"},
    "pair_check=False": {"pair_check": False},
    "dependency_threshold=None": {"dependency_threshold": None},
    "lured_items=False": {"lured_items": False},
    "prior_strength=0": {"prior_strength": 0.0},
    "class_balance=None": {"class_balance": None},
    "one_class_rules=True": {"one_class_rules": True},
    "n_em_iter=0": {"n_em_iter": 0},
}


def config_of(name: str) -> tuple[int, tuple]:
    """The seed and ``SIM_CONFIGS`` entry of a set name as ``bench_weak.py`` prints it."""
    head, _, tail = name.partition("_")
    for n, m, k, corr, cov, imb in bench_weak.SIM_CONFIGS:
        if tail == f"K{k}_m{m}+{corr}_cov{cov[1]}" and head.startswith("sim") and head[3:].isdigit():
            return int(head[3:]), (n, m, k, corr, cov, imb)
    raise SystemExit(f"set: expected a name such as sim6005_K3_m20+6_cov0.1 (a bench_weak simulated set); got {name!r}")


class SimSet:
    """One simulated set: its votes, truth, copy pairs and ``bench_weak.py``'s scoring."""

    def __init__(self, seed: int, config: tuple) -> None:
        from labelwise.weak import as_votes, simulate_lfs

        n, m, k, corr, cov, imb = config
        self.sim = simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed)
        self.votes = as_votes(self.sim.votes)
        self.matrix = self.votes.matrix()
        self.covered = (self.matrix >= 0).any(axis=1)
        self.truth = self.sim.truth.reindex(self.votes.items).to_numpy()
        names = self.votes.labelers
        self.copies = {frozenset((names[j], names[p])) for j, p in enumerate(self.sim.parent) if p >= 0}

    def acc(self, labels) -> float:
        return float(np.mean(np.asarray(labels)[self.covered] == self.truth[self.covered]))

    def copies_inside(self, groups) -> str:
        inside = sum(any(pair <= set(g) for g in groups) for pair in self.copies)
        return f"{inside}/{len(self.copies)}"


def fit_row(s: SimSet, settings: dict) -> dict:
    """The fit's accuracy, abstain model, copy pairs inside its groups, class balance, warnings and warm CPU."""
    from labelwise.weak import LabelModel

    times = []
    for _ in range(3):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.process_time()
            model = LabelModel(**settings).fit(s.votes)
            times.append(time.process_time() - start)
    return {
        "accuracy": round(s.acc(model.labels_.to_numpy()), 4),
        "abstains": model.abstains_,
        "copies_inside": s.copies_inside(model.groups_),
        "groups_over_1": sum(len(g) > 1 for g in model.groups_),
        "balance": np.round(model.class_balance_, 3).tolist(),
        "cpu_s": round(min(times), 4),
        "warnings": len(caught),
    }


def supervised_ceiling(s: SimSet) -> float:
    """The label model's family (true cliques: each function with its copies; abstains informative) with
    ``P(clique outcome | y)`` and ``p`` counted from gold (half a pseudo-count per cell), scored on the voted items."""
    k, y, L = len(s.votes.classes), s.truth.astype(np.int64), s.matrix
    log_post = np.tile(np.log(np.bincount(y, minlength=k) / len(y)), (len(y), 1))
    parents = [j for j in range(L.shape[1]) if s.sim.parent[j] < 0]
    for j in parents:
        code = np.zeros(len(y), dtype=np.int64)
        for f in [j, *np.flatnonzero(s.sim.parent == j)]:
            code = code * (k + 1) + (L[:, f] + 1)
        counts = np.full(((k + 1) ** (1 + int((s.sim.parent == j).sum())), k), 0.5)
        np.add.at(counts, (code, y), 1.0)
        log_post += np.log(counts / counts.sum(axis=0, keepdims=True))[code]
    return s.acc(log_post.argmax(axis=1))


def diagnose(name: str) -> None:
    from labelwise.aggregate import MajorityVote
    from labelwise.weak import DawidSkeneLabelModel, LabelModel, learn_dependencies
    from labelwise.weak._missing_guard import one_class_vote_share

    seed, config = config_of(name)
    s = SimSet(seed, config)
    mv = MajorityVote().fit(s.votes.to_annotations()).labels_.reindex(s.votes.items).to_numpy()
    print(f"\n== {name}: one-class vote share {one_class_vote_share(s.votes):.3f}, copy pairs {len(s.copies)}")
    print(f"majority vote {s.acc(mv):.4f}; supervised ceiling {supervised_ceiling(s):.4f}")
    frame = pd.DataFrame({label: fit_row(s, kw) for label, kw in VARIANTS.items()}).T
    print(frame.to_string())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = DawidSkeneLabelModel().fit(s.votes)
        learned = learn_dependencies(s.votes)
        given = LabelModel(dependencies=list(learned.pairs)).fit(s.votes)
        groups = [set(g) for g in LabelModel().fit(s.votes).groups_]
    found = {frozenset(p) for p in learned.pairs}
    print(f"DawidSkeneLabelModel {s.acc(ds.labels_.to_numpy()):.4f}")
    print(
        f"learn_dependencies: {len(found)} pairs, {len(found & s.copies)} of {len(s.copies)} copy pairs; "
        f"LabelModel(dependencies=those) {s.acc(given.labels_.to_numpy()):.4f} ({given.abstains_})"
    )
    for (a, b), value in zip(learned.pairs, learned.partial_correlation, strict=True):  # each pair's strength
        kind = "copy" if frozenset((a, b)) in s.copies else "not a copy"
        where = "inside" if any({a, b} <= g for g in groups) else "OUTSIDE"
        print(f"  {a}-{b}: partial correlation {value:.3f}, {kind}, {where} the default's groups")


def table(first_seeds: list[int]) -> None:
    rows = []
    for first in first_seeds:
        for name, _, _ in bench_weak.simulated_sets(first):
            s = SimSet(*config_of(name))
            row = {"set": name}
            for label, kw in (("default", {}), ("no_check", {"pair_check": False})):
                r = fit_row(s, kw)
                row |= {f"{label}_{c}": r[c] for c in ("accuracy", "cpu_s", "abstains", "copies_inside")}
            rows.append(row)
            print(pd.DataFrame([row]).to_string(index=False, header=len(rows) == 1), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*", help="simulated set names as bench_weak.py prints them")
    ap.add_argument("--table", nargs="+", type=int, metavar="FIRST", help="first seeds: one row per simulated set")
    args = ap.parse_args()
    pd.set_option("display.width", 220)
    if args.table:
        table(args.table)
    for name in args.sets:
        diagnose(name)


if __name__ == "__main__":
    main()
