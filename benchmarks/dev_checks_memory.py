"""Traced numpy memory of every default data check, in bytes per row (issue 11's memory goal).

The graph is built once (or loaded from ``--graph``, a file written by ``NeighborGraph.save``);
then ``find_data_issues(graph=...)`` runs under ``tracemalloc`` and, separately, each check on its
own, each with the shared cache the checks before it left (as in ``find_data_issues``). Printed:
the peak of the whole call above its start, and per check the peak above the check's start and
what the check left behind, all in bytes per row. The features and the graph exist before the
call and are not counted.

Usage: ``python benchmarks/dev_checks_memory.py [n] [--graph path.npz]`` (default n = 200,000 x 64,
``bench_checks.blobs`` with 20 centres, k = 10).

``--tile-from path.npz`` (session 10): the graph of ``m`` rows in that file (built on
``bench_checks.blobs(m, 64, 20, 7)``) repeated to ``n`` rows, row ``r`` taking row ``r % m``'s
neighbours shifted by ``m * (r // m)`` (mod ``n``) and the label of row ``r % m``, so that a 1M
checks phase can be traced without building a 1M index (the labels agree with the graph as in the
``m``-row data). The features are ``blobs(n)``'s (only ``exact_duplicate`` and ``null`` read them).
Also printed: each check's start, peak and end *inside* the one ``find_data_issues`` call (what
the checks before it left included), which is where the call's peak is.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from dataclasses import replace
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_checks


def tiled_graph(small, n: int):
    """``small`` (a graph of ``m`` rows of ``bench_checks.blobs(m, 64, 20, 7)``) repeated to ``n`` rows, and its labels."""
    import numpy as np

    from labelwise.checks import NeighborGraph

    m = small.n
    rows = np.arange(n)
    indices = (small.indices[rows % m] + (rows // m * m)[:, None]) % n
    graph = NeighborGraph(indices=indices, distances=small.distances[rows % m], method=small.method)
    _, y_small = bench_checks.blobs(m, 64, centers=20, random_state=7)
    return graph, y_small[rows % m]


def _traced_run(run, name: str, log: list, inputs):
    """``run(inputs)``, logging the traced memory at its start, its peak and its end."""
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    result = run(inputs)
    after, top = tracemalloc.get_traced_memory()
    log.append((name, before, top, after))
    return result


def main() -> None:
    from labelwise.checks import NeighborGraph, find_data_issues
    from labelwise.checks.registry import CHECKS

    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=200_000)
    parser.add_argument("--graph", default=None)
    parser.add_argument("--tile-from", default=None, help="A saved graph of m rows, repeated to n rows.")
    args = parser.parse_args()
    X, y = bench_checks.blobs(args.n, 64, centers=20, random_state=7)
    n = args.n
    if args.tile_from:
        graph, y = tiled_graph(NeighborGraph.load(args.tile_from), n)
    else:
        graph = NeighborGraph.load(args.graph) if args.graph else NeighborGraph.build(X, k=10)

    log: list[tuple[str, int, int, int]] = []
    saved = dict(CHECKS)
    for name, check in saved.items():
        CHECKS[name] = replace(check, run=partial(_traced_run, check.run, name, log))
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    try:
        found = find_data_issues(X, y, k=10, graph=graph)
    finally:
        CHECKS.update(saved)
    # each check's wrapper resets the peak: the call's peak is the largest of theirs and the one after the last
    peak = max([tracemalloc.get_traced_memory()[1]] + [top for _, _, top, _ in log])
    kept = tracemalloc.get_traced_memory()[0]
    print(f"find_data_issues, n={n}: peak {(peak - start) / n:.0f} B/row, result {(kept - start) / n:.0f} B/row")
    for name, before, top, after in log:
        print(
            f"  in the call: {name:22s} start {(before - start) / n:5.0f} peak {(top - start) / n:5.0f} "
            f"end {(after - start) / n:5.0f} B/row"
        )
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
