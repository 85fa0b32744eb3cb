"""Traced numpy memory of every default data check, in bytes per row (issue 11's memory goal).

The graph is built once (or loaded from ``--graph``, a file written by ``NeighborGraph.save``);
then ``find_data_issues(graph=...)`` runs under ``tracemalloc`` and, separately, each check on its
own, each with the shared cache the checks before it left (as in ``find_data_issues``). Printed:
the peak of the whole call above its start, and per check the peak above the check's start and
what the check left behind, all in bytes per row. The features and the graph exist before the
call and are not counted.

Usage: ``python benchmarks/dev_checks_memory.py [n] [--graph path.npz]`` (default n = 200,000 x 64,
``bench_checks.blobs`` with 20 centres, k = 10).
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_checks


def main() -> None:
    from labelwise.checks import NeighborGraph, find_data_issues
    from labelwise.checks.registry import CHECKS

    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=200_000)
    parser.add_argument("--graph", default=None)
    args = parser.parse_args()
    X, y = bench_checks.blobs(args.n, 64, centers=20, random_state=7)
    graph = NeighborGraph.load(args.graph) if args.graph else NeighborGraph.build(X, k=10)
    n = args.n

    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    found = find_data_issues(X, y, k=10, graph=graph)
    peak = tracemalloc.get_traced_memory()[1]
    kept = tracemalloc.get_traced_memory()[0]
    print(f"find_data_issues, n={n}: peak {(peak - start) / n:.0f} B/row, result {(kept - start) / n:.0f} B/row")
    del found
    tracemalloc.stop()

    import numpy as np

    from labelwise.checks._base import CheckInputs

    classes, codes = np.unique(y, return_inverse=True)
    inputs = CheckInputs(
        n=n, features=X, missing=np.zeros(n, dtype=np.int64), labels=codes, classes=classes, graph=graph
    )
    tracemalloc.start()
    results = []
    for name, check in CHECKS.items():
        if not check.default or check.skip_reason(inputs) is not None:
            continue
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        results.append(check.run(inputs))
        now, top = tracemalloc.get_traced_memory()
        print(f"  {name:22s} peak +{(top - before) / n:6.0f} B/row, left +{(now - before) / n:6.0f} B/row")
    tracemalloc.stop()


if __name__ == "__main__":
    main()
