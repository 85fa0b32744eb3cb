"""Data checks on a Dask cluster (issue 12): duplicates and outliers of n x 64 embeddings, one process vs
``LocalCluster(n_workers=2, threads_per_worker=1)``.

The embeddings are a seeded mixture of 20 Gaussian clusters in 64 dimensions, made chunk by chunk
(chunk ``i`` from ``default_rng([seed, i])``), so the one-process stage and the workers make the same
rows without the client ever holding them: in every chunk, 5 rows are moved 8 standard deviations out
(outliers) and its last 5 rows are copies of the next chunk's first 5 (exact duplicates across
chunks). Both stages run ``find_data_issues(checks=["outlier", "exact_duplicate", "near_duplicate"])``
with the exact search, each in a fresh process (so its peak memory is its own):

- ``memory``: the rows made in the process, ``method="exact"``;
- ``cluster``: a ``dask.array`` whose chunks the workers make; the client's peak anonymous memory
  (``RssAnon`` sampled every 10 ms, the scheduler included: it runs in the client's process) is
  measured after the cluster has started, and the workers import labelwise before the timer starts.

The flags, the duplicate sets and the graphs are compared at the end (``identical``).

``--method approximate``: both stages search approximately (one process: the in-memory default
index for ``n`` rows; the cluster: one HNSW index per shard, ``labelwise.checks._dask_ann``), and
the one-process stage also finds the exact ``k`` nearest neighbours of ``--sample`` random rows by
brute force, against which each graph's recall@k is reported; the flags are compared as counts and
disagreements (an approximate graph need not give the exact one's flags).

``--labels``: labels (each row's cluster, 5% moved to another) and a split, made per chunk (on the
workers for the cluster stage), and every check that runs per partition (``label``,
``class_imbalance``, ``data_valuation``, ``leakage``, ``null`` too); the scores' largest differences
are reported as well.

Usage: ``python benchmarks/bench_checks_scale.py [--n 100000] [--chunk-rows 25000] [--dir /tmp]
[--method exact|approximate] [--sample 2000] [--labels]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _machine import cpu_model
from bench_scale import PeakAnon

D = 64
CLUSTERS = 20
CHECKS = ["outlier", "exact_duplicate", "near_duplicate"]
#: With ``--labels``: every check that runs per partition.
LABEL_CHECKS = [*CHECKS, "label", "class_imbalance", "data_valuation", "leakage", "null"]


def make_chunk(i: int, rows: int, n_chunks: int, seed: int = 0) -> np.ndarray:
    """Chunk ``i`` of the embeddings (see the module's docstring)."""

    def base(j: int) -> np.ndarray:
        centres = np.random.default_rng(seed).normal(scale=3.0, size=(CLUSTERS, D))
        rng = np.random.default_rng([seed, j])
        return (centres[rng.integers(0, CLUSTERS, rows)] + rng.normal(size=(rows, D))).astype(np.float32)

    X = base(i)
    X[5:10] += 8.0
    if n_chunks > 1:
        X[-5:] = base((i + 1) % n_chunks)[:5]
    return X


def make_labels(i: int, rows: int, n_chunks: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Chunk ``i``'s labels (each row's cluster, 5% moved to another cluster, drawn per chunk) and
    split (``"train"`` for 75% of the rows), for ``--labels``."""

    def clusters(j: int) -> np.ndarray:
        return np.random.default_rng([seed, j]).integers(0, CLUSTERS, rows)

    y = clusters(i)
    if n_chunks > 1:
        y[-5:] = clusters((i + 1) % n_chunks)[:5]
    rng = np.random.default_rng([seed, i, 1])
    flip = rng.random(rows) < 0.05
    y[flip] = (y[flip] + rng.integers(1, CLUSTERS, int(flip.sum()))) % CLUSTERS
    return y, np.where(rng.random(rows) < 0.75, "train", "test")


def exact_sample(X: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """The exact ``k`` nearest other rows of ``X[rows]`` on the graph's z-scored columns, by brute force."""
    from labelwise.checks.graph import StandardizedRows

    Z = StandardizedRows.fit(X, metric="euclidean", standardize=True).materialize().astype(np.float64)
    q = Z[rows]
    best = np.empty((len(rows), k), dtype=np.int64)
    norms = (Z**2).sum(axis=1)
    for s in range(0, len(rows), 64):
        d2 = norms[None, :] - 2.0 * q[s : s + 64] @ Z.T
        d2[np.arange(d2.shape[0]), rows[s : s + 64]] = np.inf
        part = np.argpartition(d2, k, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d2, part, 1), axis=1, kind="stable")
        best[s : s + 64] = np.take_along_axis(part, order, 1)
    return best


def run_stage(
    stage: str, n: int, chunk_rows: int, out: Path, method: str = "exact", sample: int = 2000, labels: bool = False
) -> dict:
    import labelwise as lw

    n_chunks = n // chunk_rows
    checks = LABEL_CHECKS if labels else CHECKS
    if stage == "memory":
        X = np.concatenate([make_chunk(i, chunk_rows, n_chunks) for i in range(n_chunks)])
        given = {}
        if labels:
            parts = [make_labels(i, chunk_rows, n_chunks) for i in range(n_chunks)]
            given = {"labels": np.concatenate([p[0] for p in parts]), "split": np.concatenate([p[1] for p in parts])}
        t0 = time.perf_counter()
        found = lw.checks.find_data_issues(features=X, checks=checks, method=method, **given)
        wall = time.perf_counter() - t0
        extra = {}
        if method == "approximate":
            rows = np.sort(np.random.default_rng(1).choice(n, min(sample, n), replace=False))
            t0 = time.perf_counter()
            np.savez(out.with_suffix(".exact.npz"), rows=rows, indices=exact_sample(X, rows, found.graph.k))
            extra = {"exact_sample_s": time.perf_counter() - t0}
    else:
        import dask
        import dask.array as da
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
        t0 = time.perf_counter()
        client.run(lambda: __import__("labelwise.checks.find"))
        worker_import = time.perf_counter() - t0
        make = dask.delayed(make_chunk, pure=True)
        X = da.concatenate(
            [da.from_delayed(make(i, chunk_rows, n_chunks), (chunk_rows, D), np.float32) for i in range(n_chunks)]
        )
        given = {}
        if labels:  # made on the workers too: the labels and the split never pass through the client
            pair = [dask.delayed(make_labels, nout=2, pure=True)(i, chunk_rows, n_chunks) for i in range(n_chunks)]
            given = {
                key: da.concatenate([da.from_delayed(p[j], (chunk_rows,), dtype) for p in pair])
                for j, (key, dtype) in enumerate((("labels", np.int64), ("split", np.dtype("<U5"))))
            }
        with PeakAnon() as peak:
            t0 = time.perf_counter()
            found = lw.checks.find_data_issues(features=X, checks=checks, method=method, **given)
            wall = time.perf_counter() - t0
        extra = {"worker_import_s": worker_import, "client_anon_at_start_gb": peak.base / 1e9}
        issues, graph = found.issues.compute(), found.graph.compute()  # after the measured run, to compare
        client.close()
        cluster.close()
    if stage == "memory":
        issues, graph = found.issues, found.graph
    flags = {c: issues[f"is_{c}_issue"].to_numpy() for c in checks}
    scores = {f"{c}_score": issues[f"{c}_score"].to_numpy() for c in checks}
    np.savez(
        out,
        indices=graph.indices,
        distances=graph.distances,
        **{f"is_{c}_issue": v for c, v in flags.items()},
        **scores,
    )
    (out.with_suffix(".sets.json")).write_text(json.dumps(found.info["exact_duplicate"]["sets"]))
    return {
        "stage": stage,
        "wall_s": wall,
        "peak_anon_gb": peak.peak / 1e9 if stage == "cluster" else None,
        "method": graph.method,
        "n_issues": {c: int(v.sum()) for c, v in flags.items()},
        **extra,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--chunk-rows", type=int, default=25_000)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--stage", choices=["memory", "cluster"])
    ap.add_argument("--out")
    ap.add_argument("--method", choices=["exact", "approximate"], default="exact")
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--labels", action="store_true", help="labels and a split too: every per-partition check")
    args = ap.parse_args()
    checks = LABEL_CHECKS if args.labels else CHECKS
    if args.stage:
        result = run_stage(args.stage, args.n, args.chunk_rows, Path(args.out), args.method, args.sample, args.labels)
        print(json.dumps(result))
        return
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average before: {os.getloadavg()}")
    results = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for stage in ("memory", "cluster"):
            out = Path(tmp) / f"{stage}.npz"
            cmd = [sys.executable, __file__, "--stage", stage, "--n", str(args.n), "--chunk-rows", str(args.chunk_rows)]
            cmd += ["--method", args.method, "--sample", str(args.sample)] + (["--labels"] if args.labels else [])
            done = subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True, check=True)
            results[stage] = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(results[stage]))
        a, b = (np.load(Path(tmp) / f"{s}.npz") for s in ("memory", "cluster"))
        sets_same = (Path(tmp) / "memory.sets.json").read_text() == (Path(tmp) / "cluster.sets.json").read_text()
        same = {c: bool((a[f"is_{c}_issue"] == b[f"is_{c}_issue"]).all()) for c in checks}
        score_diff = {c: float(np.abs(a[f"{c}_score"] - b[f"{c}_score"]).max()) for c in checks}
        if args.method == "approximate":
            truth = np.load(Path(tmp) / "memory.exact.npz")
            k = truth["indices"].shape[1]

            def recall(g: np.ndarray) -> float:
                hits = [len(set(x) & set(y)) for x, y in zip(g[truth["rows"]], truth["indices"], strict=True)]
                return float(np.mean(hits)) / k

            print(
                json.dumps(
                    {
                        "recall_at_k_sample": {"memory": recall(a["indices"]), "cluster": recall(b["indices"])},
                        "flags_differing": {c: int((a[f"is_{c}_issue"] != b[f"is_{c}_issue"]).sum()) for c in checks},
                    }
                )
            )
        print(
            json.dumps(
                {
                    "identical_flags": same,
                    "score_max_abs_diff": score_diff,
                    "identical_duplicate_sets": sets_same,
                    "graph_indices_equal_share": float((a["indices"] == b["indices"]).mean()),
                    "graph_distance_max_abs_diff": float(np.abs(a["distances"] - b["distances"]).max()),
                    "cluster_over_memory_wall": results["cluster"]["wall_s"] / results["memory"]["wall_s"],
                }
            )
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
