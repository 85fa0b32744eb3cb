"""Issue 11's detection goal over injection seeds the benchmark does not use, and the graph's metric.

``bench_checks.py --detect`` injects issues once (seed 0) into blobs and digits. This script
injects them again with seeds 1.. (dev seeds; blobs drawn with ``random_state = 100 + seed``) and
prints, per seed and data set, each check's AUROC for labelwise (its default graph) and for
Datalab on the same data, and whether labelwise is at least Datalab's. With ``--graphs`` it also
scores labelwise's checks on graphs built with other metrics (passed in as ``graph=``): z-scores
(the default), the raw features (``standardize=False``) and cosine distance, so that a choice
of metric can be judged across seeds rather than on the benchmark's one draw. ``--scalings``
scores labelwise alone (no Datalab) on column scalings of the features, each then searched with
raw euclidean distance: z-scores, none, the range (min-max) and the fenced range
(``labelwise.checks._scaling.fenced_range``), and labelwise's default graph, on blobs, digits, and three tables whose columns
are in different units (wine, breast cancer, and penguins-like ``make_classification`` columns
multiplied by scales from 1e-2 to 1e3), and prints each check's mean AUROC over the seeds.

Usage: ``PYTHONPATH=src python benchmarks/dev_detect_seeds.py [--seeds 1 2 3 4 5 6] [--graphs] [--no-datalab] [--scalings]``
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_checks import auroc, blobs, inject, run_datalab, run_labelwise

CHECKS = ["label", "outlier", "near_duplicate"]


def scores_on_graphs(X: np.ndarray, y: np.ndarray, truth: dict) -> dict:
    """labelwise's AUROC per check on graphs of several metrics (each passed as ``graph=``)."""
    from labelwise.checks import NeighborGraph, find_data_issues

    graphs = {
        "zscore": dict(metric="euclidean", standardize=True),
        "raw": dict(metric="euclidean", standardize=False),
        "cosine": dict(metric="cosine"),
    }
    out = {}
    for name, options in graphs.items():
        graph = NeighborGraph.build(X, k=10, **options)
        issues = find_data_issues(X, y, checks=CHECKS, k=10, graph=graph).issues
        out[name] = {c: round(auroc(truth[c], issues[f"{c}_score"]), 5) for c in CHECKS}
    return out


def scaled(X: np.ndarray, how: str) -> np.ndarray:
    """``X`` centred and divided per column by its standard deviation, range or fenced range (or as is)."""
    from labelwise.checks._scaling import fenced_range
    from labelwise.checks.graph import StandardizedRows

    if how == "raw":
        return X
    centred = X - X.mean(axis=0)
    if how == "zscore":
        div = X.std(axis=0)
    elif how == "range":
        div = X.max(axis=0) - X.min(axis=0)
    else:
        zscore = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        div = fenced_range(zscore)[0]
    return centred / np.where(div > 0, div, 1.0)


def mixed_units(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """2,000 rows of ``make_classification`` (12 columns, 4 classes), columns in units 1e-2 to 1e3."""
    from sklearn.datasets import make_classification

    X, y = make_classification(2000, 12, n_informative=6, n_classes=4, random_state=seed)
    return X * np.logspace(-2, 3, 12)[np.random.default_rng(seed).permutation(12)], y


def run_scalings(seeds: list[int]) -> None:
    """Mean AUROC per data set, scaling and check over ``seeds`` (labelwise only)."""
    from sklearn.datasets import load_breast_cancer, load_digits, load_wine

    from labelwise.checks import NeighborGraph, find_data_issues

    tables = {"digits": load_digits(), "wine": load_wine(), "breast_cancer": load_breast_cancer()}
    sums: dict = {}
    for seed in seeds:
        sets = {"blobs": blobs(3000, 16, centers=5, random_state=100 + seed), "mixed_units": mixed_units(seed)}
        sets |= {name: (t.data, t.target) for name, t in tables.items()}
        for name, (X0, y0) in sets.items():
            data = inject(np.asarray(X0, dtype=np.float64), y0, seed)
            for how in ("zscore", "raw", "range", "fenced", "default"):
                graph = (
                    None if how == "default" else NeighborGraph.build(scaled(data["X"], how), k=10, standardize=False)
                )
                issues = find_data_issues(data["X"], data["y"], checks=CHECKS, k=10, graph=graph).issues
                for c in CHECKS:
                    sums.setdefault((name, c, how), []).append(auroc(data["truth"][c], issues[f"{c}_score"]))
        print(f"seed {seed} done", file=sys.stderr, flush=True)
    for (name, c, how), v in sorted(sums.items()):
        print(json.dumps({"data": name, "check": c, "scaling": how, "mean_auroc": round(float(np.mean(v)), 5)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--graphs", action="store_true", help="also score labelwise on raw and cosine graphs")
    parser.add_argument("--no-datalab", action="store_true", help="skip Datalab (labelwise only)")
    parser.add_argument("--scalings", action="store_true", help="labelwise alone on several column scalings")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    if args.scalings:
        run_scalings(args.seeds)
        return
    from sklearn.datasets import load_digits

    digits = load_digits()
    met = {}
    for seed in args.seeds:
        Xb, yb = blobs(3000, 16, centers=5, random_state=100 + seed)
        for name, data in (("blobs", inject(Xb, yb, seed)), ("digits", inject(digits.data, digits.target, seed))):
            X, y, truth = data["X"], data["y"], data["truth"]
            row: dict = {"seed": seed, "data": name}
            _, ours = run_labelwise(X, y, CHECKS)
            row["labelwise"] = {c: round(auroc(truth[c], ours[f"{c}_score"]), 5) for c in CHECKS}
            if not args.no_datalab:
                _, theirs = run_datalab(X, y, CHECKS)
                row["datalab"] = {c: round(auroc(truth[c], theirs[f"{c}_score"]), 5) for c in CHECKS}
                row["met"] = {c: row["labelwise"][c] >= row["datalab"][c] for c in CHECKS}
                for c in CHECKS:
                    met.setdefault(f"{name} {c}", []).append(row["met"][c])
            if args.graphs:
                row["graphs"] = scores_on_graphs(X, y, truth)
            print(json.dumps(row), flush=True)
    if met:
        print(json.dumps({"met_over_seeds": {key: f"{sum(v)}/{len(v)}" for key, v in met.items()}}))


if __name__ == "__main__":
    main()
