"""Choose the HNSW parameters of ``labelwise.checks._ann`` on dev data (not the benchmark's generator).

Two dev sets, 64 features, unlike ``bench_checks.blobs``: ``lowrank`` (30 clusters, each spread
over a random 8-dimensional subspace plus 0.1 isotropic noise, cluster sizes from a Dirichlet:
embedding-like) and ``iso`` (200 isotropic clusters of unequal spread: high intrinsic dimension,
the hard case). For each (M, ef_construction) the index is built once (all cores) and queried
for 1,000 rows at several ef; the candidates go through labelwise's own refinement (``2k + 1``
candidates re-scored exactly, best ``k`` kept), and recall@10 is measured against exact search.

Usage: ``python benchmarks/dev_hnsw_params.py [n]`` (default n = 100,000);
``python benchmarks/dev_hnsw_params.py n --pipeline``: recall@10 and time of
``NeighborGraph.build(method="approximate")`` itself (the chosen parameters and the second,
wider search for rows that did not find themselves) on both dev sets;
``python benchmarks/dev_hnsw_params.py n --search-ef 32,48,64``: one index per dev set with the
chosen (M, ef_construction), then the whole search of ``_ann.search_index`` (first search,
refinement and the second search) at each ef, with recall@10 and its wall and CPU time.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

K = 10


def lowrank(n: int, d: int = 64, seed: int = 101) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = 30
    sizes = rng.multinomial(n, rng.dirichlet(np.ones(c)))
    parts = []
    for size in sizes:
        basis = rng.normal(size=(8, d))
        parts.append(
            rng.normal(scale=5.0, size=d) + rng.normal(size=(size, 8)) @ basis + 0.1 * rng.normal(size=(size, d))
        )
    X = np.vstack(parts).astype(np.float32)
    return X[rng.permutation(n)]


def iso(n: int, d: int = 64, seed: int = 202) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = 200
    mu = rng.normal(scale=3.0, size=(c, d))
    spread = rng.uniform(0.5, 2.0, c)
    y = rng.integers(0, c, n)
    return (mu[y] + rng.normal(size=(n, d)) * spread[y, None]).astype(np.float32)


def wide(n: int, d: int = 64, seed: int = 303) -> np.ndarray:
    """12 isotropic clusters of unequal size and spread (session 9): few clusters of many rows each,
    high intrinsic dimension, so a row's neighbours spread over many k-means cells of its cluster."""
    rng = np.random.default_rng(seed)
    c = 12
    mu = rng.normal(scale=3.0, size=(c, d))
    spread = rng.uniform(0.5, 2.0, c)
    y = rng.choice(c, n, p=rng.dirichlet(2.0 * np.ones(c)))
    return (mu[y] + rng.normal(size=(n, d)) * spread[y, None]).astype(np.float32)


def standardise(X: np.ndarray) -> np.ndarray:
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32)


def truth(Z: np.ndarray, q: np.ndarray, block: int = 200) -> np.ndarray:
    """The ``K`` nearest other rows of ``Z[q]`` by float64 products, ``block`` query rows at a time."""
    sq = np.einsum("ij,ij->i", Z, Z, dtype=np.float64)
    Zt = Z.T.astype(np.float64)
    out = np.empty((len(q), K), dtype=np.int64)
    for s in range(0, len(q), block):
        rows = q[s : s + block]
        d = sq[None, :] - 2.0 * (Z[rows].astype(np.float64) @ Zt)
        d[np.arange(len(rows)), rows] = np.inf
        part = np.argpartition(d, K, axis=1)[:, :K]
        out[s : s + block] = np.take_along_axis(part, np.argsort(np.take_along_axis(d, part, 1), axis=1), 1)
    return out


def recall_at_k(found: np.ndarray, true: np.ndarray) -> float:
    """Mean share of each row's ``K`` true neighbours among its found ones (recall@K)."""
    return float(np.mean([len(set(a) & set(b)) / K for a, b in zip(found.tolist(), true.tolist(), strict=True)]))


def print_variant(label: str, rep: int, variant: str, found: np.ndarray, true: np.ndarray, times: dict) -> None:
    """One line per (set, repeat, variant): recall@10, total CPU s and each step's wall / CPU s."""
    cpu = sum(t[1] for t in times.values())
    steps = ", ".join(f"{step} {w:.1f}/{c:.1f}" for step, (w, c) in times.items())
    print(
        f"{label} rep {rep} {variant}: recall@10 {recall_at_k(found, true):.4f}, cpu {cpu:.1f} s "
        f"(wall/cpu: {steps}), load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def variants_main(one, default_variants: str, queries: int = 2000) -> None:
    """The command line of the build-variant dev scripts: ``n``, ``--variants``, ``--repeats``,
    ``--sets``; ``one(view, variant) -> (neighbour indices, times)`` builds one variant, and each
    is printed against exact search on ``queries`` seeded rows."""
    import argparse

    from labelwise.checks.graph import StandardizedRows

    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--variants", default=default_variants)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sets", default="lowrank,iso")
    args = parser.parse_args()
    print(f"load average at start {os.getloadavg()}", flush=True)
    for name in args.sets.split(","):
        X = globals()[name](args.n)
        q = np.random.default_rng(0).choice(args.n, queries, replace=False)
        true = truth(standardise(X), q)
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        for rep in range(args.repeats):
            for variant in args.variants.split(","):
                idx, times = one(view, variant)
                print_variant(f"{name} n={args.n}", rep, variant, idx[q], true, times)


def pipeline(n: int) -> None:
    from labelwise.checks import NeighborGraph

    rng = np.random.default_rng(0)
    for name, gen in (("lowrank", lowrank), ("iso", iso)):
        X = gen(n)
        q = rng.choice(n, 1000, replace=False)
        true = truth(standardise(X), q)
        t = time.perf_counter()
        graph = NeighborGraph.build(X, k=K, method="approximate")
        took = time.perf_counter() - t
        found = graph.indices[q]
        recall = recall_at_k(found, true)
        print(f"pipeline {name} n={n}: recall@10 {recall:.4f}, build + query + refine {took:.1f} s", flush=True)


def search_grid(n: int, efs: list[int]) -> None:
    from labelwise.checks import _ann
    from labelwise.checks.graph import StandardizedRows

    rng = np.random.default_rng(0)
    for name, gen in (("lowrank", lowrank), ("iso", iso)):
        X = gen(n)
        q = rng.choice(n, 1000, replace=False)
        true = truth(standardise(X), q)
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        wall, cpu = time.perf_counter(), time.process_time()
        index = _ann.build_index(view)
        print(
            f"{name} n={n} M={_ann.HNSW_M} efC={_ann.EF_CONSTRUCTION}: build wall {time.perf_counter() - wall:.1f} s, "
            f"cpu {time.process_time() - cpu:.1f} s",
            flush=True,
        )
        for ef in efs:
            wall, cpu = time.perf_counter(), time.process_time()
            idx = _ann.search_index(index, view, K, ef=ef)[0]
            took, used = time.perf_counter() - wall, time.process_time() - cpu
            recall = recall_at_k(idx[q], true)
            print(f"  ef={ef}: recall@10 {recall:.4f}, search wall {took:.1f} s, cpu {used:.1f} s", flush=True)
        del index


def main() -> None:
    import hnswlib

    from labelwise.checks.graph import refine_candidates

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if "--search-ef" in sys.argv:
        if "--ef-construction" in sys.argv:
            from labelwise.checks import _ann

            _ann.EF_CONSTRUCTION = int(sys.argv[sys.argv.index("--ef-construction") + 1])
        search_grid(n, [int(v) for v in sys.argv[sys.argv.index("--search-ef") + 1].split(",")])
        return
    if "--pipeline" in sys.argv:
        from labelwise.checks import _ann

        for M, efc in (
            [(16, 100), (16, 64), (12, 64)] if "--grid" in sys.argv else [(_ann.HNSW_M, _ann.EF_CONSTRUCTION)]
        ):
            _ann.HNSW_M, _ann.EF_CONSTRUCTION = M, efc
            print(f"M={M} ef_construction={efc} ef={_ann.EF_SEARCH} (retry ef={_ann.EF_RETRY})", flush=True)
            pipeline(n)
        return
    threads = os.cpu_count() or 1
    rng = np.random.default_rng(0)
    grid = [(8, 40), (12, 40), (12, 64), (16, 64), (16, 100)]
    for name, gen in (("lowrank", lowrank), ("iso", iso)):
        Z = standardise(gen(n))
        q = rng.choice(n, 1000, replace=False)
        true = truth(Z, q)
        for M, efc in grid:
            index = hnswlib.Index(space="l2", dim=Z.shape[1])
            index.init_index(max_elements=n, ef_construction=efc, M=M, random_seed=0)
            index.set_num_threads(threads)
            t = time.perf_counter()
            index.add_items(Z, np.arange(n))
            build = time.perf_counter() - t
            for ef in (24, 32, 48, 64, 96):
                index.set_ef(ef)
                t = time.perf_counter()
                cand, _ = index.knn_query(Z[q], k=2 * K + 1)
                per_query = (time.perf_counter() - t) / len(q)
                idx, _ = refine_candidates(Z, q, cand.astype(np.int64), K)
                recall = recall_at_k(idx, true)
                print(
                    f"{name} n={n} M={M} efC={efc} ef={ef}: recall@10 {recall:.4f}, build {build:.1f} s, "
                    f"query all (est.) {per_query * n:.1f} s",
                    flush=True,
                )
            del index


if __name__ == "__main__":
    main()
