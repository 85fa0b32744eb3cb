"""Runs of the data checks on the same rows with and without hnswlib: the near-duplicate counts differ,
and the graph's search record (``graph.search``, ``summary.json``'s ``graph.search``) says why.

The rows: the out-of-sample predicted probabilities of MNIST's 10,000 test images
(``../shared/data/label_errors/mnist/pred_probs.npy``, from the release of Northcutt, Athalye &
Mueller 2021) as 10 features, with the given labels: above 5,000 rows, so ``method="auto"``
searches approximately. Each run is a process of its own (``--block hnswlib`` makes the import
fail there, as when the ``ann`` extra is not installed): ``method="exact"``, ``method="auto"``
(hnswlib), ``method="auto"`` without hnswlib (the k-means cells, the fallback). Per run: the
record, the near-duplicate and outlier counts, recall@10 on 1,000 rows against brute force in
float64 (a neighbour as near as the true 10th counts: many rows are near-ties), the share of the
``method="exact"`` graph's row numbers found, the checks' wall time, and the graph's ``.npz`` size with and without the record.

Usage: ``python benchmarks/dev_graph_search_record.py [--data ../shared/data/label_errors/mnist]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RUNS = {"exact": ("exact", False), "auto (hnswlib)": ("auto", False), "auto without hnswlib": ("auto", True)}
CHECKS = ["near_duplicate", "outlier"]
#: Rows (seeded) whose true 10 nearest are found by brute force in float64.
SAMPLE = 1000


def brute_force_recall(X: np.ndarray, found, n_rows: int) -> float:
    """Recall@10 of ``found.graph`` on ``n_rows`` seeded rows against brute force in float64 over the
    standardised float32 rows the search reads (the shared scaling ``found`` chose): the share of
    a row's neighbours no farther than its true 10th (ties count as found: many rows are near-ties)."""
    from labelwise.checks._scaling import rescaled
    from labelwise.checks.graph import StandardizedRows

    view = rescaled(StandardizedRows.fit(X, metric="euclidean", standardize=True), found.info["scaling"]["chosen"])
    Z = view.materialize().astype(np.float64)
    rows = np.random.default_rng(0).choice(len(Z), n_rows, replace=False)
    hits = []
    for r in rows:
        d = np.sqrt(((Z - Z[r]) ** 2).sum(axis=1))
        d[r] = np.inf
        tenth = np.partition(d, 9)[9]
        hits.append(np.mean(d[found.graph.indices[r]] <= tenth * (1 + 1e-6) + 1e-12))
    return float(np.mean(hits))


def one_run(data: Path, method: str) -> dict:
    """The checks on the rows by ``method``; what the parent prints (hnswlib blocked by the caller)."""
    import labelwise as lw

    X, y = np.load(data / "pred_probs.npy"), np.load(data / "labels.npy")
    start = time.perf_counter()
    found = lw.checks.find_data_issues(X, y, checks=CHECKS, k=10, method=method)
    seconds = time.perf_counter() - start
    exact = lw.checks.find_data_issues(X, y, checks=["outlier"], k=10, method="exact").graph
    same = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found.graph.indices, exact.indices, strict=True)])
    recall = brute_force_recall(X, found, SAMPLE)
    with tempfile.TemporaryDirectory() as tmp:
        with_record = found.graph.save(Path(tmp) / "with.npz").stat().st_size
        bare = dataclasses.replace(found.graph, search=None).save(Path(tmp) / "bare.npz").stat().st_size
    summary = found.summary_dict()
    return {
        "search": summary["graph"]["search"],
        "near_duplicate": summary["near_duplicate"]["n_issues"],
        "near_duplicate_sets": len(summary["near_duplicate"]["info"].get("sets", [])),
        "outlier": summary["outlier"]["n_issues"],
        "recall": recall,
        "same_rows": float(same),
        "seconds": seconds,
        "npz_bytes": [bare, with_record],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/label_errors/mnist"))
    parser.add_argument("--run", choices=["exact", "auto"], help=argparse.SUPPRESS)
    parser.add_argument("--block", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run is not None:
        if args.block:
            sys.modules["hnswlib"] = None  # type: ignore[assignment]
        print(json.dumps(one_run(args.data.resolve(), args.run)))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _machine import cpu_model

    print(f"{cpu_model()}, {args.data}")
    print(
        "| run | index | fallback | near_duplicate rows (sets) | outlier rows | recall@10 (brute force, 1,000 rows) | same rows as method=exact | s | .npz bytes (+record) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (method, block) in RUNS.items():
        cmd = [sys.executable, __file__, "--data", str(args.data), "--run", method] + (["--block"] if block else [])
        out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        s = out["search"]
        print(
            f"| {name} | {s['index']} | {'yes' if s['fallback'] else 'no'} | {out['near_duplicate']} "
            f"({out['near_duplicate_sets']}) | {out['outlier']} | {out['recall']:.4f} | {out['same_rows']:.4f} | "
            f"{out['seconds']:.1f} | "
            f"{out['npz_bytes'][0]} (+{out['npz_bytes'][1] - out['npz_bytes'][0]}) |"
        )
        print(f"<!-- {name}: {json.dumps(s)} -->")


if __name__ == "__main__":
    main()
