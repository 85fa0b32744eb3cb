"""The label check's neighbour votes: the whole n x K table vs rows computed per chunk.

Memory (tracemalloc peak of the check's confident learning, in a second run) and wall time (untraced) of
``find_label_issues`` on the smoothed neighbour votes, both ways, on a random k-neighbour graph
(the votes depend on the graph only through the neighbours' labels, so a random graph is enough
to measure the cost):

    python benchmarks/dev_label_votes.py --rows 1000000 --classes 20 1000
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

import labelwise as lw
from labelwise.checks import label
from labelwise.checks.graph import NeighborGraph


def measure(fn):
    """Wall time of one untraced run (tracemalloc slows many small allocations by several times),
    then the traced peak of a second run."""
    t = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, wall, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--classes", type=int, nargs="+", default=[20, 1000])
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--skip-dense-above-gb", type=float, default=4.0)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, k = args.rows, args.k
    idx = (np.arange(n)[:, None] + rng.integers(1, n, size=(n, k))) % n
    graph = NeighborGraph(idx.astype(np.int64), np.sort(rng.random((n, k), dtype=np.float32), axis=1))
    for K in args.classes:
        y = rng.integers(0, K, n)
        # Neighbours mostly share the row's class (a useful graph), 10% of labels flipped.
        y_nb = y.copy()
        flip = rng.random(n) < 0.1
        y_nb[flip] = rng.integers(0, K, int(flip.sum()))
        graph.indices[:] = np.argsort(y, kind="stable")[
            (np.searchsorted(np.sort(y), y)[:, None] + rng.integers(0, 50, (n, k))) % n
        ]
        lazy, t_lazy, m_lazy = measure(lambda: lw.find_label_issues(y_nb, label.neighbour_vote_rows(graph, y_nb, K)))
        line = f"n={n:,} K={K}: computed rows {t_lazy:.2f} s, peak {m_lazy:.0f} MB"
        if n * K * 8 / 2**30 <= args.skip_dense_above_gb:
            dense, t_dense, m_dense = measure(
                lambda: lw.find_label_issues(y_nb, label.neighbour_vote_probs(graph, y_nb, K))
            )
            same = np.array_equal(dense.is_issue, lazy.is_issue) and np.array_equal(
                dense.label_quality, lazy.label_quality
            )
            line += f"; whole table {t_dense:.2f} s, peak {m_dense:.0f} MB; identical: {same}"
        else:
            line += f"; whole table skipped ({n * K * 8 / 2**30:.1f} GB)"
        print(line, flush=True)


if __name__ == "__main__":
    main()
