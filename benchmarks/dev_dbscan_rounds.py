"""Round trips of the per-partition graph DBSCAN (``checks._dask_dbscan.dask_graph_dbscan``): the
number of blocking dask calls (``_stage_progress.compute`` / ``persist``, the exact median's passes
included) and the wall time, on a synthetic neighbour graph made on the workers.

The graph: ``n`` rows in 20 clusters (cluster 0 scattered, the others dense); each row has a place
on a line inside its cluster, and its ``k`` neighbours are the rows beside it on that line, at their
distance on the line (times 5 in cluster 0, so its rows are noise; ties everywhere) (a
kNN-like graph with a long diameter, so the components need several hook and jump rounds); row
numbers are shuffled. Each chunk's rows are made on a worker from ``default_rng([seed, i])`` by a
global formula, so the graph is the same for any chunking. The clusters are compared with the
in-memory ``graph_dbscan`` when ``--check`` is given (small ``n`` only).

Usage: ``python benchmarks/dev_dbscan_rounds.py [--n 200000] [--chunk-rows 50000] [--k 10]
[--scheduler threads|cluster] [--repeat 2] [--check] [--waits]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

CLUSTERS = 20


def _layout(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Every row's place: ``perm[r]`` is row r's position on the concatenated lines of the clusters."""
    perm = np.random.default_rng(seed).permutation(n)
    return perm, np.argsort(perm)


def make_chunk(start: int, rows: int, n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``start .. start + rows``: neighbour indices and sorted distances (module docstring)."""
    perm, inv = _layout(n, seed)
    size = n // CLUSTERS
    pos = perm[start : start + rows]
    cluster = np.minimum(pos // size, CLUSTERS - 1)
    lo = cluster * size
    hi = np.where(cluster == CLUSTERS - 1, n, lo + size)
    offs = np.r_[np.arange(-(k // 2), 0), np.arange(1, k - k // 2 + 1)]
    nb = pos[:, None] + offs[None, :]
    nb = np.where(nb < lo[:, None], nb + k + 1, nb)
    nb = np.where(nb >= hi[:, None], nb - k - 1, nb)
    scale = np.where(cluster == 0, 5.0, 1.0)[:, None]
    dist = np.sort((np.abs(nb - pos[:, None]) * scale).astype(np.float32), axis=1)
    order = np.argsort(np.abs(nb - pos[:, None]), axis=1, kind="stable")
    return inv[np.take_along_axis(nb, order, axis=1)].astype(np.int64), dist


def graph(n: int, k: int, chunk_rows: int, seed: int = 0):
    import dask
    import dask.array as da

    from labelwise.checks._partitioned import PartitionedGraph

    starts = list(range(0, n, chunk_rows))
    parts = [dask.delayed(make_chunk, nout=2)(s, min(chunk_rows, n - s), n, k, seed) for s in starts]
    idx = da.concatenate(
        [da.from_delayed(p[0], (min(chunk_rows, n - s), k), np.int64) for p, s in zip(parts, starts, strict=True)]
    )
    dst = da.concatenate(
        [da.from_delayed(p[1], (min(chunk_rows, n - s), k), np.float32) for p, s in zip(parts, starts, strict=True)]
    )
    idx, dst = dask.persist(idx, dst)
    return PartitionedGraph(idx, dst)


def counted():
    """Patch the blocking calls the DBSCAN makes; return the counter."""
    import labelwise._dask_select as sel
    import labelwise.checks._dask_dbscan as db

    count = {"compute": 0, "persist": 0, "waits": []}

    def wrap(fn, name):
        def inner(*a, **kw):
            count[name] += 1
            t = time.perf_counter()
            out = fn(*a, **kw)
            count["waits"].append(f"{name[0]}{time.perf_counter() - t:.2f}")
            return out

        return inner

    db.compute = wrap(db.compute, "compute")
    db.persist = wrap(db.persist, "persist")
    sel.tracked_compute = wrap(sel.tracked_compute, "compute")
    return count


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=200_000)
    p.add_argument("--chunk-rows", type=int, default=50_000)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--scheduler", choices=["threads", "cluster"], default="threads")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--check", action="store_true")
    p.add_argument("--waits", action="store_true", help="print every call's wall time")
    a = p.parse_args()
    import dask

    from labelwise.checks._dask_dbscan import dask_graph_dbscan

    client = None
    if a.scheduler == "cluster":
        from distributed import Client, LocalCluster

        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None))
    else:
        dask.config.set(scheduler="threads")
    g = graph(a.n, a.k, a.chunk_rows)
    count = counted()
    for r in range(a.repeat):
        count.update(compute=0, persist=0, waits=[])
        t = time.perf_counter()
        labels, nclusters = dask_graph_dbscan(g)
        out = labels.sum().compute()
        wall = time.perf_counter() - t
        waits = count.pop("waits")
        print(f"run {r}: {wall:.2f} s, clusters {nclusters}, label sum {int(out)}, calls {count}", flush=True)
        if a.waits:
            print("  each call's wall (c: compute, p: persist):", " ".join(waits), flush=True)
    if a.check:
        from labelwise.checks import underperforming_group

        expected = underperforming_group.graph_dbscan(g.compute(), 5)
        np.testing.assert_array_equal(labels.compute(), expected)
        print("equal to memory's graph_dbscan")
    if client is not None:
        client.close()


if __name__ == "__main__":
    main()
