"""Choose the insertion and query order of the hnswlib graph (``labelwise.checks._ann``) on dev data.

The dev sets of ``dev_hnsw_params`` (``lowrank``: 30 clusters on 8-dimensional subspaces; ``iso``:
200 isotropic 64-d clusters of unequal spread), never the benchmark's generator. Variants, each
with the chosen index parameters (M, ef_construction, ef) and the whole ``search_index`` (first
search, exact re-scoring, second search):

- ``rows``: rows inserted and queried in row order (the code before session 6);
- ``query``: inserted in row order, queried cell by cell (``_ann.locality_order``): the same index,
  so the same answers, only the memory access changes;
- ``prefix:P``: a seeded random share ``P`` of the rows inserted first, the others cell by cell
  (``insertion_order`` here), queried cell by cell.

hnswlib's build on two threads is not deterministic, so each variant runs ``--repeats`` times;
recall@10 on 1,000 rows against exact search, process CPU and wall seconds per step.

The rule, fixed before the grid ran (RESULTS.md, issue 11, session 6): among the variants whose
recall@10 is at least 0.99 in every repeat on both dev sets at 100,000 rows and whose mean recall
is at most 0.002 below ``rows``'s on each set, keep the one with the least graph CPU seconds
(sum over both sets); then check at 300,000 rows that it stays within 0.002 of ``rows``'s recall.

The variants above ran with cells from ``_cells.kmeans`` (one centroid per 1,024 rows). The cells
themselves are compared by ``--orders``: one index per dev set, then the whole search in each query
order, ``--repeats`` times (the answers are the same; only time differs): ``none`` (row order),
``kmeans:S`` (k-means cells of about S rows) and ``pivots:S`` (``_ann.locality_order``: the nearest
of n / S random rows). No rule was fixed before this comparison: k-means, pivots at 1,024 and at
256 rows tied within the run-to-run spread, and pivots at 1,024 were kept as the cheapest order to
make (RESULTS.md, issue 11, session 6).

Usage: ``python benchmarks/dev_graph_order.py [n] [--variants rows,query,prefix:0.2] [--repeats 2]
[--sets lowrank,iso]``; ``python benchmarks/dev_graph_order.py 100000 --orders
none,kmeans:1024,pivots:1024,pivots:4096,pivots:256``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dev_hnsw_params as dev

K = 10


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - start[0], time.process_time() - start[1]


def insertion_order(order: np.ndarray, prefix: float, random_state: int = 0) -> np.ndarray:
    """A seeded random ``prefix`` share of the rows in random order, then the others in ``order``."""
    n = order.shape[0]
    first = np.random.default_rng(random_state).permutation(n)[: int(round(prefix * n))]
    later = np.ones(n, dtype=bool)
    later[first] = False
    return np.concatenate([first, order[later[order]]])


def kmeans_order(view, size: int) -> np.ndarray:
    """Rows grouped by nearest k-means centroid (``_cells.kmeans``, one centroid per ``size`` rows)."""
    from labelwise.checks import _cells

    n = view.shape[0]
    centroids = _cells.kmeans(view, max(1, n // size))
    c_norm = np.einsum("ij,ij->i", centroids, centroids)
    nearest = np.empty(n, dtype=np.int32)
    for s in range(0, n, 16384):
        prod = view[s : s + 16384] @ (centroids * np.float32(-2.0)).T
        prod += c_norm[None, :]
        nearest[s : s + 16384] = prod.argmin(axis=1)
    return np.argsort(nearest, kind="stable")


def orders(view, names: list[str], repeats: int, label: str) -> None:
    """One index; the whole search in each query order, timed (process CPU and wall)."""
    from labelwise.checks import _ann

    index = _ann.build_index(view)
    for rep in range(repeats):
        for name in names:
            start = _clock()
            kind, _, size = name.partition(":")
            order = None
            if kind == "kmeans":
                order = kmeans_order(view, int(size))
            elif kind == "pivots":
                order = _ann.locality_order(view, cell_size=int(size))
            made = _since(start)
            _ann.search_index(index, view, K, order=order)
            wall, cpu = _since(start)
            print(
                f"{label} rep {rep} order {name}: making the order cpu {made[1]:.2f} s, order + search wall "
                f"{wall:.1f} s, cpu {cpu:.1f} s, load {os.getloadavg()[0]:.1f}",
                flush=True,
            )


def one(view, variant: str, n: int) -> tuple[np.ndarray, dict[str, tuple[float, float]]]:
    """The graph's indices by one variant, and (wall, CPU) seconds of each step."""
    from labelwise.checks import _ann

    times = {}
    start = _clock()
    order = None if variant == "rows" else kmeans_order(view, 1024)
    insert = None
    if variant.startswith("prefix:"):
        insert = insertion_order(order, float(variant.split(":")[1]))
    times["order"] = _since(start)
    start = _clock()
    index = _ann.build_index(view, order=insert)
    times["build"] = _since(start)
    start = _clock()
    idx = _ann.search_index(index, view, K, order=order)[0]
    times["search"] = _since(start)
    return idx, times


def main() -> None:
    from labelwise.checks.graph import StandardizedRows

    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--variants", default="rows,query,prefix:0.1,prefix:0.2,prefix:0.3")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sets", default="lowrank,iso")
    parser.add_argument("--orders", default=None, help="Compare query orders on one index per set.")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"load average at start {os.getloadavg()}", flush=True)
    for name in args.sets.split(","):
        X = getattr(dev, name)(args.n)
        q = rng.choice(args.n, 1000, replace=False)
        true = dev.truth(dev.standardise(X), q)
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        if args.orders:
            orders(view, args.orders.split(","), args.repeats, f"{name} n={args.n}")
            continue
        for rep in range(args.repeats):
            for variant in args.variants.split(","):
                idx, times = one(view, variant, args.n)
                dev.print_variant(f"{name} n={args.n}", rep, variant, idx[q], true, times)


if __name__ == "__main__":
    main()
