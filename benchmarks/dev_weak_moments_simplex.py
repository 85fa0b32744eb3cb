"""What weakbugs51's fixes change on simulated label-function sets: run once per source tree, then compare.

Each set is drawn by :func:`labelwise.weak.simulate_lfs` from its seed (K 2-5; ``--family sparse``: 3-14
functions of coverage 0.05-0.6; ``dense``: 3-5 functions of coverage 0.3-1.0, where the moment fit alone
exceeds ``Σ_a μ = 1``). Fitted: ``LabelModel()`` (default), ``LabelModel(n_em_iter=0)`` (the moment fit
alone, whose feasible set the branch changes) and ``DawidSkeneLabelModel()``; saved: ``probas_``, accuracy
against the truth (every item) and the smallest entry of ``get_conditional_probs``.

    PYTHONPATH=<main>/src python benchmarks/dev_weak_moments_simplex.py run main.pkl --family dense
    PYTHONPATH=<branch>/src python benchmarks/dev_weak_moments_simplex.py run branch.pkl --family dense
    python benchmarks/dev_weak_moments_simplex.py compare main.pkl branch.pkl
"""

from __future__ import annotations

import argparse
import pickle
import warnings

import numpy as np

FAMILIES = {"sparse": ((0.05, 0.6), (3, 15), 5100), "dense": ((0.3, 1.0), (3, 6), 5300)}
MODELS = ("default", "moments-only", "dawid-skene")


def run(out: str, family: str, n_sets: int) -> None:
    from labelwise import weak

    coverage, (lo, hi), first = FAMILIES[family]
    results = {}
    for seed in range(first, first + n_sets):
        rng = np.random.default_rng(seed)
        k, m = int(rng.integers(2, 6)), int(rng.integers(lo, hi))
        sim = weak.simulate_lfs(
            n_items=int(rng.integers(300, 2000)),
            n_lfs=m,
            n_classes=k,
            coverage=coverage,
            accuracy=(0.3 + 0.5 / k, 0.9),
            unipolar=float(rng.uniform(0, 0.8)),
            n_correlated=int(rng.integers(0, 3)),
            imbalance=float(rng.uniform(1, 4)),
            random_state=seed,
        )
        makers = {
            "default": lambda: weak.LabelModel(labels=list(range(k))),
            "moments-only": lambda: weak.LabelModel(n_em_iter=0, labels=list(range(k))),
            "dawid-skene": lambda: weak.DawidSkeneLabelModel(labels=list(range(k))),
        }
        row = {}
        for name, make in makers.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = make().fit(sim.votes)
            hit = model.labels_.reindex(sim.truth.index).to_numpy() == sim.truth.to_numpy()
            row[name] = {
                "probas": model.probas_.to_numpy(),
                "accuracy": float(hit.mean()),
                "min_conditional": float(model.get_conditional_probs().min()),
            }
        results[seed] = row
        print(seed, k, m, {n: round(r["accuracy"], 4) for n, r in row.items()}, flush=True)
    with open(out, "wb") as fh:
        pickle.dump(results, fh)


def compare(before: str, after: str) -> None:
    with open(before, "rb") as fh:
        a = pickle.load(fh)
    with open(after, "rb") as fh:
        b = pickle.load(fh)
    print(f"{len(a)} sets")
    for name in MODELS:
        same = sum(np.array_equal(a[s][name]["probas"], b[s][name]["probas"]) for s in a)
        acc_a = np.array([a[s][name]["accuracy"] for s in a])
        acc_b = np.array([b[s][name]["accuracy"] for s in a])
        negative = [sum(r[s][name]["min_conditional"] < -1e-12 for s in a) for r in (a, b)]
        print(
            f"{name:13s} identical probas_ {same:3d}; mean accuracy {acc_a.mean():.4f} -> {acc_b.mean():.4f} "
            f"(up {(acc_b > acc_a).sum()}, down {(acc_b < acc_a).sum()}); sets with a negative conditional "
            f"{negative[0]} -> {negative[1]} (min {min(a[s][name]['min_conditional'] for s in a):.4f} -> "
            f"{min(b[s][name]['min_conditional'] for s in a):.4f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("run")
    one.add_argument("out")
    one.add_argument("--family", choices=sorted(FAMILIES), default="dense")
    one.add_argument("--sets", type=int, default=40)
    two = sub.add_parser("compare")
    two.add_argument("before")
    two.add_argument("after")
    args = parser.parse_args()
    if args.command == "run":
        run(args.out, args.family, args.sets)
    else:
        compare(args.before, args.after)


if __name__ == "__main__":
    main()
